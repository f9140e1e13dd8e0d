// syncRouter: the level-triggered translation entry point (read snapshot → plan → diff → apply).
// Called inside the northbound write transaction whenever anything that shapes a router's VPN changes.
import type { Db } from '../db/client';
import type { Clock } from '../../shared/clock';
import type { Ids } from '../../shared/ids';
import { readSnapshotAfter } from './snapshot';
import type { Step } from '../db/batch';
import { planRouter } from './plan';
import { diff, hostsToMark } from './diff';
import { applyDiff } from './apply';
import type { SouthboundDiff } from './types';

export interface TranslateDeps { clock: Clock; ids: Ids }

/**
 * Brings the router's southbound objects (service port, routes, local-redirect chain and REDIRECT rules,
 * container group and container) and its VPN services' external_v4_ip/external_v6_ip in line with the
 * router's current northbound state. Idempotent; keeps ids of unchanged objects. Throws CONFLICT (writing
 * nothing, since the caller's transaction rolls back) when no link-local /30 is free or the router has no
 * external IP while it has connections; NOT_FOUND for an unknown router. Returns what it changed.
 */
export async function syncRouter(tx: Db, deps: TranslateDeps, routerId: string): Promise<SouthboundDiff> {
  return (await syncRouterWith(tx, deps, routerId, { before: [], after: [] })).changes;
}

/**
 * syncRouter in two round trips however big the router: `before` (say the create's INSERT) runs in the trip that
 * reads the snapshot, ahead of its reads; `after` (say the answer's read) in the trip that writes the diff, after
 * its writes. Their results come back as `before` and `after`.
 */
export async function syncRouterWith<const B extends readonly Step[], const A extends readonly Step[]>(
  tx: Db, deps: TranslateDeps, routerId: string, extra: { before: B; after: A },
) {
  const now = deps.clock.now();
  const { snapshot, before } = await readSnapshotAfter(tx, routerId, now, extra.before);
  const changes = diff(snapshot.current, planRouter(snapshot, deps.ids));
  const after = await applyDiff(tx, changes, now, hostsToMark(snapshot.current), extra.after);
  return { changes, before, after };
}
