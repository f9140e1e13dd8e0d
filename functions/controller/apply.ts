// The database applier of the plan's actions (inside the caller's fenced write transaction), and the
// placement writes it shares with operator actions (migration, clear host, drain, rebalance): a change of a
// container's host bumps placement_generation, binds its port there, marks the old and the new host dirty
// (outbox), forgets the old placement's tunnel reports and refreshes the Neutron statuses of its router.
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import type { Db } from '../db/client';
import { containerEvents, containers, hosts, ipsecSiteConnections, ports, vpnServices } from '../db/schema';
import { markHostDirty } from '../services/hosts/write';
import { refreshNeutronStatus } from '../status/apply';
import type { ContainerRow } from './snapshot';
import type { Action, EventType } from './types';

export interface PlacementChange {
  /** null: the container is left unplaced (DOWN). */
  to: string | null;
  schedulerState: 'SCHEDULED' | 'RESCHEDULED' | 'DOWN';
  placementGeneration: number;
  retries?: number;
  nextAttemptAt?: number | null;
}

/**
 * Moves one container (its row as read in this transaction) to `change.to`, only if nobody changed its
 * placement since (placement_generation still the row's). Returns false, writing nothing, when someone did.
 */
export async function setPlacement(tx: Db, row: ContainerRow, change: PlacementChange, now: number): Promise<boolean> {
  const updated = await tx.update(containers).set({
    hostId: change.to, schedulerState: change.schedulerState, placementGeneration: change.placementGeneration,
    // What was reported belongs to the old placement; the new host's agent reports afresh.
    status: null, statusMessage: '', namespace: null,
    scheduledAt: change.to === null ? row.scheduledAt : now,
    retries: change.retries ?? 0, nextAttemptAt: change.nextAttemptAt ?? null, updatedAt: now,
  }).where(and(eq(containers.id, row.id), eq(containers.placementGeneration, row.placementGeneration))).returning({ id: containers.id });
  if (updated.length === 0) return false;
  if (row.hostId !== change.to || change.placementGeneration !== row.placementGeneration) {
    await tx.update(ports).set({ hostId: change.to }).where(eq(ports.id, row.portId));
    if (row.hostId !== null) await markHostDirty(tx, row.hostId, now);
    if (change.to !== null && change.to !== row.hostId) await markHostDirty(tx, change.to, now);
    await forgetTunnels(tx, [row.configurationId]);
  }
  return true;
}

/** Tunnel reports came from the old placement: the connections wait for the new host's word. */
async function forgetTunnels(tx: Db, routerIds: string[]): Promise<void> {
  const services = tx.select({ id: vpnServices.id }).from(vpnServices).where(inArray(vpnServices.routerId, routerIds));
  await tx.update(ipsecSiteConnections).set({ tunnel: null })
    .where(and(inArray(ipsecSiteConnections.vpnServiceId, services), isNotNull(ipsecSiteConnections.tunnel)));
  await refreshNeutronStatus(tx, routerIds);
}

export interface ContainerEvent {
  containerId: string | null;
  type: EventType | string;
  hostId: string | null;
  reason: string;
  detail?: Record<string, unknown>;
  at: number;
}

/** Appends to container_events (events about a host alone are only published, see ApplyResult.events). */
export async function recordEvent(tx: Db, e: ContainerEvent): Promise<void> {
  if (e.containerId === null) return;
  await tx.insert(containerEvents).values({ containerId: e.containerId, at: e.at, type: e.type, hostId: e.hostId, reason: e.reason, detail: e.detail ?? null });
}

export interface ApplyResult {
  /** The actions that changed something (no noops, no events, none skipped). */
  applied: Action[];
  /** Containers whose actions were skipped: their placement changed since the plan read it. */
  skipped: string[];
  /** Events to publish on berth/v1/events once the transaction has committed. */
  events: ContainerEvent[];
}

/**
 * Applies the plan's actions in order. Runs inside Database.write (which may run it again after SQLITE_BUSY),
 * so it has no side effect outside `tx`: it returns what to publish.
 */
export async function applyActions(tx: Db, actions: readonly Action[], now: number): Promise<ApplyResult> {
  const out: ApplyResult = { applied: [], skipped: [], events: [] };
  const skipped = new Set<string>();
  const ids = [...new Set(actions.flatMap((a) => ('containerId' in a && a.containerId && a.type !== 'event' && a.type !== 'noop' ? [a.containerId] : [])))];
  const rows = new Map(ids.length === 0 ? [] : (await tx.select().from(containers).where(inArray(containers.id, ids))).map((r) => [r.id, r]));
  const fresh = (id: string, gen: number) => {
    const r = rows.get(id);
    if (r && r.placementGeneration === gen) return r;
    skipped.add(id);
    return undefined;
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
        const r = fresh(a.containerId, a.fromGeneration);
        if (!r) continue;
        await tx.update(containers).set({ schedulerState: 'UP' }).where(and(eq(containers.id, r.id), eq(containers.placementGeneration, r.placementGeneration)));
        break;
      }
      case 'place':
      case 'reschedule': {
        const r = fresh(a.containerId, a.fromGeneration);
        const to = a.type === 'place' ? a.hostId : a.to;
        if (!r || !(await setPlacement(tx, r, { to, schedulerState: a.type === 'place' ? 'SCHEDULED' : 'RESCHEDULED', placementGeneration: a.placementGeneration }, now))) {
          skipped.add(a.containerId);
          continue;
        }
        break;
      }
      case 'setDown': {
        const r = fresh(a.containerId, a.fromGeneration);
        const change = { to: null, schedulerState: 'DOWN' as const, placementGeneration: a.placementGeneration, retries: a.retries, nextAttemptAt: a.retryAt };
        if (!r || !(await setPlacement(tx, r, change, now))) {
          skipped.add(a.containerId);
          continue;
        }
        break;
      }
      case 'event': {
        // An event about a container whose action was skipped did not happen.
        if (a.containerId !== null && skipped.has(a.containerId)) continue;
        const e: ContainerEvent = { containerId: a.containerId, type: a.eventType, hostId: a.hostId, reason: a.reason, detail: a.detail, at: now };
        await recordEvent(tx, e);
        out.events.push(e);
        continue;
      }
      case 'noop':
        continue;
    }
    out.applied.push(a);
  }
  out.skipped = [...skipped];
  return out;
}
