import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { seedTopology } from '../../../test/helpers/fixtures';
import { insertEndpointGroup, insertVpnService } from '../../services/routers/vpn-rows.fixture';

const NET = 'NET';

describe('/v2.0/subnets', () => {
  let t: TestApp;
  let netId: string;
  beforeEach(async () => {
    t = await createTestApp();
    netId = (await t.req('POST', '/v2.0/networks', { network: { name: 'private' } })).body.network.id;
  });
  afterEach(() => t.close());
  const subnetCount = async () => (await t.req('GET', '/v2.0/subnets')).body.subnets.length;

  it('creates with Neutron defaults, shows, lists, filters, updates and deletes', async () => {
    const created = await t.req('POST', '/v2.0/subnets', { subnet: { network_id: netId, cidr: '192.168.1.0/24', name: 'local' } });
    expect(created.status).toBe(201);
    expect(created.body.subnet).toMatchObject({
      network_id: netId, cidr: '192.168.1.0/24', ip_version: 4, gateway_ip: '192.168.1.1', name: 'local', tenant_id: 'admin', project_id: 'admin',
      allocation_pools: [{ start: '192.168.1.2', end: '192.168.1.254' }],
    });
    const id = created.body.subnet.id;
    expect((await t.req('GET', `/v2.0/subnets/${id}`)).body.subnet.id).toBe(id);
    expect((await t.req('GET', `/v2.0/networks/${netId}`)).body.network.subnets).toEqual([id]);
    expect((await t.req('GET', `/v2.0/subnets?network_id=${netId}&fields=id&fields=cidr`)).body.subnets).toEqual([{ id, cidr: '192.168.1.0/24' }]);
    expect((await t.req('GET', '/v2.0/subnets?name=nope')).body.subnets).toEqual([]);
    const updated = await t.req('PUT', `/v2.0/subnets/${id}`, { subnet: { name: 'renamed', gateway_ip: '192.168.1.254' } });
    expect(updated.body.subnet).toMatchObject({ name: 'renamed', gateway_ip: '192.168.1.254', allocation_pools: [{ start: '192.168.1.1', end: '192.168.1.253' }] });
    expect((await t.req('DELETE', `/v2.0/networks/${netId}`)).status).toBe(409);
    expect((await t.req('DELETE', `/v2.0/subnets/${id}`)).status).toBe(204);
    const gone = await t.req('GET', `/v2.0/subnets/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.NeutronError.type).toBe('SubnetNotFound');
  });

  it.each([
    ['explicit ip_version 4', { cidr: '10.0.0.0/8', ip_version: 4 }, { ip_version: 4, gateway_ip: '10.0.0.1' }],
    ['IPv6, version derived', { cidr: '2001:DB8::/64' }, { cidr: '2001:db8::/64', ip_version: 6, gateway_ip: '2001:db8::1' }],
    ['no gateway (null)', { cidr: '10.1.0.0/29', gateway_ip: null }, { gateway_ip: null, allocation_pools: [{ start: '10.1.0.1', end: '10.1.0.6' }] }],
    ['gateway mid-range splits the pool', { cidr: '10.2.0.0/29', gateway_ip: '10.2.0.3' }, { allocation_pools: [{ start: '10.2.0.1', end: '10.2.0.2' }, { start: '10.2.0.4', end: '10.2.0.6' }] }],
    ['/31 keeps both addresses', { cidr: '10.3.0.0/31', gateway_ip: '10.3.0.0' }, { gateway_ip: '10.3.0.0', allocation_pools: [{ start: '10.3.0.1', end: '10.3.0.1' }] }],
  ])('creates a subnet with %s', async (_what, fields, want) => {
    const res = await t.req('POST', '/v2.0/subnets', { subnet: { network_id: netId, ...fields } });
    expect(res.status).toBe(201);
    expect(res.body.subnet).toMatchObject(want);
  });

  it.each([
    ['malformed JSON', '{"subnet": {', 400, /not valid JSON/, undefined],
    ['wrong envelope', { network: {} }, 400, /\{"subnet"/, undefined],
    ['unknown field', { subnet: { network_id: NET, cidr: '10.0.0.0/24', enable_dhcp: true } }, 400, /unknown field.*enable_dhcp/, undefined],
    ['missing network_id', { subnet: { cidr: '10.0.0.0/24' } }, 400, /subnet\.network_id/, undefined],
    ['missing cidr', { subnet: { network_id: NET } }, 400, /subnet\.cidr/, undefined],
    ['cidr with host bits', { subnet: { network_id: NET, cidr: '10.0.0.1/24' } }, 400, /host bits zero/, undefined],
    ['cidr not a cidr', { subnet: { network_id: NET, cidr: 'banana' } }, 400, /subnet\.cidr/, undefined],
    ['ip_version 5', { subnet: { network_id: NET, cidr: '10.0.0.0/24', ip_version: 5 } }, 400, /ip_version/, undefined],
    ['ip_version not a number', { subnet: { network_id: NET, cidr: '10.0.0.0/24', ip_version: 'four' } }, 400, /ip_version: 'four' is not an integer/, undefined],
    ['ip_version mismatching cidr', { subnet: { network_id: NET, cidr: '10.0.0.0/24', ip_version: 6 } }, 400, /does not match cidr/, 'InvalidInput'],
    ['gateway outside cidr', { subnet: { network_id: NET, cidr: '10.0.0.0/24', gateway_ip: '10.0.1.1' } }, 400, /not a usable host address/, 'InvalidInput'],
    ['gateway = network address', { subnet: { network_id: NET, cidr: '10.0.0.0/24', gateway_ip: '10.0.0.0' } }, 400, /not a usable host address/, 'InvalidInput'],
    ['gateway = broadcast', { subnet: { network_id: NET, cidr: '10.0.0.0/24', gateway_ip: '10.0.0.255' } }, 400, /not a usable host address/, 'InvalidInput'],
    ['gateway of the other family', { subnet: { network_id: NET, cidr: '10.0.0.0/24', gateway_ip: '2001:db8::1' } }, 400, /not a usable host address/, 'InvalidInput'],
    ['gateway not an address', { subnet: { network_id: NET, cidr: '10.0.0.0/24', gateway_ip: 'router' } }, 400, /gateway_ip/, undefined],
    ['name too long', { subnet: { network_id: NET, cidr: '10.0.0.0/24', name: 'x'.repeat(256) } }, 400, /subnet\.name/, undefined],
    ['tenant_id and project_id differ', { subnet: { network_id: NET, cidr: '10.0.0.0/24', tenant_id: 'a', project_id: 'b' } }, 400, /must be equal/, undefined],
    ['unknown network', { subnet: { cidr: '10.0.0.0/24', network_id: 'nope' } }, 404, /Network nope could not be found/, 'NetworkNotFound'],
  ])('rejects %s and writes nothing', async (_what, body, status, message, type) => {
    // NET stands for the network made in beforeEach.
    const res = await t.req('POST', '/v2.0/subnets', typeof body === 'string' ? body : JSON.parse(JSON.stringify(body).replaceAll('"NET"', JSON.stringify(netId))));
    expect(res.status).toBe(status);
    expect(res.body.NeutronError.message).toMatch(message);
    if (type) expect(res.body.NeutronError.type).toBe(type);
    expect(await subnetCount()).toBe(0);
  });

  it('refuses a cidr overlapping another subnet of the same network, allows it on another network', async () => {
    await t.req('POST', '/v2.0/subnets', { subnet: { network_id: netId, cidr: '10.0.0.0/16' } });
    const res = await t.req('POST', '/v2.0/subnets', { subnet: { network_id: netId, cidr: '10.0.5.0/24' } });
    expect(res.status).toBe(400);
    expect(res.body.NeutronError.message).toMatch(/overlaps/);
    const other = (await t.req('POST', '/v2.0/networks', { network: { name: 'other' } })).body.network.id;
    expect((await t.req('POST', '/v2.0/subnets', { subnet: { network_id: other, cidr: '10.0.5.0/24' } })).status).toBe(201);
  });

  it.each([
    ['gateway outside cidr', { gateway_ip: '10.9.9.9' }, 400, 'InvalidInput'],
    ['cidr (not updatable)', { cidr: '10.0.0.0/16' }, 400, 'HTTPBadRequest'],
    ['network_id (not updatable)', { network_id: 'x' }, 400, 'HTTPBadRequest'],
    ['wrong type', { name: 1 }, 400, 'HTTPBadRequest'],
  ])('update rejects %s and changes nothing', async (_what, fields, status, type) => {
    const id = (await t.req('POST', '/v2.0/subnets', { subnet: { network_id: netId, cidr: '10.0.0.0/24', name: 'keep' } })).body.subnet.id;
    const res = await t.req('PUT', `/v2.0/subnets/${id}`, { subnet: fields });
    expect(res.status).toBe(status);
    expect(res.body.NeutronError.type).toBe(type);
    expect((await t.req('GET', `/v2.0/subnets/${id}`)).body.subnet).toMatchObject({ name: 'keep', cidr: '10.0.0.0/24', gateway_ip: '10.0.0.1' });
  });

  it('clears a gateway with null, and refuses to move one a router interface sits on', async () => {
    const free = (await t.req('POST', '/v2.0/subnets', { subnet: { network_id: netId, cidr: '10.0.0.0/24' } })).body.subnet.id;
    expect((await t.req('PUT', `/v2.0/subnets/${free}`, { subnet: { gateway_ip: null } })).body.subnet.gateway_ip).toBeNull();
    const seed = await seedTopology(t.deps.database.db);
    const res = await t.req('PUT', `/v2.0/subnets/${seed.localSubnetId}`, { subnet: { gateway_ip: '192.168.1.9' } });
    expect(res.status).toBe(409);
    expect(res.body.NeutronError.type).toBe('GatewayIpInUse');
    // The router's gateway holds 1.0.0.2 on the external subnet: it cannot become that subnet's gateway.
    const ext = await t.req('PUT', `/v2.0/subnets/${seed.externalSubnetId}`, { subnet: { gateway_ip: '1.0.0.2' } });
    expect(ext.status).toBe(409);
    expect((await t.req('PUT', `/v2.0/subnets/${seed.localSubnetId}`, { subnet: { name: 'fine' } })).status).toBe(200);
  });

  it.each([
    ['attached to a router', async (_t: TestApp, s: Awaited<ReturnType<typeof seedTopology>>) => s.localSubnetId, /attached to router/],
    ['a router gateway subnet', async (_t: TestApp, s: Awaited<ReturnType<typeof seedTopology>>) => s.externalSubnetId, /has its gateway on it/],
    ['a VPN service subnet', async (tt: TestApp, s: Awaited<ReturnType<typeof seedTopology>>) => {
      const id = (await tt.req('POST', '/v2.0/subnets', { subnet: { network_id: s.localNetworkId, cidr: '192.168.7.0/24' } })).body.subnet.id;
      await insertVpnService(tt.deps.database.db, { tenantId: s.tenantId, routerId: s.routerId, subnetId: id });
      return id;
    }, /VPN service .* uses it/],
    ['an endpoint of a subnet endpoint group', async (tt: TestApp, s: Awaited<ReturnType<typeof seedTopology>>) => {
      const id = (await tt.req('POST', '/v2.0/subnets', { subnet: { network_id: s.localNetworkId, cidr: '192.168.8.0/24' } })).body.subnet.id;
      await insertEndpointGroup(tt.deps.database.db, { tenantId: s.tenantId, type: 'subnet', endpoints: [id] });
      return id;
    }, /endpoint group .* lists it/],
  ])('delete answers 409 SubnetInUse while it is %s', async (_what, setup, message) => {
    const seed = await seedTopology(t.deps.database.db);
    const id = await setup(t, seed);
    const res = await t.req('DELETE', `/v2.0/subnets/${id}`);
    expect(res.status).toBe(409);
    expect(res.body.NeutronError).toMatchObject({ type: 'SubnetInUse' });
    expect(res.body.NeutronError.message).toMatch(message);
    expect((await t.req('GET', `/v2.0/subnets/${id}`)).status).toBe(200);
  });

  it('a cidr endpoint group naming the same text does not hold a subnet', async () => {
    const id = (await t.req('POST', '/v2.0/subnets', { subnet: { network_id: netId, cidr: '10.0.0.0/24' } })).body.subnet.id;
    await insertEndpointGroup(t.deps.database.db, { tenantId: 'admin', type: 'cidr', endpoints: [id] });
    expect((await t.req('DELETE', `/v2.0/subnets/${id}`)).status).toBe(204);
  });
});
