// Draining a host: the operator's request (cordon + a durable drain record), its progress, and the step the
// leader's tick runs (functions/controller/drain.ts decides; this reads the snapshot and applies the moves in the
// controller's fenced transaction). The drain record lives in the `drains` table so it survives a restart.
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Deps } from '../../deps';
import type { Db } from '../../db/client';
import { drains, hosts } from '../../db/schema';
import { isAppError } from '../../../shared/errors';
import { publishEvents } from '../events/publish';
import { applyActions, type ContainerEvent } from '../../controller/apply';
import { drainProgress, drainStep, type DrainState } from '../../controller/drain';
import { fencedWrite } from '../../controller/lease';
import { readFleetSnapshot, schedHosts } from '../../controller/snapshot';
import { DEFAULT_TIMERS, type Timers } from '../../controller/types';
import { CONTROLLER_LEASE } from '../../relay/relay';
import { countContainersOn, getHostRow } from './read';
import { markHostDirty } from './write';

/** POST /v1/hosts/{id}/drain body (strict; an empty body means the defaults). */
export const drainBody = z.strictObject({ maxParallel: z.int().min(1).max(1000).default(1) });
export type DrainBody = z.infer<typeof drainBody>;

function parseState(raw: unknown): DrainState | null {
  const s = raw as DrainState | null;
  return s && typeof s.hostId === 'string' && Number.isInteger(s.maxParallel) && Array.isArray(s.inFlight) ? { ...s, blocked: s.blocked ?? [], moved: s.moved ?? 0 } : null;
}

export async function readDrain(db: Db, hostId: string): Promise<DrainState | null> {
  const [row] = await db.select().from(drains).where(eq(drains.hostId, hostId)).limit(1);
  return row ? parseState(row.state) : null;
}

async function saveDrain(tx: Db, s: DrainState, now: number): Promise<void> {
  const state = s as unknown as Record<string, unknown>;
  await tx.insert(drains).values({ hostId: s.hostId, state, updatedAt: now })
    .onConflictDoUpdate({ target: drains.hostId, set: { state, updatedAt: now } });
}

const deleteDrain = (tx: Db, hostId: string) => tx.delete(drains).where(eq(drains.hostId, hostId));

/**
 * POST /v1/hosts/{id}/drain: cordons the host and records the drain; the leader's tick moves the containers.
 * Asking again while a drain runs changes its maxParallel and keeps its progress.
 */
export async function startDrain(deps: Pick<Deps, 'database' | 'clock'>, hostId: string, maxParallel: number) {
  return deps.database.write(async (tx) => {
    const row = await getHostRow(tx, hostId);
    const now = deps.clock.now();
    if (!row.cordoned) {
      await tx.update(hosts).set({ cordoned: true, updatedAt: now }).where(eq(hosts.id, hostId));
      await markHostDirty(tx, hostId, now);
    }
    const n = await countContainersOn(tx, hostId);
    const old = await readDrain(tx, hostId);
    if (n > 0 || (old && old.inFlight.length > 0)) {
      await saveDrain(tx, old ? { ...old, maxParallel } : { hostId, maxParallel, startedAt: now, inFlight: [], moved: 0, blocked: [] }, now);
    }
    return { hostId, containers: n, maxParallel };
  });
}

/** GET /v1/hosts/{id}/drain: whether a drain runs and how far it got (remaining = containers still on the host). */
export async function drainStatus(db: Db, hostId: string) {
  const row = await getHostRow(db, hostId);
  const s = await readDrain(db, hostId);
  const onHost = await countContainersOn(db, hostId);
  return {
    hostId, draining: s !== null, cordoned: row.cordoned, maxParallel: s?.maxParallel ?? null,
    startedAt: s ? new Date(s.startedAt).toISOString() : null,
    ...drainProgress(s, onHost),
    inFlightContainers: s?.inFlight.map((f) => ({ containerId: f.containerId, to: f.to })) ?? [],
    blocked: s?.blocked ?? [],
  };
}

/** Every drain's step, inside the caller's (fenced) write transaction. Returns the events to publish after commit. */
export async function runDrains(tx: Db, now: number, timers: Timers = DEFAULT_TIMERS, seed = ''): Promise<ContainerEvent[]> {
  const records = await tx.select().from(drains);
  if (records.length === 0) return [];
  const events: ContainerEvent[] = [];
  for (const r of records) {
    const state = parseState(r.state);
    if (!state) {
      await deleteDrain(tx, r.hostId);
      continue;
    }
    // Read per drain: the previous drain's moves change counts and occupancy.
    const snap = await readFleetSnapshot(tx);
    const step = drainStep(state, {
      now, hosts: schedHosts(snap.hosts, now, timers), groups: snap.groups, seed,
      containers: snap.containers.map((c) => ({ id: c.id, groupId: c.groupId, hostId: c.hostId, placementGeneration: c.placementGeneration, status: c.status })),
    });
    const applied = step.actions.length > 0 ? await applyActions(tx, step.actions, now) : { skipped: [], events: [] as ContainerEvent[] };
    events.push(...applied.events);
    if (step.state === null) {
      await deleteDrain(tx, state.hostId);
      continue;
    }
    // A move someone else beat us to is not in flight: the next step looks at that container afresh.
    const skipped = new Set(applied.skipped);
    const next = { ...step.state, inFlight: step.state.inFlight.filter((f) => !skipped.has(f.containerId)) };
    if (JSON.stringify(next) !== JSON.stringify(r.state)) await saveDrain(tx, next, now);
  }
  return events;
}

export const anyDrain = async (db: Db) => (await db.select({ hostId: drains.hostId }).from(drains).limit(1)).length > 0;

/**
 * The leader's drain step (the tick calls it once per tick with its lease epoch): a cheap look, then every drain's
 * step in one transaction fenced by that epoch; a stale leader changes nothing. Publishes the events after commit.
 */
export async function drainTick(deps: Pick<Deps, 'database' | 'clock' | 'publisher' | 'logger'>, epoch: number, timers: Timers = DEFAULT_TIMERS): Promise<ContainerEvent[]> {
  if (!(await anyDrain(deps.database.db))) return [];
  const now = deps.clock.now();
  let events: ContainerEvent[];
  try {
    events = await fencedWrite(deps.database, CONTROLLER_LEASE, epoch, (tx) => runDrains(tx, now, timers, String(epoch)));
  } catch (e) {
    if (isAppError(e) && e.code === 'STALE_EPOCH') return [];
    throw e;
  }
  for (const e of events) deps.logger.info({ containerId: e.containerId, hostId: e.hostId }, e.reason);
  await publishEvents(deps, events);
  return events;
}
