// Per-connection tunnel metrics (issue 11), read from the database at scrape time like the fleet gauges (any
// replica answers the same): what the agents last reported of each IPsec site connection's tunnel. Registered
// beside metrics.ts's own series with one call, registerTunnelMetrics(registry, database).
//
// The byte and packet counters are the agent's own (strongSwan's per-CHILD_SA counters): they restart from 0 when
// an SA is rekeyed or the container moves, which Prometheus's rate() and increase() treat as counter resets.
import { isNotNull } from 'drizzle-orm';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Database } from '../db/client';
import { ipsecSiteConnections, type TunnelReport } from '../db/schema';

const LABELS = ['connection', 'vpnservice', 'host'] as const;
type Labels = Record<(typeof LABELS)[number], string>;
interface Row { labels: Labels; tunnel: TunnelReport }

const COUNTERS = [
  ['berth_tunnel_bytes_in_total', 'bytesIn', 'Bytes received through the connection\'s current CHILD_SAs, as its agent last reported'],
  ['berth_tunnel_bytes_out_total', 'bytesOut', 'Bytes sent through the connection\'s current CHILD_SAs, as its agent last reported'],
  ['berth_tunnel_packets_in_total', 'packetsIn', 'Packets received through the connection\'s current CHILD_SAs, as its agent last reported'],
  ['berth_tunnel_packets_out_total', 'packetsOut', 'Packets sent through the connection\'s current CHILD_SAs, as its agent last reported'],
] as const;

const seconds = (ms: number | null | undefined) => (typeof ms === 'number' ? ms / 1000 : null);

export function registerTunnelMetrics(registry: Registry, database: Database): void {
  // One database read per scrape, shared by every series below: prom-client starts all collects in one synchronous
  // pass (Promise.all), so the read is forgotten at the next microtask and the next scrape reads afresh.
  let pending: Promise<Row[]> | null = null;
  const rows = (): Promise<Row[]> => {
    if (!pending) {
      pending = read(database);
      queueMicrotask(() => { pending = null; });
    }
    return pending;
  };

  new Gauge({
    name: 'berth_tunnel_up', help: 'Whether the connection\'s tunnel is up (IKE and CHILD SAs), as its agent last reported (1 up, 0 not)',
    labelNames: LABELS, registers: [registry],
    async collect() {
      this.reset();
      for (const r of await rows()) this.set(r.labels, r.tunnel.state === 'up' ? 1 : 0);
    },
  });
  for (const [name, field, help] of COUNTERS) {
    new Counter({
      name, help, labelNames: LABELS, registers: [registry],
      async collect() {
        this.reset();
        for (const r of await rows()) {
          const v = r.tunnel[field];
          if (typeof v === 'number') this.inc(r.labels, v);
        }
      },
    });
  }
  const timestamp = (name: string, help: string, field: 'establishedAt' | 'lastRekeyAt') => new Gauge({
    name, help, labelNames: LABELS, registers: [registry],
    async collect() {
      this.reset();
      for (const r of await rows()) {
        const s = seconds(r.tunnel[field]);
        if (s !== null) this.set(r.labels, s);
      }
    },
  });
  timestamp('berth_tunnel_established_timestamp_seconds', 'When the connection\'s IKE_SA was established (Unix time)', 'establishedAt');
  timestamp('berth_tunnel_last_rekey_timestamp_seconds', 'When the connection\'s current CHILD_SA keys were installed: its last rekey, or the first negotiation (Unix time)', 'lastRekeyAt');
  new Gauge({
    name: 'berth_tunnel_report_timestamp_seconds', help: 'When the control plane last accepted a report of the connection\'s tunnel (Unix time)',
    labelNames: LABELS, registers: [registry],
    async collect() {
      this.reset();
      for (const r of await rows()) if (r.tunnel.reportedAt !== undefined) this.set(r.labels, r.tunnel.reportedAt / 1000);
    },
  });
}

async function read(database: Database): Promise<Row[]> {
  const found = await database.db.select({ id: ipsecSiteConnections.id, vpnServiceId: ipsecSiteConnections.vpnServiceId, tunnel: ipsecSiteConnections.tunnel })
    .from(ipsecSiteConnections).where(isNotNull(ipsecSiteConnections.tunnel));
  return found.filter((r) => r.tunnel !== null).map((r) => ({
    labels: { connection: r.id, vpnservice: r.vpnServiceId, host: r.tunnel!.hostId ?? '' },
    tunnel: r.tunnel!,
  }));
}
