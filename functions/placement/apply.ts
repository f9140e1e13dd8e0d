// Interim placement, applied: containers with no host, or on a host that is dead (or gone), go to pickHost's
// choice in one write transaction — placement generation bumped, the port bound there, both hosts marked dirty.
// The scheduler issue replaces this module (filters, policies, reasons, timers); keep it small until then.
import { and, asc, count, eq, inArray, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Deps } from '../deps';
import type { Db } from '../db/client';
import { containerEvents, containers, hosts, ipsecSiteConnections, ports, vpnServices } from '../db/schema';
import { markHostDirty } from '../services/hosts/write';
import { refreshNeutronStatus } from '../status/apply';
import { pickHost, type PlacementHost } from './pick';

export interface Placement {
  containerId: string;
  from: string | null;
  to: string;
}

/** Containers that need a host: none yet, or theirs is not alive (a missing host row counts as dead). */
const needsHost = or(isNull(containers.hostId), sql`coalesce((select ${hosts.alive} from ${hosts} where ${hosts.id} = ${containers.hostId}), 0) = 0`);

export async function placeContainers(deps: Pick<Deps, 'database' | 'clock'>): Promise<Placement[]> {
  // Cheap read first: almost every tick has nothing to place and must not take the write lock.
  const [any] = await deps.database.db.select({ id: containers.id }).from(containers).where(needsHost).limit(1);
  if (!any) return [];
  return deps.database.write((tx) => placeIn(tx, deps.clock.now()));
}

async function placeIn(tx: Db, now: number): Promise<Placement[]> {
  const todo = await tx.select().from(containers).where(needsHost).orderBy(asc(containers.createdAt), asc(containers.id));
  if (todo.length === 0) return [];
  const fleet: PlacementHost[] = await tx.select({
    id: hosts.id, alive: hosts.alive, cordoned: hosts.cordoned, containerWeight: hosts.containerWeight,
    containerLimit: hosts.containerLimit, enforceContainerLimit: hosts.enforceContainerLimit,
  }).from(hosts);
  const counts = new Map((await tx.select({ hostId: containers.hostId, n: count() }).from(containers)
    .where(isNotNull(containers.hostId)).groupBy(containers.hostId)).map((r) => [r.hostId!, r.n]));
  const byId = new Map(fleet.map((h) => [h.id, h]));

  const placed: Placement[] = [];
  for (const c of todo) {
    const to = pickHost(fleet, counts);
    // Nowhere to go: a container stays where it is (on its dead host it comes back with the host).
    if (!to) continue;
    const from = c.hostId;
    await tx.update(containers).set({
      hostId: to.id, placementGeneration: c.placementGeneration + 1, schedulerState: from ? 'RESCHEDULED' : 'SCHEDULED',
      // What was reported belongs to the old placement; the new host's agent reports afresh.
      status: null, statusMessage: '', namespace: null, scheduledAt: now, updatedAt: now,
    }).where(eq(containers.id, c.id));
    await tx.update(ports).set({ hostId: to.id }).where(eq(ports.id, c.portId));
    const why = from && byId.has(from) ? 'host is not alive' : 'host no longer exists';
    await tx.insert(containerEvents).values({
      containerId: c.id, at: now, type: from ? 'rescheduled' : 'scheduled', hostId: to.id,
      reason: from ? `moved from ${from} (${why}) to ${to.id}, the live host with the fewest containers` : `placed on ${to.id}, the live host with the fewest containers`,
      detail: { from, to: to.id, placementGeneration: c.placementGeneration + 1 },
    });
    if (from) {
      counts.set(from, (counts.get(from) ?? 1) - 1);
      await markHostDirty(tx, from, now);
    }
    counts.set(to.id, (counts.get(to.id) ?? 0) + 1);
    await markHostDirty(tx, to.id, now);
    placed.push({ containerId: c.id, from, to: to.id });
  }
  const routerIds = todo.filter((c) => placed.some((p) => p.containerId === c.id)).map((c) => c.configurationId);
  if (routerIds.length > 0) {
    // Tunnel reports came from the old placement: the connections wait for the new host's word.
    const services = tx.select({ id: vpnServices.id }).from(vpnServices).where(inArray(vpnServices.routerId, routerIds));
    await tx.update(ipsecSiteConnections).set({ tunnel: null }).where(and(inArray(ipsecSiteConnections.vpnServiceId, services), isNotNull(ipsecSiteConnections.tunnel)));
    await refreshNeutronStatus(tx, routerIds);
  }
  return placed;
}
