import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { createSeedVpn } from '../../node/seed-vpn';
import { topologyResponse } from '../../../shared/model/topology';
import { containers, ipsecSiteConnections, ports } from '../../db/schema';
import { insertHost } from '../../services/hosts/test-fixtures';
import { Controller } from '../../controller/tick';
import { runRelay } from '../../relay/relay';
import { markHostDirty } from '../../services/hosts/write';
import { RecordingPublisher } from '../../relay/test-fixtures';

describe('GET /v1/topology', () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('shows the seed VPN: router, gateway, subnet, service, connection with its peer CIDRs, and the container — no PSK', async () => {
    expect((await t.req('GET', '/v1/topology')).body).toEqual({ routers: [] });
    const seed = await createSeedVpn((m, p, b) => t.req(m, p, b));
    const { status, body, text } = await t.req('GET', '/v1/topology');
    expect(status).toBe(200);
    expect(topologyResponse.parse(body)).toEqual(body);
    expect(body.routers).toHaveLength(1);
    const r = body.routers[0];
    expect(r).toMatchObject({
      id: seed.routerId, name: 'mercury-router',
      gateway: { networkName: 'public', ips: ['1.0.0.2'] },
      subnets: [{ cidr: '192.168.1.0/24', gatewayIp: '192.168.1.1' }],
      vpnServices: [{ id: seed.vpnServiceId, name: 'mercury', externalIp: '1.0.0.2', connections: [{ name: 'to-venus', peerAddress: '1.0.0.3', peerCidrs: ['192.168.2.0/24'] }] }],
      container: { hostId: null, schedulerState: 'DOWN' },
    });
    expect(text).not.toContain('s3cret-demo-psk');
    expect(text).not.toMatch(/psk/i);
  });

  it('says why a connection or VPN service is ERROR: the status_reason Neutron shows, null while nothing is wrong', async () => {
    const db = t.deps.database.db;
    await insertHost(db, 'host0', { alive: true, lastSeenAt: Date.now() });
    const seed = await createSeedVpn((m, p, b) => t.req(m, p, b));
    await new Controller(t.deps, { holder: 'test' }).tick();
    // The relay sends what is dirty: each pass re-reads host0's whole document, as after any write.
    const relay = async () => {
      await t.deps.database.write((tx) => markHostDirty(tx, 'host0', Date.now()));
      await runRelay({ ...t.deps, publisher: new RecordingPublisher() });
    };
    await relay();
    const shown = async () => {
      const { body } = await t.req('GET', '/v1/topology');
      const svc = topologyResponse.parse(body).routers[0].vpnServices[0];
      return { svc, conn: svc.connections[0], box: body.routers[0].container };
    };
    expect(await shown()).toMatchObject({ svc: { statusReason: null }, conn: { statusReason: null }, box: { hostId: 'host0', statusMessage: '' } });

    // A PSK that cannot be decrypted: the relay leaves the connection out of host0's document.
    const [row] = await db.select().from(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, seed.connectionId));
    await db.update(ipsecSiteConnections).set({ pskCiphertext: `${row.pskCiphertext.slice(0, -4)}AAAA` }).where(eq(ipsecSiteConnections.id, row.id));
    await relay();
    const neutron = (await t.req('GET', `/v2.0/vpn/ipsec-site-connections/${seed.connectionId}`)).body.ipsec_site_connection;
    let now = await shown();
    expect(now.conn).toMatchObject({ status: 'ERROR', statusReason: expect.stringMatching(/^cannot be sent to its host: its pre-shared key cannot be decrypted/) });
    expect(now.conn.statusReason).toBe(neutron.status_reason);
    expect(now.svc.statusReason).toBeNull();

    // A container that cannot be sent at all: its VPN service says why too.
    const [box] = await db.select().from(containers);
    await db.update(ports).set({ interfaceName: 'not an interface name!' }).where(eq(ports.id, box.portId));
    await relay();
    now = await shown();
    expect(now.svc).toMatchObject({ status: 'ERROR', statusReason: expect.stringMatching(/^cannot be sent to its host/) });
    expect(JSON.stringify(now)).not.toContain(row.pskCiphertext);
  });

  it('is for operators only', async () => {
    expect((await t.req('GET', '/v1/topology', undefined, await t.tenantToken('t1'))).status).toBe(403);
  });
});
