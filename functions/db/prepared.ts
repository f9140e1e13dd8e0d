// Queries prepared once per drizzle instance: drizzle spends ~100 µs building the SQL of each query (measured),
// about as long as SQLite takes to run a point lookup, and the write path runs ~20 per request. A query made
// here is built on first use and reused; its values are bound through sql.placeholder(name).
import { eq, getTableName, sql, type InferSelectModel } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from './client';
import { bind, type Bound } from './batch';

const byDb = new WeakMap<Db, Map<symbol, unknown>>();

/**
 * The query `build` makes on db, built once per (db, key). Every write transaction of a Database shares one
 * drizzle instance, so this pays off there; a list of values binds as one JSON placeholder (see jsonIn).
 */
export function prepared<T>(db: Db, key: symbol, build: (db: Db) => T): T {
  let cache = byDb.get(db);
  if (!cache) byDb.set(db, (cache = new Map()));
  let q = cache.get(key) as T | undefined;
  if (q === undefined) cache.set(key, (q = build(db)));
  return q;
}

/** `column IN (the JSON array bound to placeholder name)`: a list of any length in a prepared query. */
export const jsonIn = (column: SQLiteColumn, name: string) => sql`${column} IN (SELECT value FROM json_each(${sql.placeholder(name)}))`;

type IdTable = SQLiteTable & { id: SQLiteColumn };
const tableKeys = new WeakMap<IdTable, symbol>();

function byIdQuery<T extends IdTable>(db: Db, table: T) {
  let key = tableKeys.get(table);
  if (!key) tableKeys.set(table, (key = Symbol(getTableName(table))));
  return prepared(db, key, (d) => d.select().from(table as SQLiteTable).where(eq(table.id, sql.placeholder('id'))).limit(1).prepare());
}

/** The row of table with this primary key (undefined when there is none), through a prepared query. */
export async function findById<T extends IdTable>(db: Db, table: T, id: string): Promise<InferSelectModel<T> | undefined> {
  const [row] = (await byIdQuery(db, table).all({ id })) as InferSelectModel<T>[];
  return row;
}

/** findById as one step of a trip (functions/db/batch.ts): its result is [row] or []. */
export const byId = <T extends IdTable>(db: Db, table: T, id: string) =>
  bind(byIdQuery(db, table), { id }) as unknown as Bound<InferSelectModel<T>[]>;
