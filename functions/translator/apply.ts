// applyDiff: writes a planned southbound diff and marks hosts dirty, inside the caller's write transaction, in one
// round trip (functions/db/batch.ts).
import { eq, inArray } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client';
import { chains, containerGroups, containers, ports, routes, rules, vpnServices } from '../db/schema';
import { markHostsDirtySteps } from '../services/hosts/write';
import { inOneTrip, type Step, type TripResults } from '../db/batch';
import type { SouthboundDiff, TableDiff } from './types';

type IdTable = SQLiteTable & { id: SQLiteColumn };

// Drizzle's insert/update value types are per table; every row here was typed against its table by the planner.
const createRows = (tx: Db, table: IdTable, d: TableDiff<{ id: string }>): Step[] =>
  d.create.length ? [tx.insert(table).values(d.create as never[])] : [];

const updateRows = (tx: Db, table: IdTable, d: TableDiff<{ id: string }>, stamp: Record<string, number> = {}): Step[] =>
  d.update.map((u) => tx.update(table).set({ ...u.set, ...stamp } as never).where(eq(table.id, u.id)));

const deleteRows = (tx: Db, table: IdTable, d: TableDiff<{ id: string }>): Step[] =>
  d.delete.length ? [tx.delete(table).where(inArray(table.id, d.delete))] : [];

/** The statements that write a diff and mark hosts dirty, in the order they must run. */
export function diffSteps(tx: Db, d: SouthboundDiff, now: number, dirtyHostIds: readonly string[]): Step[] {
  return [
    // Dependents first on the way out (rules before their chain, containers before their group) …
    ...deleteRows(tx, rules, d.rules),
    ...deleteRows(tx, routes, d.routes),
    ...deleteRows(tx, containers, d.containers),
    ...deleteRows(tx, ports, d.ports),
    ...deleteRows(tx, chains, d.chains),
    ...deleteRows(tx, containerGroups, d.groups),
    // … and last on the way in.
    ...createRows(tx, containerGroups, d.groups),
    ...createRows(tx, containers, d.containers),
    ...createRows(tx, ports, d.ports),
    ...createRows(tx, chains, d.chains),
    ...createRows(tx, rules, d.rules),
    ...createRows(tx, routes, d.routes),
    ...updateRows(tx, containerGroups, d.groups),
    ...updateRows(tx, containers, d.containers, { updatedAt: now }),
    ...updateRows(tx, ports, d.ports),
    ...updateRows(tx, chains, d.chains),
    ...updateRows(tx, rules, d.rules),
    ...updateRows(tx, routes, d.routes),
    ...updateRows(tx, vpnServices, d.services, { updatedAt: now }),
    ...markHostsDirtySteps(tx, dirtyHostIds, now),
  ];
}

/** Writes a planned southbound diff and marks hosts dirty, in one round trip (with `after`, run last in it). */
export async function applyDiff<const A extends readonly Step[] = []>(tx: Db, d: SouthboundDiff, now: number, dirtyHostIds: readonly string[], after?: A): Promise<TripResults<A>> {
  const writes = diffSteps(tx, d, now, dirtyHostIds);
  const results = await inOneTrip(tx, [...writes, ...(after ?? [])]);
  return results.slice(writes.length) as unknown as TripResults<A>;
}
