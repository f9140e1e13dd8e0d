// Issue 10, "no silent loss": what the relay cannot send shows as ERROR with a reason on the Neutron object, over a
// real database, until a document includes it again. Before, it was only logged and the connection stayed
// PENDING_CREATE forever.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { connectionBody, ok, PSK, vpnWorld, type VpnWorld } from '../services/site-connections/test-kit';
import { insertHost } from '../services/hosts/test-fixtures';
import { markHostDirty } from '../services/hosts/write';
import { containers, ipsecSiteConnections, ports } from '../db/schema';
import { Controller } from '../controller/tick';
import { refreshNeutronStatus } from '../status/apply';
import { runRelay } from './relay';
import { RecordingPublisher } from './test-fixtures';

const lastDoc = (pub: RecordingPublisher) => pub.docs().at(-1)!;
const sentConnections = (pub: RecordingPublisher) => lastDoc(pub).containers.flatMap((c) => c.config.connections.map((x) => x.id));

describe('what the relay cannot send is ERROR with a reason on the Neutron object', () => {
  let t: TestApp;
  let w: VpnWorld;
  let pub: RecordingPublisher;
  const db = () => t.deps.database.db;
  const relay = () => runRelay({ ...t.deps, publisher: pub });
  const getConn = (id: string) => ok(t.req('GET', `/v2.0/vpn/ipsec-site-connections/${id}`, undefined, w.token), 200);
  const getService = (id: string) => ok(t.req('GET', `/v2.0/vpn/vpnservices/${id}`, undefined, w.token), 200);
  const events = async () => (await t.req('GET', '/v1/events')).body.events as { type: string; reason: string; containerId: string }[];

  beforeEach(async () => {
    pub = new RecordingPublisher();
    t = await createTestApp();
    w = await vpnWorld(t);
    await insertHost(db(), 'host0', { alive: true, lastSeenAt: Date.now() });
  });
  afterEach(() => t.close());

  async function placedConnection() {
    const conn = await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token));
    await new Controller(t.deps, { holder: 'test' }).tick();
    return conn;
  }

  it('a PSK that cannot be decrypted: ERROR with the reason, no secret in it; a new PSK through the API clears it', async () => {
    const conn = await placedConnection();
    const [row] = await db().select().from(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, conn.id));
    // Corrupt the stored ciphertext (a damaged row, or a key that changed under it).
    const corrupt = `${row.pskCiphertext.slice(0, -4)}AAAA`;
    await db().update(ipsecSiteConnections).set({ pskCiphertext: corrupt }).where(eq(ipsecSiteConnections.id, conn.id));
    await relay();
    expect(sentConnections(pub)).toEqual([]);

    const shown = await getConn(conn.id);
    expect(shown.status).toBe('ERROR');
    expect(shown.status_reason).toMatch(/cannot be sent to its host: its pre-shared key cannot be decrypted/);
    const listed = await t.req('GET', '/v2.0/vpn/ipsec-site-connections?status=ERROR', undefined, w.token);
    expect(listed.body.ipsec_site_connections.map((c: { id: string }) => c.id)).toEqual([conn.id]);
    for (const secret of [PSK, corrupt, row.pskCiphertext]) {
      expect(JSON.stringify(shown)).not.toContain(secret);
      expect(JSON.stringify(await events())).not.toContain(secret);
    }
    // The service's container was sent (without the connection): the service is not in error.
    expect((await getService(w.serviceId)).status_reason).toBeNull();
    expect(await events()).toContainEqual(expect.objectContaining({ type: 'left-out', reason: expect.stringContaining(`ipsec_site_connection ${conn.id}`) }));

    // A later pass of the same host (nothing fixed) changes nothing and adds no event.
    const before = (await events()).length;
    await t.deps.database.write((tx) => markHostDirty(tx, 'host0', Date.now()));
    await relay();
    expect((await events()).length).toBe(before);

    const updated = await ok(t.req('PUT', `/v2.0/vpn/ipsec-site-connections/${conn.id}`, { ipsec_site_connection: { psk: 'a-new-psk-0123' } }, w.token), 200);
    expect(updated).toMatchObject({ status: 'PENDING_UPDATE', status_reason: null });
    await relay();
    expect(sentConnections(pub)).toEqual([conn.id]);
    expect(await getConn(conn.id)).toMatchObject({ status: 'PENDING_UPDATE', status_reason: null });
  });

  it('ingest does not turn the ERROR back while it cannot be sent (a stale tunnel report is dropped)', async () => {
    const conn = await placedConnection();
    await relay();
    const [box] = await db().select().from(containers);
    // The tunnel came up, then the stored PSK went bad.
    await db().update(containers).set({ status: 'RUNNING' }).where(eq(containers.id, box.id));
    await db().update(ipsecSiteConnections).set({ tunnel: { state: 'up' }, status: 'ACTIVE', pskCiphertext: 'v1:broken:broken' })
      .where(eq(ipsecSiteConnections.id, conn.id));
    await t.deps.database.write((tx) => markHostDirty(tx, 'host0', Date.now()));
    await relay();
    await t.deps.database.write((tx) => refreshNeutronStatus(tx, [w.topo.routerId]));
    expect(await getConn(conn.id)).toMatchObject({ status: 'ERROR', status_reason: expect.stringMatching(/pre-shared key/) });
    const [stored] = await db().select().from(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, conn.id));
    expect(stored.tunnel).toBeNull();
  });

  it('a container that cannot be sent at all: its VPN services and connections are ERROR; fixed, the next pass clears them', async () => {
    const conn = await placedConnection();
    const [box] = await db().select().from(containers);
    const [port] = await db().select().from(ports).where(eq(ports.id, box.portId));
    await db().update(ports).set({ interfaceName: 'not an interface name!' }).where(eq(ports.id, port.id));
    await relay();
    expect(lastDoc(pub).containers).toEqual([]);

    for (const id of [w.serviceId, w.legacyServiceId]) {
      expect(await getService(id)).toMatchObject({ status: 'ERROR', status_reason: expect.stringMatching(/^cannot be sent to its host: interfaceName/) });
    }
    expect(await getConn(conn.id)).toMatchObject({
      status: 'ERROR', status_reason: expect.stringMatching(/^cannot be sent to its host: its VPN service's container: interfaceName/),
    });
    expect((await events()).filter((e) => e.type === 'left-out' && e.containerId === box.id)).toHaveLength(3);

    // Repaired outside the API (an operator fixing the row): the next document includes it and clears the errors.
    await db().update(ports).set({ interfaceName: port.interfaceName }).where(eq(ports.id, port.id));
    await t.deps.database.write((tx) => markHostDirty(tx, 'host0', Date.now()));
    await relay();
    expect(sentConnections(pub)).toEqual([conn.id]);
    for (const id of [w.serviceId, w.legacyServiceId]) expect(await getService(id)).toMatchObject({ status: 'PENDING_UPDATE', status_reason: null });
    expect(await getConn(conn.id)).toMatchObject({ status: 'PENDING_UPDATE', status_reason: null });
    expect((await events()).filter((e) => e.type === 'left-out-cleared')).toHaveLength(3);
  });
});
