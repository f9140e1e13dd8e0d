// The outbox relay over a real database: what a host's agent receives, when, and that nothing is lost or leaked.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { connectionBody, ok, PSK, vpnWorld, type VpnWorld } from '../services/site-connections/test-kit';
import { insertHost } from '../services/hosts/test-fixtures';
import { markHostDirty } from '../services/hosts/write';
import { containers, dirtyHosts, hosts, leases } from '../db/schema';
import type { Logger } from '../../shared/logger';
import { Controller } from '../controller/tick';
import { markAllHostsDirty, runRelay } from './relay';
import { RecordingPublisher } from './test-fixtures';

describe('relay', () => {
  let t: TestApp;
  let w: VpnWorld;
  let pub: RecordingPublisher;
  let logs: string[];
  const db = () => t.deps.database.db;
  const relay = () => runRelay({ ...t.deps, publisher: pub, logger: capture });
  const capture: Logger = {
    debug: (o, m) => logs.push(JSON.stringify([m, o])), info: (o, m) => logs.push(JSON.stringify([m, o])),
    warn: (o, m) => logs.push(JSON.stringify([m, o])), error: (o, m) => logs.push(JSON.stringify([m, o])),
  };
  const dirty = async () => (await db().select().from(dirtyHosts)).map((d) => d.hostId).sort();

  beforeEach(async () => {
    pub = new RecordingPublisher();
    logs = [];
    t = await createTestApp();
    w = await vpnWorld(t);
    await insertHost(db(), 'host0', { alive: true, lastSeenAt: Date.now() });
  });
  afterEach(() => t.close());

  /** The seed's connection, its container placed on host0 by the controller. */
  async function placedVpn() {
    const conn = await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token));
    expect((await new Controller(t.deps, { holder: 'test' }).tick()).applied.filter((a) => a.type === 'place')).toHaveLength(1);
    return conn;
  }

  it('publishes the complete desired document of a dirty host, retained at QoS 1, and clears the mark', async () => {
    const conn = await placedVpn();
    expect(await dirty()).toEqual(['host0']);
    const r = await relay();
    expect(r.published).toEqual(['host0']);
    expect(pub.sent).toHaveLength(1);
    expect(pub.sent[0].topic).toBe('berth/v1/hosts/host0/desired');
    expect(pub.sent[0].opts).toEqual({ qos: 1, retain: true });
    const [doc] = pub.docs();
    const [box] = await db().select().from(containers);
    expect(doc).toMatchObject({ v: 1, hostId: 'host0', epoch: 1, generation: 1 }); // epoch: the placing controller's lease
    expect(doc.containers).toHaveLength(1);
    const c = doc.containers[0];
    expect(c).toMatchObject({ id: box.id, type: 'IPSEC', portId: box.portId, placementGeneration: 1 });
    expect(c.interfaceName).toMatch(/^vpn-[0-9a-f]{8}$/);
    expect(c.config).toMatchObject({
      routerId: w.topo.routerId,
      port: { address: '169.254.0.2', prefixLen: 30, routerAddress: '169.254.0.1' },
      externalIp: { v4: '1.0.0.2', v6: null },
      routes: [{ srcCidr: '192.168.1.0/24', dstCidr: '192.168.2.0/24', nextHopGateway: '169.254.0.2' }],
    });
    expect(c.config.redirects).toEqual([
      { nwDstIp: '1.0.0.2', nwProto: 50, tpDst: null },
      { nwDstIp: '1.0.0.2', nwProto: 17, tpDst: 500 },
      { nwDstIp: '1.0.0.2', nwProto: 17, tpDst: 4500 },
    ]);
    expect(c.config.connections).toHaveLength(1);
    expect(c.config.connections[0]).toMatchObject({
      id: conn.id, name: 'to-venus', psk: PSK, localCidrs: ['192.168.1.0/24'], peerCidrs: ['192.168.2.0/24'], peerAddress: '1.0.0.3',
      ike: { version: 'v2' }, ipsec: { transformProtocol: 'esp' },
    });
    expect(await dirty()).toEqual([]);
    const [h] = await db().select().from(hosts).where(eq(hosts.id, 'host0'));
    expect(h.desiredGeneration).toBe(1);
    // Nothing dirty: the next pass publishes nothing.
    expect((await relay()).published).toEqual([]);
    expect(pub.sent).toHaveLength(1);
  });

  it('coalesces many changes into one document per host, with the next generation', async () => {
    const conn = await placedVpn();
    await relay();
    for (const name of ['a', 'b', 'c']) {
      await ok(t.req('PUT', `/v2.0/vpn/ipsec-site-connections/${conn.id}`, { ipsec_site_connection: { name } }, w.token), 200);
    }
    expect(await dirty()).toEqual(['host0']);
    await relay();
    expect(pub.sent).toHaveLength(2);
    const latest = pub.docs()[1];
    expect(latest.generation).toBe(2);
    expect(latest.containers[0].config.connections[0].name).toBe('c');
  });

  it('keeps the host dirty when the broker does not acknowledge, and publishes a newer generation next time', async () => {
    await placedVpn();
    pub.fail = true;
    const r = await relay();
    expect(r.failed).toEqual(['host0']);
    expect(await dirty()).toEqual(['host0']);
    pub.fail = false;
    expect((await relay()).published).toEqual(['host0']);
    expect(pub.docs().map((d) => d.generation)).toEqual([2]);
    expect(await dirty()).toEqual([]);
  });

  it('a change committed while the document is in flight keeps the host dirty (it is not swallowed)', async () => {
    await placedVpn();
    // The worst case for a compare on the clock: the new mark carries the very markedAt the relay read.
    const [mark] = await db().select().from(dirtyHosts);
    pub.during = async () => { await t.deps.database.write((tx) => markHostDirty(tx, 'host0', mark.markedAt)); };
    await relay();
    expect(await dirty()).toEqual(['host0']);
    pub.during = null;
    await relay();
    expect(await dirty()).toEqual([]);
    expect(pub.docs().map((d) => d.generation)).toEqual([1, 2]);
  });

  it('carries the controller lease epoch when there is one', async () => {
    await placedVpn();
    await db().update(leases).set({ holder: 'x', epoch: 7, expiresAt: 0 }).where(eq(leases.name, 'controller'));
    await relay();
    expect(pub.docs()[0].epoch).toBe(7);
  });

  it('drops the mark of a host that no longer exists and publishes nothing for it', async () => {
    await t.deps.database.write((tx) => markHostDirty(tx, 'ghost', 1));
    const r = await relay();
    expect(r.dropped).toEqual(['ghost']);
    expect(pub.sent).toEqual([]);
    expect(await dirty()).toEqual([]);
  });

  it('deleting the last connection publishes the host an empty document', async () => {
    const conn = await placedVpn();
    await relay();
    expect((await t.req('DELETE', `/v2.0/vpn/ipsec-site-connections/${conn.id}`, undefined, w.token)).status).toBe(204);
    expect(await dirty()).toEqual(['host0']);
    await relay();
    expect(pub.docs()[1]).toMatchObject({ hostId: 'host0', generation: 2, containers: [] });
  });

  it('markAllHostsDirty republishes every host (a broker that lost its retained messages)', async () => {
    await insertHost(db(), 'host1', { alive: true });
    await markAllHostsDirty(t.deps);
    await relay();
    expect(pub.sent.map((s) => s.topic).sort()).toEqual(['berth/v1/hosts/host0/desired', 'berth/v1/hosts/host1/desired']);
  });

  it('never writes the PSK to a log, even when it leaves something out', async () => {
    await placedVpn();
    // A key the relay cannot decrypt: the connection is left out, and the log says why without any secret.
    const other = { ...t.deps, publisher: pub, logger: capture, secrets: { decrypt: async () => { throw new Error('bad key'); } } };
    await runRelay(other as never);
    await t.deps.database.write((tx) => markHostDirty(tx, 'host0', 1));
    pub.fail = true;
    await relay();
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(PSK);
    expect(pub.docs()[0].containers[0].config.connections).toEqual([]);
  });
});
