// Tunnel telemetry through the control plane (issue 11): an accepted report's counters and rekey time land on the
// connection, are republished on berth/v1/telemetry/tunnels/{id} (only from the placed host), and show in /metrics.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, SCRAPE } from '../../test/helpers/harness';
import { connectionBody, ok, vpnWorld } from '../services/site-connections/test-kit';
import { insertHost } from '../services/hosts/test-fixtures';
import { containers, ipsecSiteConnections } from '../db/schema';
import { ManualClock } from '../../shared/clock';
import { decodeMessage, zTunnelTelemetry, type ContainerReport, type TunnelReport } from '../../shared/protocol/messages';
import { Controller } from '../controller/tick';
import type { Publisher } from '../deps';
import { createMetrics } from '../node/metrics';
import { IngestBatcher } from './batcher';

describe('tunnel telemetry', () => {
  let t: TestApp;
  let clock: ManualClock;
  let ingest: IngestBatcher;
  let connId: string;
  let box: typeof containers.$inferSelect;
  const published: { topic: string; payload: string; qos: number; retain: boolean }[] = [];
  const publisher: Publisher = { publish: async (topic, payload, o) => { published.push({ topic, payload, ...o }); } };
  const tunnel = (o: Partial<TunnelReport> = {}): TunnelReport => ({
    connectionId: connId, state: 'up', ikeState: 'ESTABLISHED', childState: 'INSTALLED',
    bytesIn: 1500, bytesOut: 900, packetsIn: 10, packetsOut: 6, establishedAt: clock.now() - 60_000, lastRekeyAt: clock.now() - 5_000, ...o,
  });
  const status = (hostId: string, tunnels: TunnelReport[]) => JSON.stringify({
    v: 1, hostId, bootId: 'boot-1',
    containers: [{ id: box.id, placementGeneration: box.placementGeneration, status: 'RUNNING', message: '1/1 tunnels up', namespace: 'vpn-ns', interfaceName: box.interfaceName, tunnels } satisfies ContainerReport],
  });
  const send = async (hostId: string, payload: string) => {
    ingest.offer(`berth/v1/hosts/${hostId}/status`, payload);
    await ingest.flush();
  };

  beforeEach(async () => {
    published.length = 0;
    clock = new ManualClock(1_700_000_000_000);
    t = await createTestApp({ clock });
    ingest = new IngestBatcher({ ...t.deps, publisher });
    t.deps.metrics = createMetrics({ database: t.deps.database, ingestStats: () => ingest.stats() });
    const w = await vpnWorld(t);
    await insertHost(t.deps.database.db, 'host0', { alive: true, lastSeenAt: clock.now() });
    connId = (await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token))).id;
    await new Controller(t.deps, { holder: 'test' }).tick();
    [box] = await t.deps.database.db.select().from(containers);
    expect(box.hostId).toBe('host0');
  });
  afterEach(() => t.close());

  it('lands on the connection, makes it ACTIVE, is republished for consumers and scraped as per-connection series', async () => {
    await send('host0', status('host0', [tunnel()]));
    const [row] = await t.deps.database.db.select().from(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, connId));
    expect(row.status).toBe('ACTIVE');
    expect(row.tunnel).toMatchObject({ state: 'up', bytesIn: 1500, lastRekeyAt: clock.now() - 5_000, hostId: 'host0', reportedAt: clock.now() });
    const [container] = await t.deps.database.db.select().from(containers);
    expect(container.statusMessage).toBe('1/1 tunnels up');

    expect(published.map((p) => [p.topic, p.qos, p.retain])).toEqual([[`berth/v1/telemetry/tunnels/${connId}`, 0, false]]);
    const msg = decodeMessage(zTunnelTelemetry, published[0].payload);
    expect(msg.ok && msg.value).toEqual({ v: 1, at: clock.now(), hostId: 'host0', containerId: box.id, ...tunnel() });
    expect(published[0].payload).not.toMatch(/psk|secret/i);

    const text = await (await t.app.request('/metrics', SCRAPE)).text();
    const labels = `connection="${connId}",vpnservice="${row.vpnServiceId}",host="host0"`;
    expect(text).toContain('# TYPE berth_tunnel_bytes_in_total counter');
    expect(text).toContain(`berth_tunnel_bytes_in_total{${labels}} 1500`);
    expect(text).toContain(`berth_tunnel_packets_out_total{${labels}} 6`);
    expect(text).toContain(`berth_tunnel_up{${labels}} 1`);
    expect(text).toContain(`berth_tunnel_last_rekey_timestamp_seconds{${labels}} ${(clock.now() - 5_000) / 1000}`);

    // Counters grow; a tunnel that goes down reads 0.
    clock.advance(2000);
    await send('host0', status('host0', [tunnel({ state: 'connecting', bytesIn: 4000 })]));
    const again = await (await t.app.request('/metrics', SCRAPE)).text();
    expect(again).toContain(`berth_tunnel_bytes_in_total{${labels}} 4000`);
    expect(again).toContain(`berth_tunnel_up{${labels}} 0`);
  });

  it('a host the container is not placed on is neither stored nor republished', async () => {
    await insertHost(t.deps.database.db, 'host1', { alive: true, lastSeenAt: clock.now() });
    await send('host1', status('host1', [tunnel({ bytesIn: 999_999 })]));
    const [row] = await t.deps.database.db.select().from(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, connId));
    expect(row.tunnel).toBeNull();
    expect(published).toEqual([]);
    expect(await (await t.app.request('/metrics', SCRAPE)).text()).not.toContain('999999');
  });
});
