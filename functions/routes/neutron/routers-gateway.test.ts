import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { attachInterface, insertSubnet } from '../../../test/helpers/fixtures';
import { insertVpnService } from '../../services/routers/vpn-rows.fixture';

describe('/v2.0/routers gateway updates, deletion and tenancy', () => {
  let t: TestApp;
  let pub: string;
  let extSub: string;
  beforeEach(async () => {
    t = await createTestApp();
    pub = (await t.req('POST', '/v2.0/networks', { network: { name: 'public', 'router:external': true } })).body.network.id;
    extSub = (await t.req('POST', '/v2.0/subnets', { subnet: { network_id: pub, cidr: '1.0.0.0/24' } })).body.subnet.id;
  });
  afterEach(() => t.close());
  const ips = (res: any) => res.body.router.external_gateway_info?.external_fixed_ips.map((f: any) => f.ip_address) ?? null;
  const newRouter = async (router: object = {}, token?: string) => (await t.req('POST', '/v2.0/routers', { router }, token)).body.router.id as string;
  const put = (id: string, router: object, token?: string) => t.req('PUT', `/v2.0/routers/${id}`, { router }, token);

  it('sets, keeps, changes and clears a gateway', async () => {
    const first = await newRouter({ external_gateway_info: { network_id: pub } }); // 1.0.0.2
    const id = await newRouter();
    expect(ips(await put(id, { external_gateway_info: { network_id: pub } }))).toEqual(['1.0.0.3']);
    await t.req('DELETE', `/v2.0/routers/${first}`); // frees 1.0.0.2
    // Same network, no fixed IPs named: the router keeps its address (Neutron does not renumber).
    expect(ips(await put(id, { external_gateway_info: { network_id: pub }, name: 'kept' }))).toEqual(['1.0.0.3']);
    // Naming its own address again is not a conflict.
    expect((await put(id, { external_gateway_info: { network_id: pub, external_fixed_ips: [{ ip_address: '1.0.0.3' }] } })).status).toBe(200);
    expect(ips(await put(id, { external_gateway_info: { network_id: pub, external_fixed_ips: [{ ip_address: '1.0.0.50' }] } }))).toEqual(['1.0.0.50']);
    const other = (await t.req('POST', '/v2.0/networks', { network: { name: 'public2', 'router:external': true } })).body.network.id;
    await t.req('POST', '/v2.0/subnets', { subnet: { network_id: other, cidr: '2.0.0.0/24' } });
    const moved = await put(id, { external_gateway_info: { network_id: other } });
    expect(moved.body.router.external_gateway_info.network_id).toBe(other);
    expect(ips(moved)).toEqual(['2.0.0.2']);
    expect(ips(await put(id, { external_gateway_info: {} }))).toBeNull();
    await put(id, { external_gateway_info: { network_id: pub } });
    expect(ips(await put(id, { external_gateway_info: null }))).toBeNull();
    // Leaving external_gateway_info out leaves the gateway alone.
    await put(id, { external_gateway_info: { network_id: pub } });
    expect(ips(await put(id, { name: 'n' }))).toEqual(['1.0.0.2']);
  });

  it('a refused gateway update changes nothing', async () => {
    await newRouter({ external_gateway_info: { network_id: pub } }); // 1.0.0.2
    const id = await newRouter({ name: 'before', external_gateway_info: { network_id: pub } }); // 1.0.0.3
    const res = await put(id, { name: 'after', external_gateway_info: { network_id: pub, external_fixed_ips: [{ ip_address: '1.0.0.2' }] } });
    expect(res.status).toBe(409);
    expect(res.body.NeutronError.type).toBe('IpAddressAlreadyAllocated');
    const now = (await t.req('GET', `/v2.0/routers/${id}`)).body.router;
    expect(now.name).toBe('before');
    expect(now.external_gateway_info.external_fixed_ips).toEqual([{ subnet_id: extSub, ip_address: '1.0.0.3' }]);
  });

  it('refuses to clear the gateway of a router with VPN services, but lets it move', async () => {
    const id = await newRouter({ external_gateway_info: { network_id: pub } });
    await insertVpnService(t.deps.database.db, { tenantId: 'admin', routerId: id });
    for (const info of [{}, null]) {
      const res = await put(id, { external_gateway_info: info });
      expect(res.status).toBe(409);
      expect(res.body.NeutronError.type).toBe('RouterInUseByVPNService');
    }
    expect(ips(await t.req('GET', `/v2.0/routers/${id}`))).toEqual(['1.0.0.2']);
    expect(ips(await put(id, { external_gateway_info: { network_id: pub, external_fixed_ips: [{ ip_address: '1.0.0.9' }] } }))).toEqual(['1.0.0.9']);
  });

  it.each([
    ['an interface', async (tt: TestApp, routerId: string) => {
      const net = (await tt.req('POST', '/v2.0/networks', { network: { name: 'private' } })).body.network.id;
      const sub = await insertSubnet(tt.deps.database.db, { tenantId: 'admin', networkId: net, cidr: '10.0.0.0/24', gatewayIp: '10.0.0.1' });
      await attachInterface(tt.deps.database.db, { tenantId: 'admin', routerId, subnetId: sub, address: '10.0.0.1', prefixLen: 24 });
    }, /interface on subnet/],
    ['a VPN service', async (tt: TestApp, routerId: string) => { await insertVpnService(tt.deps.database.db, { tenantId: 'admin', routerId }); }, /VPN service/],
  ])('delete answers 409 RouterInUse while the router has %s', async (_what, setup, message) => {
    const id = await newRouter();
    await setup(t, id);
    const res = await t.req('DELETE', `/v2.0/routers/${id}`);
    expect(res.status).toBe(409);
    expect(res.body.NeutronError.type).toBe('RouterInUse');
    expect(res.body.NeutronError.message).toMatch(message);
    expect((await t.req('GET', `/v2.0/routers/${id}`)).status).toBe(200);
  });

  it('keeps tenants apart: 404 for others\' routers and networks, external networks usable by all', async () => {
    const a = await t.tenantToken('tenant-a');
    const b = await t.tenantToken('tenant-b');
    const id = await newRouter({ name: 'a-router', external_gateway_info: { network_id: pub } }, a);
    expect((await t.req('GET', `/v2.0/routers/${id}`, undefined, a)).body.router).toMatchObject({ tenant_id: 'tenant-a', name: 'a-router' });
    for (const [method, body] of [['GET', undefined], ['PUT', { router: { name: 'x' } }], ['DELETE', undefined]] as const) {
      const res = await t.req(method, `/v2.0/routers/${id}`, body, b);
      expect(res.status).toBe(404);
      expect(res.body.NeutronError.type).toBe('RouterNotFound');
    }
    expect((await t.req('GET', '/v2.0/routers', undefined, b)).body.routers).toEqual([]);
    expect((await t.req('GET', '/v2.0/routers')).body.routers).toHaveLength(1);
    // b's own non-external network is another tenant's object for a: 404, not "not external".
    const bNet = (await t.req('POST', '/v2.0/networks', { network: { name: 'b-net' } }, b)).body.network.id;
    const res = await put(id, { external_gateway_info: { network_id: bNet } }, a);
    expect(res.status).toBe(404);
    expect(res.body.NeutronError.type).toBe('NetworkNotFound');
    expect((await t.req('POST', '/v2.0/routers', { router: { tenant_id: 'tenant-b' } }, a)).status).toBe(400);
    const forB = await t.req('POST', '/v2.0/routers', { router: { project_id: 'tenant-b' } });
    expect(forB.body.router.tenant_id).toBe('tenant-b');
    expect((await t.req('GET', `/v2.0/routers/${forB.body.router.id}`, undefined, b)).status).toBe(200);
  });
});
