// applyDiff: writes a planned southbound diff and marks hosts dirty, inside the caller's write transaction.
import { eq, inArray } from 'drizzle-orm';
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { Db } from '../db/client';
import { chains, containerGroups, containers, ports, routes, rules, vpnServices } from '../db/schema';
import { markHostsDirty } from '../services/hosts/write';
import type { SouthboundDiff, TableDiff } from './types';

type IdTable = SQLiteTable & { id: SQLiteColumn };

// Drizzle's insert/update value types are per table; every row here was typed against its table by the planner.
async function createRows(tx: Db, table: IdTable, d: TableDiff<{ id: string }>) {
  if (d.create.length) await tx.insert(table).values(d.create as never[]);
}

async function updateRows(tx: Db, table: IdTable, d: TableDiff<{ id: string }>, stamp: Record<string, number> = {}) {
  for (const u of d.update) await tx.update(table).set({ ...u.set, ...stamp } as never).where(eq(table.id, u.id));
}

async function deleteRows(tx: Db, table: IdTable, d: TableDiff<{ id: string }>) {
  if (d.delete.length) await tx.delete(table).where(inArray(table.id, d.delete));
}

export async function applyDiff(tx: Db, d: SouthboundDiff, now: number, dirtyHostIds: readonly string[]): Promise<void> {
  // Dependents first on the way out (rules before their chain, containers before their group) …
  await deleteRows(tx, rules, d.rules);
  await deleteRows(tx, routes, d.routes);
  await deleteRows(tx, containers, d.containers);
  await deleteRows(tx, ports, d.ports);
  await deleteRows(tx, chains, d.chains);
  await deleteRows(tx, containerGroups, d.groups);
  // … and last on the way in.
  await createRows(tx, containerGroups, d.groups);
  await createRows(tx, containers, d.containers);
  await createRows(tx, ports, d.ports);
  await createRows(tx, chains, d.chains);
  await createRows(tx, rules, d.rules);
  await createRows(tx, routes, d.routes);

  await updateRows(tx, containerGroups, d.groups);
  await updateRows(tx, containers, d.containers, { updatedAt: now });
  await updateRows(tx, ports, d.ports);
  await updateRows(tx, chains, d.chains);
  await updateRows(tx, rules, d.rules);
  await updateRows(tx, routes, d.routes);
  await updateRows(tx, vpnServices, d.services, { updatedAt: now });

  await markHostsDirty(tx, dirtyHostIds, now);
}
