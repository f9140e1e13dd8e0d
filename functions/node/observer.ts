// The prom-client side of functions/observe.ts for `berth serve`: histograms and counters in this replica's
// registry (each replica is scraped on its own; sum across replicas in PromQL).
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Observer } from '../observe';
import { HOST_DEAD } from '../controller/plan';

const FAST = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const FAILOVER = [0.25, 0.5, 1, 1.5, 2, 3, 4, 5, 7.5, 10, 15, 30, 60];

export function createNodeObserver(registry: Registry): Observer {
  const registers = [registry];
  const http = new Histogram({ name: 'berth_http_request_duration_seconds', help: 'API request latency (to the response headers), by route pattern', labelNames: ['method', 'route', 'status'], buckets: FAST, registers });
  const step = new Histogram({ name: 'berth_controller_step_duration_seconds', help: 'Duration of one controller step, by whether this replica led', labelNames: ['leader'], buckets: FAST, registers });
  const failover = new Histogram({ name: 'berth_failover_duration_seconds', help: 'From the last time a dead host was heard to its container RUNNING on another host', buckets: FAILOVER, registers });
  const lag = new Histogram({ name: 'berth_ingest_lag_seconds', help: 'How long the oldest agent message of an ingest batch waited until the batch committed', buckets: FAST, registers });
  const relay = new Histogram({ name: 'berth_relay_publish_duration_seconds', help: 'Time to hand one desired document to the broker, by result', labelNames: ['result'], buckets: FAST, registers });
  const placements = new Counter({ name: 'berth_placements_total', help: 'Containers placed by the controller: scheduled (first placement) or rescheduled (moved)', labelNames: ['kind'], registers });
  const failovers = new Counter({ name: 'berth_failovers_total', help: 'Containers moved off a host because it died', registers });
  const events = new Counter({ name: 'berth_controller_events_total', help: 'Events the controller recorded, by type', labelNames: ['type'], registers });

  return {
    httpRequest: (o) => http.observe({ method: o.method, route: o.route, status: String(o.status) }, o.seconds),
    controllerStep: (o) => {
      step.observe({ leader: String(o.leader) }, o.seconds);
      for (const e of o.events) {
        events.inc({ type: e.type });
        if (e.type === 'scheduled' || e.type === 'rescheduled') placements.inc({ kind: e.type });
        if (e.type === 'rescheduled' && e.reason.endsWith(HOST_DEAD)) failovers.inc();
      }
    },
    failover: (s) => failover.observe(s),
    ingestBatch: (o) => lag.observe(o.lagSeconds),
    relayPublish: (o) => relay.observe({ result: o.ok ? 'ok' : 'failed' }, o.seconds),
  };
}
