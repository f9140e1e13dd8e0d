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
}

/** Returns the text exposition for GET /metrics. */
export function createMetrics(src: MetricsSources): () => Promise<string> {
  const registry = new Registry();
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
  registerTunnelMetrics(registry, src.database);

  return async () => {
    const s = src.ingestStats();
    mirror(ingested, { outcome: 'received' }, s.received, seen);
    mirror(ingested, { outcome: 'applied' }, s.applied, seen);
    mirror(ingested, { outcome: 'stale_report' }, s.staleReports, seen);
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
    const [lease] = await db.select({ epoch: leases.epoch }).from(leases).where(sql`${leases.name} = 'controller'`);
    epochG.set(lease?.epoch ?? 0);
    return registry.metrics();
  };
}
