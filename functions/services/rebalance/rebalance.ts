// POST /v1/rebalance: plan (functions/controller/rebalance.ts) over a snapshot read in one write transaction and,
// unless it is a dry run, make the moves in that same transaction through the controller's placement writes
// (generation-checked: a container someone moved meanwhile is left alone and not reported as moved).
import { z } from 'zod';
import type { Deps } from '../../deps';
import { applyActions } from '../../controller/apply';
import { planRebalance, type RebalanceMove } from '../../controller/rebalance';
import { readFleetSnapshot, schedHosts } from '../../controller/snapshot';
import { DEFAULT_TIMERS, type Action, type Timers } from '../../controller/types';
import { publishEvents } from '../events/publish';

export const rebalanceBody = z.strictObject({
  dryRun: z.boolean().default(true),
  maxMoves: z.int().min(0).max(100_000).default(10),
});
export type RebalanceBody = z.infer<typeof rebalanceBody>;

const view = (m: RebalanceMove) => ({ containerId: m.containerId, from: m.from, to: m.to, reason: m.reason });

function actionsOf(moves: readonly RebalanceMove[]): Action[] {
  return moves.flatMap((m): Action[] => [
    { type: 'reschedule', containerId: m.containerId, from: m.from, to: m.to, fromGeneration: m.fromGeneration, placementGeneration: m.placementGeneration, reason: `rebalance: ${m.reason}`, decision: m.decision },
    { type: 'event', eventType: 'rescheduled', containerId: m.containerId, hostId: m.to, reason: `rebalance: moved from ${m.from} to ${m.to}; ${m.reason}`, detail: { ...m.decision, from: m.from, rebalance: true } },
  ]);
}

export async function rebalance(deps: Pick<Deps, 'database' | 'clock' | 'publisher'>, body: RebalanceBody, timers: Timers = DEFAULT_TIMERS) {
  const now = deps.clock.now();
  const plan = async (db: Parameters<typeof readFleetSnapshot>[0]) => {
    const snap = await readFleetSnapshot(db);
    const moves = planRebalance({
      now, hosts: schedHosts(snap.hosts, now, timers), groups: snap.groups, seed: `rebalance:${now}`,
      containers: snap.containers.map((c) => ({ ...c, routerId: snap.rows.get(c.id)!.configurationId })),
    }, body.maxMoves);
    return moves;
  };
  if (body.dryRun || body.maxMoves === 0) return { moves: (await plan(deps.database.db)).map(view), dryRun: body.dryRun };
  const { moves, events } = await deps.database.write(async (tx) => {
    const planned = await plan(tx);
    const r = await applyActions(tx, actionsOf(planned), now);
    const skipped = new Set(r.skipped);
    return { moves: planned.filter((m) => !skipped.has(m.containerId)), events: r.events };
  });
  await publishEvents(deps, events);
  return { moves: moves.map(view), dryRun: false };
}
