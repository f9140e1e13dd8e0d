// Prometheus metrics for `berth serve` (prom-client): ingest counters from memory, fleet and container gauges
// read from the database at scrape time (any replica answers the same), and Node's process metrics.
import { count, sql } from 'drizzle-orm';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Database } from '../db/client';
import { containers, dirtyHosts, hosts, leases } from '../db/schema';
import type { IngestStats } from '../ingest/batcher';
import { registerTunnelMetrics } from './tunnel-metrics';

export interface MetricsSources {
  database: Database;
  ingestStats(): IngestStats;
  /** The registry the observer (functions/node/observer.ts) records into; default: a new one. */
  registry?: Registry;
  clock?: () => number;
}

/** Returns the text exposition for GET /metrics. */
export function createMetrics(src: MetricsSources): () => Promise<string> {
  const registry = src.registry ?? new Registry();
  const now = src.clock ?? Date.now;
  collectDefaultMetrics({ register: registry, prefix: 'berth_process_' });

  // Counters mirror the batcher's own totals: set by difference at scrape so they only ever rise.
  const mirror = (c: Counter<string>, labels: Record<string, string>, total: number, seen: Map<string, number>) => {
    const key = JSON.stringify(labels);
    const delta = total - (seen.get(key) ?? 0);
    if (delta > 0) c.inc(labels, delta);
    seen.set(key, total);
  };
  const seen = new Map<string, number>();
  const ingested = new Counter({ name: 'berth_ingest_messages_total', help: 'Agent messages received by this replica, by outcome', labelNames: ['outcome'], registers: [registry] });
  const dropped = new Counter({ name: 'berth_ingest_dropped_total', help: 'Agent messages dropped (malformed, unauthorised, or queue_full while the database lags), by reason', labelNames: ['reason'], registers: [registry] });
  const batches = new Counter({ name: 'berth_ingest_batches_total', help: 'Ingest write transactions, by result', labelNames: ['result'], registers: [registry] });
  const hostsG = new Gauge({ name: 'berth_hosts', help: 'Hosts known to berth, by liveness', labelNames: ['alive'], registers: [registry] });
  const containersG = new Gauge({ name: 'berth_containers', help: 'Service containers, by scheduler state and status', labelNames: ['scheduler_state', 'status'], registers: [registry] });
  const dirtyG = new Gauge({ name: 'berth_outbox_dirty_hosts', help: 'Hosts whose desired document awaits publication', registers: [registry] });
  const epochG = new Gauge({ name: 'berth_controller_epoch', help: 'Epoch of the controller lease', registers: [registry] });
  const perHost = {
    up: new Gauge({ name: 'berth_host_up', help: 'Whether the host is alive (1) or dead (0)', labelNames: ['host'], registers: [registry] }),
    containers: new Gauge({ name: 'berth_host_containers', help: 'Containers placed on the host', labelNames: ['host'], registers: [registry] }),
    weight: new Gauge({ name: 'berth_host_container_weight', help: 'The host\'s container weight', labelNames: ['host'], registers: [registry] }),
    limit: new Gauge({ name: 'berth_host_container_limit', help: 'The host\'s container limit (-1: none)', labelNames: ['host'], registers: [registry] }),
    cordoned: new Gauge({ name: 'berth_host_cordoned', help: 'Whether the host is cordoned (1) or not (0)', labelNames: ['host'], registers: [registry] }),
    load: new Gauge({ name: 'berth_host_load', help: 'The load the host\'s agent last reported', labelNames: ['host'], registers: [registry] }),
    heartbeatAge: new Gauge({ name: 'berth_host_heartbeat_age_seconds', help: 'Seconds since the host\'s last heartbeat', labelNames: ['host'], registers: [registry] }),
  };
  registerTunnelMetrics(registry, src.database);

  return async () => {
    const s = src.ingestStats();
    mirror(ingested, { outcome: 'received' }, s.received, seen);
    mirror(ingested, { outcome: 'applied' }, s.applied, seen);
    mirror(ingested, { outcome: 'stale_report' }, s.staleReports, seen);
    mirror(ingested, { outcome: 'left_to_leader' }, s.leftToLeader, seen);
    for (const [reason, n] of Object.entries(s.dropped)) mirror(dropped, { reason }, n, seen);
    mirror(batches, { result: 'ok' }, s.batches, seen);
    mirror(batches, { result: 'failed' }, s.failedBatches, seen);

    const db = src.database.db;
    hostsG.reset();
    for (const r of await db.select({ alive: hosts.alive, n: count() }).from(hosts).groupBy(hosts.alive)) hostsG.set({ alive: String(r.alive) }, r.n);
    containersG.reset();
    const byState = await db.select({ s: containers.schedulerState, st: sql<string>`coalesce(${containers.status}, 'NONE')`, n: count() })
      .from(containers).groupBy(containers.schedulerState, containers.status);
    for (const r of byState) containersG.set({ scheduler_state: r.s, status: r.st }, r.n);
    dirtyG.set((await db.select({ n: count() }).from(dirtyHosts))[0]?.n ?? 0);
    for (const g of Object.values(perHost)) g.reset();
    const placed = new Map((await db.select({ h: containers.hostId, n: count() }).from(containers).groupBy(containers.hostId)).map((r) => [r.h, r.n]));
    for (const h of await db.select().from(hosts)) {
      const host = { host: h.id };
      perHost.up.set(host, h.alive ? 1 : 0);
      perHost.containers.set(host, placed.get(h.id) ?? 0);
      perHost.weight.set(host, h.containerWeight);
      perHost.limit.set(host, h.containerLimit);
      perHost.cordoned.set(host, h.cordoned ? 1 : 0);
      if (h.load !== null) perHost.load.set(host, h.load);
      if (h.lastHeartbeatAt !== null) perHost.heartbeatAge.set(host, Math.max(0, (now() - h.lastHeartbeatAt) / 1000));
    }
    const [lease] = await db.select({ epoch: leases.epoch }).from(leases).where(sql`${leases.name} = 'controller'`);
    epochG.set(lease?.epoch ?? 0);
    return registry.metrics();
  };
}
