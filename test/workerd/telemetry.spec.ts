// Tunnel telemetry on Workers (issue 11 on the serverless deployment): a status report delivered over HTTP
// (POST /v1/agent-events) whose tunnel report the ingest accepts is republished on
// berth/v1/telemetry/tunnels/{connectionId}, as berth serve's ingest does — heard by the read-only telemetry
// consumer (user `telemetry`) on the real broker; a report from a host the container is not placed on is not.
import { sql } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createSeedVpn } from '../../functions/node/seed-vpn';
import type { ContainerReport, TunnelReport } from '../../shared/protocol/messages';
import { agentListener, api, call, heartbeat, ingest, openDb, presence, unique, until } from './kit';

const status = (hostId: string, c: { id: string; placementGeneration: number; interfaceName: string }, tunnels: TunnelReport[]) => ({
  topic: `berth/v1/hosts/${hostId}/status`,
  payload: JSON.stringify({
    v: 1, hostId, bootId: `${hostId}-boot`,
    containers: [{ id: c.id, placementGeneration: c.placementGeneration, status: 'RUNNING', message: '1/1 tunnels up', namespace: 'vpn-ns', interfaceName: c.interfaceName, tunnels } satisfies ContainerReport],
  }),
});

describe('tunnel telemetry from the Worker (workerd, real broker)', () => {
  it('an accepted tunnel report delivered over HTTP reaches a telemetry consumer on berth/v1/telemetry/tunnels/{id}', async () => {
    // Hosts other spec files registered no longer report: keep the scheduler off them.
    const db = await openDb();
    try {
      await db.write((tx) => tx.run(sql`UPDATE hosts SET cordoned = 1`));
    } finally {
      db.close();
    }
    const [host, other] = [unique('wt'), unique('wt')];
    expect((await ingest([presence(host, true), heartbeat(host), presence(other, true), heartbeat(other)])).body.accepted).toBe(4);
    await call('PATCH', `/v1/hosts/${other}`, { cordoned: true });
    const vpn = await createSeedVpn(api);
    // Heartbeats keep the host eligible while the Worker's pass (after the API writes) places the container.
    const container = await until('the container placed on the host', async () => {
      await ingest([heartbeat(host)]);
      const c = (await call('GET', '/v1/containers')).body.containers.find((x: { configurationId: string }) => x.configurationId === vpn.routerId);
      return c?.hostId === host ? c : undefined;
    });

    const consumer = await agentListener('telemetry');
    onTestFinished(() => consumer.close());
    const tunnel: TunnelReport = {
      connectionId: vpn.connectionId, state: 'up', ikeState: 'ESTABLISHED', childState: 'INSTALLED',
      bytesIn: 1500, bytesOut: 900, packetsIn: 10, packetsOut: 6, establishedAt: Date.now() - 60_000, lastRekeyAt: Date.now() - 5_000,
    };
    // The same report from a host the container is not placed on is refused (stale), so it publishes nothing.
    expect((await ingest([status(other, container, [{ ...tunnel, bytesIn: 7 }])])).body.accepted).toBe(1);
    expect((await ingest([status(host, container, [tunnel])])).body.accepted).toBe(1);

    const heard = await until('the telemetry message at the consumer', async () => (await consumer.docs()).find((d) => d.topic === `berth/v1/telemetry/tunnels/${vpn.connectionId}`));
    expect(heard.message).toMatchObject({ v: 1, hostId: host, containerId: container.id, connectionId: vpn.connectionId, state: 'up', bytesIn: 1500, packetsOut: 6 });
    expect(JSON.stringify(heard.message)).not.toMatch(/psk|secret/i);
    // The connection is ACTIVE on the tunnel report, as on berth serve.
    expect((await call('GET', `/v2.0/vpn/ipsec-site-connections/${vpn.connectionId}`)).body.ipsec_site_connection.status).toBe('ACTIVE');
    await new Promise((r) => setTimeout(r, 300));
    expect((await consumer.docs()).filter((d) => d.message.bytesIn === 7)).toEqual([]);
  });
});
