import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ADMIN_TOKEN, createTestApp, type TestApp } from '../../../test/helpers/harness';
import { seedTopology, type SeedTopology } from '../../../test/helpers/fixtures';
import { ports, routerInterfaces } from '../../db/schema';
import { insertConnection, insertEndpointGroup, insertVpnService } from '../../services/routers/vpn-rows.fixture';

describe('PUT /v2.0/routers/{id}/add_router_interface and remove_router_interface', () => {
  let t: TestApp;
  let a: string;
  let b: string;
  beforeEach(async () => {
    t = await createTestApp();
    a = await t.tenantToken('tenant-a');
    b = await t.tenantToken('tenant-b');
  });
  afterEach(() => t.close());

  const makeNet = async (token = a) => (await t.req('POST', '/v2.0/networks', { network: { name: 'n' } }, token)).body.network.id as string;
  const makeSubnet = async (net: string, cidr: string, extra: object = {}, token = a) =>
    (await t.req('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr, ...extra } }, token)).body.subnet.id as string;
  const makeRouter = async (token = a) => (await t.req('POST', '/v2.0/routers', { router: { name: 'r' } }, token)).body.router.id as string;
  const add = (router: string, body: unknown, token = a) => t.req('PUT', `/v2.0/routers/${router}/add_router_interface`, body, token);
  const remove = (router: string, body: unknown, token = a) => t.req('PUT', `/v2.0/routers/${router}/remove_router_interface`, body, token);
  const interfaceCount = async () => (await t.deps.database.db.select().from(routerInterfaces)).length;

  it('adds an interface as a router port on the gateway address, and removes it again', async () => {
    const net = await makeNet();
    const sub = await makeSubnet(net, '192.168.1.0/24');
    const router = await makeRouter();
    const added = await add(router, { subnet_id: sub });
    expect(added.status).toBe(200);
    const portId = added.body.port_id;
    expect(added.body).toEqual({ id: router, subnet_id: sub, subnet_ids: [sub], port_id: portId, network_id: net, tenant_id: 'tenant-a', project_id: 'tenant-a' });
    const [port] = await t.deps.database.db.select().from(ports).where(eq(ports.id, portId));
    expect(port).toMatchObject({ routerId: router, kind: 'router_interface', subnetId: sub, address: '192.168.1.1', prefixLen: 24, tenantId: 'tenant-a' });
    expect(port.mac).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect((await t.req('DELETE', `/v2.0/subnets/${sub}`, undefined, a)).body.NeutronError.type).toBe('SubnetInUse');
    expect((await t.req('DELETE', `/v2.0/routers/${router}`, undefined, a)).body.NeutronError.type).toBe('RouterInUse');
    const removed = await remove(router, { subnet_id: sub });
    expect(removed.status).toBe(200);
    expect(removed.body).toEqual(added.body);
    expect(await t.deps.database.db.select().from(ports).where(eq(ports.id, portId))).toEqual([]);
    expect((await t.req('DELETE', `/v2.0/subnets/${sub}`, undefined, a)).status).toBe(204);
    expect((await t.req('DELETE', `/v2.0/routers/${router}`, undefined, a)).status).toBe(204);
  });

  it.each([
    ['port_id', (_s: Record<string, string>) => ({ port_id: 'p1' }), 400, /only subnet_id is supported/, 'BadRequest'],
    ['an empty body object', () => ({}), 400, /subnet_id is required/, 'BadRequest'],
    ['malformed JSON', () => '{"subnet_id": ', 400, /not valid JSON/, 'HTTPBadRequest'],
    ['a list', () => ['x'], 400, /expected object/, 'HTTPBadRequest'],
    ['an unknown field', (s: Record<string, string>) => ({ subnet_id: s.free, mac: 'x' }), 400, /unknown field.*mac/, 'HTTPBadRequest'],
    ['subnet_id of the wrong type', () => ({ subnet_id: 7 }), 400, /subnet_id/, 'HTTPBadRequest'],
    ['an unknown subnet', () => ({ subnet_id: 'nope' }), 404, /Subnet nope could not be found/, 'SubnetNotFound'],
    ['another tenant\'s subnet', (s: Record<string, string>) => ({ subnet_id: s.theirs }), 404, /could not be found/, 'SubnetNotFound'],
    ['an external subnet it does not own', (s: Record<string, string>) => ({ subnet_id: s.external }), 404, /could not be found/, 'SubnetNotFound'],
    ['a subnet without a gateway', (s: Record<string, string>) => ({ subnet_id: s.noGateway }), 400, /has no gateway IP/, 'BadRequest'],
    ['a subnet already attached here', (s: Record<string, string>) => ({ subnet_id: s.attached }), 400, /already has a port on subnet/, 'BadRequest'],
    ['a subnet overlapping an attached one', (s: Record<string, string>) => ({ subnet_id: s.overlapping }), 400, /overlaps with cidr 192\.168\.1\.0\/24/, 'BadRequest'],
    ['a subnet overlapping the gateway subnet', (s: Record<string, string>) => ({ subnet_id: s.overGateway }), 400, /overlaps with cidr 1\.0\.0\.0\/24/, 'BadRequest'],
    ['a subnet another router holds', (s: Record<string, string>) => ({ subnet_id: s.elsewhere }), 409, /192\.168\.9\.1 is in use/, 'IpAddressInUse'],
  ])('add refuses %s and writes nothing', async (_what, body, status, message, type) => {
    const seed = await seedTopology(t.deps.database.db); // tenant-a router with 192.168.1.0/24 attached, gateway on 1.0.0.0/24
    const other = await makeRouter();
    const s = {
      free: await makeSubnet(seed.localNetworkId, '192.168.5.0/24'),
      theirs: await makeSubnet(await makeNet(b), '192.168.6.0/24', {}, b),
      external: seed.externalSubnetId,
      noGateway: await makeSubnet(seed.localNetworkId, '192.168.7.0/24', { gateway_ip: null }),
      attached: seed.localSubnetId,
      overlapping: await makeSubnet(await makeNet(), '192.168.0.0/16'),
      overGateway: await makeSubnet(await makeNet(), '1.0.0.0/25'),
      elsewhere: await makeSubnet(seed.localNetworkId, '192.168.9.0/24'),
    };
    expect((await add(other, { subnet_id: s.elsewhere })).status).toBe(200);
    const before = await interfaceCount();
    const res = await add(seed.routerId, body(s));
    expect(res.status).toBe(status);
    expect(res.body.NeutronError.type).toBe(type);
    expect(res.body.NeutronError.message).toMatch(message);
    expect(await interfaceCount()).toBe(before);
  });

  it('answers 404 RouterNotFound for unknown or other tenants\' routers, in both directions', async () => {
    const sub = await makeSubnet(await makeNet(), '10.0.0.0/24');
    const mine = await makeRouter();
    const theirs = await makeRouter(b);
    for (const [router, token] of [['nope', a], [theirs, a], [mine, b]] as const) {
      for (const call of [add, remove]) {
        const res = await call(router, { subnet_id: sub }, token);
        expect(res.status).toBe(404);
        expect(res.body.NeutronError.type).toBe('RouterNotFound');
      }
    }
    expect(await interfaceCount()).toBe(0);
    // An admin may wire any tenant's subnet to any router; the port belongs to the router's tenant.
    const res = await add(theirs, { subnet_id: sub }, ADMIN_TOKEN);
    expect(res.body.tenant_id).toBe('tenant-b');
  });

  it('remove answers 404 RouterInterfaceNotFoundForSubnet when the subnet is not attached there', async () => {
    const sub = await makeSubnet(await makeNet(), '10.0.0.0/24');
    const res = await remove(await makeRouter(), { subnet_id: sub });
    expect(res.status).toBe(404);
    expect(res.body.NeutronError.type).toBe('RouterInterfaceNotFoundForSubnet');
    expect((await remove(await makeRouter(), { port_id: 'p' })).body.NeutronError.message).toMatch(/only subnet_id is supported/);
  });

  const vpnUses: [string, (seed: SeedTopology) => Promise<string>, boolean][] = [
    ['the subnet of a legacy VPN service on the router', async (seed) => insertVpnService(t.deps.database.db, { tenantId: seed.tenantId, routerId: seed.routerId, subnetId: seed.localSubnetId }), true],
    ['a local endpoint of a connection on the router', async (seed) => {
      const vpn = await insertVpnService(t.deps.database.db, { tenantId: seed.tenantId, routerId: seed.routerId });
      const local = await insertEndpointGroup(t.deps.database.db, { tenantId: seed.tenantId, type: 'subnet', endpoints: [seed.localSubnetId] });
      const peer = await insertEndpointGroup(t.deps.database.db, { tenantId: seed.tenantId, type: 'cidr', endpoints: ['192.168.2.0/24'] });
      return insertConnection(t.deps.database.db, { tenantId: seed.tenantId, vpnServiceId: vpn, localEpGroupId: local, peerEpGroupId: peer });
    }, true],
    ['only listed in an endpoint group no connection uses', async (seed) => insertEndpointGroup(t.deps.database.db, { tenantId: seed.tenantId, type: 'subnet', endpoints: [seed.localSubnetId] }), false],
    ['the subnet of a VPN service on another router', async (seed) => {
      const otherRouter = await makeRouter();
      return insertVpnService(t.deps.database.db, { tenantId: seed.tenantId, routerId: otherRouter, subnetId: seed.localSubnetId });
    }, false],
  ];
  it.each(vpnUses)('remove when the subnet is %s', async (_what, setup, refused) => {
    const seed = await seedTopology(t.deps.database.db);
    await setup(seed);
    const res = await remove(seed.routerId, { subnet_id: seed.localSubnetId });
    if (refused) {
      expect(res.status).toBe(409);
      expect(res.body.NeutronError.type).toBe('RouterInterfaceInUseByVPNService');
      expect(await interfaceCount()).toBe(1);
    } else {
      expect(res.status).toBe(200);
      expect(await interfaceCount()).toBe(0);
    }
  });
});
