// Container status reports → containers and connection tunnels (batched, inside the caller's transaction).
// A report counts only from the host the container is placed on and for its current placement generation;
// anything else (a late report about an old placement, a host speaking about containers it does not hold) is
// ignored. The report is the host's COMPLETE list: a container it reported before and now leaves out is gone.
import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client';
import { containerEvents, containers, ipsecSiteConnections, vpnServices, type TunnelReport as TunnelColumn } from '../db/schema';
import { PROTOCOL_VERSION, type ContainerReport, type StatusMessage, type TunnelTelemetry } from '../../shared/protocol/messages';
import { refreshNeutronStatus } from '../status/apply';

type ContainerRow = typeof containers.$inferSelect;

export interface StatusOutcome {
  applied: number;
  /** The accepted tunnel reports, as telemetry consumers get them (berth/v1/telemetry/tunnels/{connectionId}). */
  telemetry: TunnelTelemetry[];
  /** Reports about containers not placed on the reporting host, or for another placement generation. */
  ignored: number;
  /** Containers RUNNING for the first time since the controller moved them (functions/ingest/failover.ts). */
  recovered: string[];
}

/** Message a container gets when its host's complete report no longer lists it. */
export const VANISHED = 'NOT_FOUND: the host no longer reports this container';

export async function applyStatusReports(tx: Db, latest: ReadonlyMap<string, StatusMessage>, now: number): Promise<StatusOutcome> {
  const hostIds = [...latest.keys()];
  if (hostIds.length === 0) return { applied: 0, ignored: 0, recovered: [], telemetry: [] };
  const placed = await tx.select().from(containers).where(inArray(containers.hostId, hostIds));
  const placedOn = new Map<string, ContainerRow[]>();
  for (const c of placed) (placedOn.get(c.hostId!) ?? placedOn.set(c.hostId!, []).get(c.hostId!)!).push(c);
  const routerIds = [...new Set(placed.map((c) => c.configurationId))];
  const connRouter = await connectionsByRouter(tx, routerIds);
  const touched = new Set<string>();
  let applied = 0;
  let reported = 0;
  const recovered: string[] = [];
  const telemetry: TunnelTelemetry[] = [];

  for (const [hostId, msg] of latest) {
    reported += msg.containers.length;
    const reports = new Map(msg.containers.map((r) => [r.id, r]));
    for (const c of placedOn.get(hostId) ?? []) {
      const r = reports.get(c.id);
      if (r && r.placementGeneration === c.placementGeneration) {
        if (r.status === 'RUNNING' && c.schedulerState === 'RESCHEDULED') recovered.push(c.id);
        telemetry.push(...await applyReport(tx, c, r, connRouter, now));
        applied++;
        touched.add(c.configurationId);
      } else if (!r && reportedThisPlacement(c, hostId) && c.status !== 'STOPPED') {
        await setStatus(tx, c, { status: 'STOPPED', statusMessage: VANISHED, namespace: null }, hostId, now);
        touched.add(c.configurationId);
      }
    }
  }
  await refreshNeutronStatus(tx, touched);
  return { applied, ignored: reported - applied, recovered, telemetry };
}

/** The host has reported on this very placement before (so silence about it now means it is gone). */
const reportedThisPlacement = (c: ContainerRow, hostId: string) =>
  c.reportedHostId === hostId && c.reportedAt !== null && c.reportedAt >= (c.scheduledAt ?? 0);

async function applyReport(tx: Db, c: ContainerRow, r: ContainerReport, connRouter: ReadonlyMap<string, string>, now: number): Promise<TunnelTelemetry[]> {
  await setStatus(tx, c, {
    status: r.status, statusMessage: r.message, namespace: r.namespace,
    interfaceName: r.interfaceName ?? c.interfaceName,
    ...(r.status === 'RUNNING' && c.schedulerState !== 'UP' ? { schedulerState: 'UP' } : {}),
  }, c.hostId!, now);
  const accepted: TunnelTelemetry[] = [];
  for (const t of r.tunnels ?? []) {
    // Only connections of this container's router: a report cannot touch anyone else's.
    if (connRouter.get(t.connectionId) !== c.configurationId) continue;
    const { connectionId, ...fields } = t;
    const tunnel: TunnelColumn = { ...fields, hostId: c.hostId!, reportedAt: now };
    await tx.update(ipsecSiteConnections).set({ tunnel }).where(eq(ipsecSiteConnections.id, connectionId));
    accepted.push({ v: PROTOCOL_VERSION, at: now, hostId: c.hostId!, containerId: c.id, ...t });
  }
  return accepted;
}

/** The columns a report writes; a report that changes none of them writes nothing (reportedAt = since when). */
const REPORTED = ['status', 'statusMessage', 'namespace', 'interfaceName', 'schedulerState'] as const;

async function setStatus(tx: Db, c: ContainerRow, set: Partial<ContainerRow>, hostId: string, now: number) {
  // The periodic repeat of the same status keeps reportedAt where the status began: the controller times a
  // self-fenced container from it (functions/controller/snapshot.ts), and ingest writes nothing it need not.
  if (c.reportedHostId === hostId && REPORTED.every((k) => set[k] === undefined || set[k] === c[k])) return;
  await tx.update(containers).set({ ...set, reportedHostId: hostId, reportedAt: now })
    .where(and(eq(containers.id, c.id), eq(containers.placementGeneration, c.placementGeneration)));
  // The history keeps transitions, not the periodic repeats of the same status.
  if (set.status !== c.status || set.statusMessage !== c.statusMessage) {
    await tx.insert(containerEvents).values({
      containerId: c.id, at: now, type: 'status', hostId,
      reason: set.statusMessage ? `${set.status}: ${set.statusMessage}` : `${set.status}`,
      detail: { status: set.status ?? null, placementGeneration: c.placementGeneration },
    });
  }
}

/** connection id → router id, for the given routers. */
async function connectionsByRouter(tx: Db, routerIds: string[]): Promise<Map<string, string>> {
  if (routerIds.length === 0) return new Map();
  const rows = await tx.select({ id: ipsecSiteConnections.id, routerId: vpnServices.routerId }).from(ipsecSiteConnections)
    .innerJoin(vpnServices, eq(vpnServices.id, ipsecSiteConnections.vpnServiceId))
    .where(inArray(vpnServices.routerId, routerIds));
  return new Map(rows.map((r) => [r.id, r.routerId]));
}
