import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { insertSubnet, seedTopology, type SeedTopology } from '../../../test/helpers/fixtures';
import { routers } from '../../db/schema';
import { connectionBody, ok, vpnWorld } from '../../services/site-connections/test-kit';

const URL = '/v2.0/vpn/vpnservices';

describe('/v2.0/vpn/vpnservices', () => {
  let t: TestApp;
  let topo: SeedTopology;
  let a: string;
  beforeEach(async () => {
    t = await createTestApp();
    topo = await seedTopology(t.deps.database.db);
    a = await t.tenantToken('tenant-a');
  });
  afterEach(() => t.close());

  it('creates a service pending creation with its external IP, shows, lists, updates and deletes', async () => {
    const s = await ok(t.req('POST', URL, { vpnservice: { name: 'mercury', router_id: topo.routerId } }, a));
    expect(s).toMatchObject({
      name: 'mercury', description: '', tenant_id: 'tenant-a', router_id: topo.routerId, subnet_id: null, admin_state_up: true,
      status: 'PENDING_CREATE', external_v4_ip: '1.0.0.2', external_v6_ip: null,
    });
    expect(await ok(t.req('GET', `${URL}/${s.id}`, undefined, a), 200)).toEqual(s);
    expect((await t.req('GET', `${URL}?name=mercury`, undefined, a)).body.vpnservices).toHaveLength(1);
    expect((await t.req('GET', `${URL}?router_id=${topo.routerId}`, undefined, a)).body.vpnservices).toHaveLength(1);
    expect((await t.req('GET', `${URL}?router_id=other`, undefined, a)).body.vpnservices).toHaveLength(0);
    const u = await ok(t.req('PUT', `${URL}/${s.id}`, { vpnservice: { name: 'mercury-2', admin_state_up: false, description: 'd' } }, a), 200);
    expect(u).toMatchObject({ name: 'mercury-2', admin_state_up: false, description: 'd', status: 'PENDING_CREATE', router_id: topo.routerId });
    expect((await t.req('DELETE', `${URL}/${s.id}`, undefined, a)).status).toBe(204);
    const gone = await t.req('GET', `${URL}/${s.id}`, undefined, a);
    expect(gone.status).toBe(404);
    expect(gone.body.NeutronError.type).toBe('VPNServiceNotFound');
  });

  it('creates a legacy service on a subnet attached to the router', async () => {
    const s = await ok(t.req('POST', URL, { vpnservice: { router_id: topo.routerId, subnet_id: topo.localSubnetId } }, a));
    expect(s.subnet_id).toBe(topo.localSubnetId);
  });

  it('takes both external IPs from a dual-stack gateway', async () => {
    await t.deps.database.db.update(routers).set({
      gatewayFixedIps: [{ subnet_id: 'v6', ip_address: '2001:db8::2' }, { subnet_id: topo.externalSubnetId, ip_address: '1.0.0.2' }],
    }).where(eq(routers.id, topo.routerId));
    const s = await ok(t.req('POST', URL, { vpnservice: { router_id: topo.routerId } }, a));
    expect(s).toMatchObject({ external_v4_ip: '1.0.0.2', external_v6_ip: '2001:db8::2' });
  });

  describe('rejects a bad create and writes nothing', () => {
    const cases: [string, (ctx: { topo: SeedTopology; noGw: string; loose: string; foreign: string; foreignSubnet: string }) => unknown, number, string, RegExp][] = [
      ['an unknown router', () => ({ router_id: 'no-such-router' }), 404, 'RouterNotFound', /Router no-such-router could not be found/],
      ["another tenant's router", (c) => ({ router_id: c.foreign }), 404, 'RouterNotFound', /could not be found/],
      ['a router without a gateway', (c) => ({ router_id: c.noGw }), 400, 'RouterIsNotExternal', /has no external network gateway/],
      ['a subnet not attached to the router', (c) => ({ router_id: c.topo.routerId, subnet_id: c.loose }), 400, 'SubnetIsNotConnectedToRouter', /is not connected to Router/],
      ['an unknown subnet', (c) => ({ router_id: c.topo.routerId, subnet_id: 'no-such-subnet' }), 404, 'SubnetNotFound', /Subnet no-such-subnet/],
      ["another tenant's subnet", (c) => ({ router_id: c.topo.routerId, subnet_id: c.foreignSubnet }), 404, 'SubnetNotFound', /could not be found/],
      ['a missing router_id', () => ({ name: 'x' }), 400, 'HTTPBadRequest', /router_id: is required/],
      ['a read-only status', (c) => ({ router_id: c.topo.routerId, status: 'ACTIVE' }), 400, 'HTTPBadRequest', /status: is read-only/],
      ['a read-only external IP', (c) => ({ router_id: c.topo.routerId, external_v4_ip: '9.9.9.9' }), 400, 'HTTPBadRequest', /external_v4_ip: is read-only/],
      ['an unknown field', (c) => ({ router_id: c.topo.routerId, flavour: 'x' }), 400, 'HTTPBadRequest', /unknown field.*flavour/],
      ['a non-boolean admin_state_up', (c) => ({ router_id: c.topo.routerId, admin_state_up: 'maybe' }), 400, 'HTTPBadRequest', /admin_state_up: 'maybe' cannot be converted to boolean/],
      ['a tenant acting for another tenant', (c) => ({ router_id: c.topo.routerId, tenant_id: 'tenant-b' }), 400, 'HTTPBadRequest', /own tenant_id/],
    ];
    it.each(cases)('%s', async (_what, body, status, type, message) => {
      const db = t.deps.database.db;
      const now = Date.now();
      const noGw = 'router-without-gateway';
      await db.insert(routers).values({ id: noGw, tenantId: 'tenant-a', name: 'r-nogw', createdAt: now, updatedAt: now });
      const loose = await insertSubnet(db, { tenantId: 'tenant-a', networkId: topo.localNetworkId, cidr: '192.168.7.0/24' });
      const other = await seedTopology(db, { tenantId: 'tenant-b' });
      const res = await t.req('POST', URL, { vpnservice: body({ topo, noGw, loose, foreign: other.routerId, foreignSubnet: other.localSubnetId }) }, a);
      expect(res.status, res.text).toBe(status);
      expect(res.body.NeutronError.type).toBe(type);
      expect(res.body.NeutronError.message).toMatch(message);
      expect((await t.req('GET', URL)).body.vpnservices).toHaveLength(0);
    });
  });

  it('rejects malformed bodies', async () => {
    expect((await t.req('POST', URL, '{"vpnservice": ', a)).status).toBe(400);
    expect((await t.req('POST', URL, { vpnservice: { router_id: topo.routerId }, x: 1 }, a)).status).toBe(400);
    expect((await t.req('POST', URL, { vpnservice: null }, a)).status).toBe(400);
  });

  it('rejects create-only and read-only fields on update (400) and keeps the service', async () => {
    const s = await ok(t.req('POST', URL, { vpnservice: { router_id: topo.routerId } }, a));
    for (const [body, message] of [
      [{ router_id: topo.routerId }, /router_id: cannot be changed after creation/],
      [{ subnet_id: topo.localSubnetId }, /subnet_id: cannot be changed after creation/],
      [{ subnet_id: null }, /subnet_id: cannot be changed after creation/],
      [{ status: 'ACTIVE' }, /status: is read-only/],
      [{ external_v6_ip: '2001:db8::1' }, /external_v6_ip: is read-only/],
    ] as const) {
      const res = await t.req('PUT', `${URL}/${s.id}`, { vpnservice: body }, a);
      expect(res.status).toBe(400);
      expect(res.body.NeutronError.message).toMatch(message);
    }
    expect(await ok(t.req('GET', `${URL}/${s.id}`, undefined, a), 200)).toEqual(s);
  });

  it('keeps tenants apart: 404 for another tenant, never 403', async () => {
    const b = await t.tenantToken('tenant-b');
    const s = await ok(t.req('POST', URL, { vpnservice: { router_id: topo.routerId } }, a));
    for (const [method, body] of [['GET', undefined], ['PUT', { vpnservice: { name: 'x' } }], ['DELETE', undefined]] as const) {
      const res = await t.req(method, `${URL}/${s.id}`, body, b);
      expect(res.status).toBe(404);
      expect(res.body.NeutronError.type).toBe('VPNServiceNotFound');
    }
    expect((await t.req('GET', URL, undefined, b)).body.vpnservices).toHaveLength(0);
  });

  it("lets an admin create a service on a tenant's router, owned by that tenant", async () => {
    const s = await ok(t.req('POST', URL, { vpnservice: { router_id: topo.routerId } }));
    expect(s.tenant_id).toBe('tenant-a');
    expect((await t.req('GET', `${URL}/${s.id}`, undefined, a)).status).toBe(200);
  });

  it('refuses to delete a service that has connections (409 VPNServiceInUse)', async () => {
    const w = await vpnWorld(t, { tenantId: 'tenant-w' });
    const conn = await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token));
    const res = await t.req('DELETE', `${URL}/${w.serviceId}`, undefined, w.token);
    expect(res.status).toBe(409);
    expect(res.body.NeutronError.type).toBe('VPNServiceInUse');
    expect((await t.req('GET', `${URL}/${w.serviceId}`, undefined, w.token)).status).toBe(200);
    expect((await t.req('DELETE', `/v2.0/vpn/ipsec-site-connections/${conn.id}`, undefined, w.token)).status).toBe(204);
    expect((await t.req('DELETE', `${URL}/${w.serviceId}`, undefined, w.token)).status).toBe(204);
  });
});
