// diff(current, desired) → per-table creates, column-level updates and deletes (pure), matched by id.
import type { Southbound, SouthboundDiff, TableDiff } from './types';

export function diffRows<T extends { id: string }>(current: readonly T[], desired: readonly T[]): TableDiff<T> {
  const before = new Map(current.map((r) => [r.id, r]));
  const wanted = new Set(desired.map((r) => r.id));
  const out: TableDiff<T> = { create: [], update: [], delete: [] };
  for (const row of desired) {
    const old = before.get(row.id);
    if (!old) {
      out.create.push(row);
      continue;
    }
    const set: Partial<T> = {};
    for (const k of Object.keys(row) as (keyof T)[]) {
      if (k !== 'id' && !Object.is(row[k], old[k])) set[k] = row[k];
    }
    if (Object.keys(set).length > 0) out.update.push({ id: row.id, set });
  }
  for (const row of current) if (!wanted.has(row.id)) out.delete.push(row.id);
  return out;
}

export function diff(current: Southbound, desired: Southbound): SouthboundDiff {
  return {
    ports: diffRows(current.ports, desired.ports),
    routes: diffRows(current.routes, desired.routes),
    chains: diffRows(current.chains, desired.chains),
    rules: diffRows(current.rules, desired.rules),
    groups: diffRows(current.groups, desired.groups),
    containers: diffRows(current.containers, desired.containers),
    services: diffRows(current.services, desired.services),
  };
}

export const isEmptyDiff = (d: SouthboundDiff): boolean =>
  Object.values(d).every((t: TableDiff<{ id: string }>) => t.create.length + t.update.length + t.delete.length === 0);

/**
 * Hosts whose desired document must be republished: the host of the router's container, whenever a sync runs.
 * A sync follows every northbound change that shapes the VPN (connections, policies, PSKs, gateway), and the
 * container's configuration is built from those rows, so even an empty southbound diff may change it.
 */
export const hostsToMark = (current: Southbound): string[] =>
  [...new Set(current.containers.flatMap((c) => (c.hostId ? [c.hostId] : [])))];
