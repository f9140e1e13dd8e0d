// The database applier of the plan's actions (inside the caller's fenced write transaction), and the
// placement writes it shares with operator actions (migration, clear host, drain, rebalance): a change of a
// container's host bumps placement_generation, binds its port there, marks the old and the new host dirty
// (outbox), forgets the old placement's tunnel reports and refreshes the Neutron statuses of its router.
// Placements are written in batches (a statement per table, not per container; each row still checked against
// its placement_generation), so a tick placing 10,000 containers costs a handful of statements.
import { and, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { containers, hosts, ipsecSiteConnections, vpnServices } from '../db/schema';
import { inOneTrip, type Step } from '../db/batch';
import { markHostsDirtySteps } from '../services/hosts/write';
import { refreshReads, refreshWrites } from '../status/apply';
import type { ContainerRow } from './snapshot';
import type { Action, EventType } from './types';

/** What a placement write reads from a container's row (a full row or a snapshot row will do). */
export type PlacementRow = Pick<ContainerRow, 'id' | 'hostId' | 'placementGeneration' | 'scheduledAt' | 'portId' | 'configurationId'>;

export interface PlacementChange {
  /** null: the container is left unplaced (DOWN). */
  to: string | null;
  schedulerState: 'SCHEDULED' | 'RESCHEDULED' | 'DOWN';
  placementGeneration: number;
  retries?: number;
  nextAttemptAt?: number | null;
}

export interface PlacementItem {
  /** The container's row as read in this transaction. */
  row: PlacementRow;
  change: PlacementChange;
}

/** SQLite JSON values come back as SQL values: a list goes in as one parameter, whatever its length. */
const json = (v: unknown) => JSON.stringify(v);

/**
 * Moves one container (its row as read in this transaction) to `change.to`, only if nobody changed its
 * placement since (placement_generation still the row's). Returns false, writing nothing, when someone did.
 */
export async function setPlacement(tx: Db, row: PlacementRow, change: PlacementChange, now: number): Promise<boolean> {
  return (await setPlacements(tx, [{ row, change }], now)).has(row.id);
}

/**
 * setPlacement for many containers at once (each id at most once): every row is moved only if its
 * placement_generation is still the one read. Returns the ids that were moved; the others were left alone.
 */
export async function setPlacements(tx: Db, items: readonly PlacementItem[], now: number): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  if (new Set(items.map((i) => i.row.id)).size !== items.length) throw new Error('setPlacements: a container appears twice in one batch');
  // [id, from generation, host, state, generation, scheduled at, retries, next attempt]: arrays, not objects,
  // are less text to parse and cheaper to pick apart (->> by position) — ~20% of this statement at 10,000 rows.
  const payload = items.map(({ row, change }) => [
    row.id, row.placementGeneration, change.to, change.schedulerState, change.placementGeneration,
    change.to === null ? row.scheduledAt : now, change.retries ?? 0, change.nextAttemptAt ?? null,
  ]);
  // What was reported belongs to the old placement (status, message, namespace); the new host's agent reports afresh.
  const updated = await tx.all<{ id: string }>(sql`
    UPDATE containers SET
      host_id = j.value ->> 2, scheduler_state = j.value ->> 3, placement_generation = j.value ->> 4,
      status = NULL, status_message = '', namespace = NULL,
      scheduled_at = j.value ->> 5, retries = j.value ->> 6, next_attempt_at = j.value ->> 7, updated_at = ${now}
    FROM json_each(${json(payload)}) AS j
    WHERE containers.id = j.value ->> 0 AND containers.placement_generation = j.value ->> 1
    RETURNING containers.id AS id`);
  const done = new Set(updated.map((u) => u.id));
  const moved = items.filter(({ row, change }) => done.has(row.id) && (row.hostId !== change.to || change.placementGeneration !== row.placementGeneration));
  if (moved.length === 0) return done;

  // Each port follows its container (the last write wins, as it would one container at a time).
  const portHost = new Map(moved.map(({ row, change }) => [row.portId, change.to]));
  const dirty = new Set<string>();
  for (const { row, change } of moved) {
    if (row.hostId !== null) dirty.add(row.hostId);
    if (change.to !== null && change.to !== row.hostId) dirty.add(change.to);
  }
  const routerIds = [...new Set(moved.map(({ row }) => row.configurationId))];
  // One round trip for the follow-up writes and what the Neutron statuses are derived from, one for the statuses.
  const results = await inOneTrip(tx, [
    tx.run(sql`
      UPDATE ports SET host_id = json_extract(j.value, '$[1]')
      FROM json_each(${json([...portHost])}) AS j WHERE ports.id = json_extract(j.value, '$[0]')`),
    ...markHostsDirtySteps(tx, dirty, now),
    forgetTunnels(tx, routerIds),
    ...refreshReads(tx, routerIds),
  ]);
  await inOneTrip(tx, refreshWrites(tx, results.slice(-3) as unknown as Parameters<typeof refreshWrites>[1]));
  return done;
}

/** Tunnel reports came from the old placement: the connections wait for the new host's word. */
function forgetTunnels(tx: Db, routerIds: string[]) {
  const services = tx.select({ id: vpnServices.id }).from(vpnServices).where(sql`${vpnServices.routerId} IN (SELECT value FROM json_each(${json(routerIds)}))`);
  return tx.update(ipsecSiteConnections).set({ tunnel: null })
    .where(and(inArray(ipsecSiteConnections.vpnServiceId, services), isNotNull(ipsecSiteConnections.tunnel)));
}

export interface ContainerEvent {
  containerId: string | null;
  type: EventType | string;
  hostId: string | null;
  reason: string;
  detail?: Record<string, unknown>;
  at: number;
}

/** Appends to container_events, events about a host alone (containerId null) included: GET /v1/events shows them. */
export async function recordEvent(tx: Db, e: ContainerEvent): Promise<void> {
  await recordEvents(tx, [e]);
}

/** recordEvent for many, in order (one statement). */
export async function recordEvents(tx: Db, events: readonly ContainerEvent[]): Promise<void> {
  for (const step of recordEventsSteps(tx, events)) await step;
}

/** recordEvents as a statement for a batch (none for no events). */
function recordEventsSteps(tx: Db, events: readonly ContainerEvent[]) {
  const rows = events.map((e) => [e.containerId, e.at, e.type, e.hostId, e.reason, e.detail ?? null]);
  if (rows.length === 0) return [];
  // detail is stored as its JSON text (what drizzle's json column stores): ->> of an object gives exactly that text
  // (JSON.stringify's, byte for byte), and SQL NULL for none — no 10,000 strings encoded twice.
  return [tx.run(sql`
    INSERT INTO container_events (container_id, at, type, host_id, reason, detail)
    SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5
    FROM json_each(${json(rows)}) ORDER BY key`)];
}

export interface ApplyResult {
  /** The actions that changed something (no noops, no events, none skipped). */
  applied: Action[];
  /** Containers whose actions were skipped: their placement changed since the plan read it. */
  skipped: string[];
  /** The events recorded, to publish on berth/v1/events once the transaction has committed (services/events/publish.ts). */
  events: ContainerEvent[];
}

/** An action's outcome, settled when the placement batch it waits on has been written. */
interface Entry {
  action: Action;
  event?: ContainerEvent;
  /** The container whose pending placement decides whether this entry counts; undefined = decided. */
  waitsOn?: string;
  keep: boolean;
}

/**
 * Applies the plan's actions in order. Runs inside Database.write (which may run it again after SQLITE_BUSY),
 * so it has no side effect outside `tx`: it returns what to publish. `known`: container rows already read in
 * this transaction (the tick's snapshot), so they are not read again.
 *
 * Placements and events are collected and written in batches at the end (placements first, before a container
 * comes up a second time); an event still counts only if its container's action before it was not skipped.
 * `after`: statements of the caller's that run last, in the round trip that records the events.
 */
export async function applyActions(tx: Db, actions: readonly Action[], now: number, known?: ReadonlyMap<string, PlacementRow>, after: readonly Step[] = []): Promise<ApplyResult> {
  const skipped = new Set<string>();
  const rows = new Map<string, PlacementRow>();
  const missing = new Set<string>();
  for (const a of actions) {
    if (a.type !== 'up' && a.type !== 'place' && a.type !== 'reschedule' && a.type !== 'setDown') continue;
    const r = known?.get(a.containerId);
    if (r) rows.set(a.containerId, r);
    else missing.add(a.containerId);
  }
  if (missing.size > 0) {
    const read = await tx.select().from(containers).where(sql`${containers.id} IN (SELECT value FROM json_each(${json([...missing])}))`);
    for (const r of read) rows.set(r.id, r);
  }
  const fresh = (id: string, gen: number) => {
    const r = rows.get(id);
    if (r && r.placementGeneration === gen) return r;
    skipped.add(id);
    return undefined;
  };

  const entries: Entry[] = [];
  let pending: PlacementItem[] = [];
  let waiting: Entry[] = [];
  const pendingIds = new Set<string>();
  const flush = async () => {
    const done = await setPlacements(tx, pending, now);
    for (const { row } of pending) if (!done.has(row.id)) skipped.add(row.id);
    for (const e of waiting) e.keep = !skipped.has(e.waitsOn!);
    pending = [];
    waiting = [];
    pendingIds.clear();
  };
  // Synchronous (the caller flushes first when the container already waits): 10,000 placements, no 10,000 awaits.
  const placeLater = (a: Action, id: string, gen: number, change: PlacementChange) => {
    const r = fresh(id, gen);
    if (!r) return;
    pending.push({ row: r, change });
    pendingIds.add(id);
    const e: Entry = { action: a, waitsOn: id, keep: false };
    entries.push(e);
    waiting.push(e);
  };

  for (const a of actions) {
    switch (a.type) {
      case 'hostDead':
        await tx.update(hosts).set({ alive: false }).where(eq(hosts.id, a.hostId));
        break;
      case 'markHostBad':
        await tx.update(hosts).set({ badUntil: a.until }).where(eq(hosts.id, a.hostId));
        break;
      case 'clearHostBad':
        await tx.update(hosts).set({ badUntil: null }).where(eq(hosts.id, a.hostId));
        break;
      case 'up': {
        if (pendingIds.has(a.containerId)) await flush();
        const r = fresh(a.containerId, a.fromGeneration);
        if (!r) continue;
        await tx.update(containers).set({ schedulerState: 'UP' }).where(and(eq(containers.id, r.id), eq(containers.placementGeneration, r.placementGeneration)));
        break;
      }
      case 'place':
      case 'reschedule':
        if (pendingIds.has(a.containerId)) await flush();
        placeLater(a, a.containerId, a.fromGeneration,
          { to: a.type === 'place' ? a.hostId : a.to, schedulerState: a.type === 'place' ? 'SCHEDULED' : 'RESCHEDULED', placementGeneration: a.placementGeneration });
        continue;
      case 'setDown':
        if (pendingIds.has(a.containerId)) await flush();
        placeLater(a, a.containerId, a.fromGeneration,
          { to: null, schedulerState: 'DOWN', placementGeneration: a.placementGeneration, retries: a.retries, nextAttemptAt: a.retryAt });
        continue;
      case 'event': {
        // An event about a container whose action was skipped did not happen.
        const event: ContainerEvent = { containerId: a.containerId, type: a.eventType, hostId: a.hostId, reason: a.reason, detail: a.detail, at: now };
        const id = a.containerId;
        if (id !== null && pendingIds.has(id)) {
          const e: Entry = { action: a, event, waitsOn: id, keep: false };
          entries.push(e);
          waiting.push(e);
        } else entries.push({ action: a, event, keep: id === null || !skipped.has(id) });
        continue;
      }
      case 'noop':
        continue;
    }
    entries.push({ action: a, keep: true });
  }
  await flush();

  const out: ApplyResult = { applied: [], skipped: [...skipped], events: [] };
  for (const e of entries) {
    if (!e.keep) continue;
    if (e.event) out.events.push(e.event);
    else out.applied.push(e.action);
  }
  await inOneTrip(tx, [...recordEventsSteps(tx, out.events), ...after]);
  return out;
}
