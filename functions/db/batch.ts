// Many statements in one round trip. Over libSQL's HTTP protocol (Hrana, what a Worker speaks) every request is a
// network round trip, also inside an interactive transaction, so the write path reads what a verb needs in one
// batch, then writes in one batch (docs/decisions.md, "Database round trips over HTTP (issue 8)"). On a file
// database the same batch runs its statements one after the other on the caller's connection: nothing changes
// there but the number of awaits.
import { fillPlaceholders } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Client, InStatement } from '@libsql/client';
import type { Db } from './client';

/** A drizzle prepared query, or what drizzle builds one from (a select/insert/update/delete builder, db.run(sql)). */
interface PreparedLike {
  getQuery(): { sql: string; params: unknown[] };
  mapResult(response: unknown, isFromBatch?: boolean): unknown;
}

/** A prepared query (functions/db/prepared.ts) with the values of its placeholders. R: what .all() gives. */
export interface Bound<R> {
  readonly query: PreparedLike;
  readonly values: Record<string, unknown>;
  /** Type only. */
  readonly result?: R;
}

type Runnable = { execute(...args: never[]): Promise<unknown> };

/** A prepared query with its placeholder values, as one step of a trip. */
export function bind<Q extends PreparedLike & Runnable>(query: Q, values: Record<string, unknown>): Bound<Awaited<ReturnType<Q['execute']>>> {
  return { query, values };
}

/** A step: a bound prepared query, or any query drizzle's own db.batch takes (its builders, db.run/all(sql)). */
export type Step = Bound<unknown> | BatchItem<'sqlite'>;
type StepResult<S> = S extends Bound<infer R> ? R : S extends BatchItem<'sqlite'> ? S['_']['result'] : never;
export type TripResults<S extends readonly Step[]> = { -readonly [K in keyof S]: StepResult<S[K]> };

const isBound = (s: Step): s is Bound<unknown> => 'query' in s && 'values' in s;
// What drizzle's db.batch calls on each item (internal in its types, stable at runtime).
const preparedOf = (s: Step): PreparedLike => (isBound(s) ? s.query : (s as unknown as { _prepare(): PreparedLike })._prepare());

/**
 * Runs the steps, in order, in ONE request (libSQL batch): inside Database.write they run in its transaction; on
 * database.db they run as one read transaction. A failing statement fails the trip and the statements after it do
 * not run (the caller's transaction rolls back as for any failed statement). Returns each step's result, as
 * drizzle would have returned it.
 */
export async function inOneTrip<const S extends readonly Step[]>(db: Db, steps: S): Promise<TripResults<S>> {
  if (steps.length === 0) return [] as unknown as TripResults<S>;
  const prepared = steps.map(preparedOf);
  const stmts: InStatement[] = prepared.map((p, i) => {
    const q = p.getQuery();
    const s = steps[i];
    return { sql: q.sql, args: (isBound(s) ? fillPlaceholders(q.params, s.values) : q.params) as InStatement extends { args?: infer A } ? A : never };
  });
  const client = (db as unknown as { $client: Pick<Client, 'batch'> }).$client;
  const results = await client.batch(stmts);
  return prepared.map((p, i) => p.mapResult(results[i], true)) as unknown as TripResults<S>;
}
