import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { hostGroups } from '../../db/schema';
import { insertVpnService } from '../../services/routers/vpn-rows.fixture';

describe('/v2.0/routers', () => {
  let t: TestApp;
  let pub: string; // external network 1.0.0.0/24, gateway 1.0.0.1
  let extSub: string;
  beforeEach(async () => {
    t = await createTestApp();
    pub = (await t.req('POST', '/v2.0/networks', { network: { name: 'public', 'router:external': true } })).body.network.id;
    extSub = (await t.req('POST', '/v2.0/subnets', { subnet: { network_id: pub, cidr: '1.0.0.0/24' } })).body.subnet.id;
  });
  afterEach(() => t.close());
  const routerCount = async () => (await t.req('GET', '/v2.0/routers')).body.routers.length;
  const gw = (body: any) => body.router.external_gateway_info;

  it('creates, shows, lists, updates and deletes a router', async () => {
    const created = await t.req('POST', '/v2.0/routers', { router: { name: 'r-mercury' } });
    expect(created.status).toBe(201);
    expect(created.body.router).toMatchObject({
      name: 'r-mercury', admin_state_up: true, status: 'ACTIVE', external_gateway_info: null,
      availability_zone_hints: [], availability_zones: [], tenant_id: 'admin', project_id: 'admin',
    });
    const id = created.body.router.id;
    expect((await t.req('GET', `/v2.0/routers/${id}`)).body.router.id).toBe(id);
    expect((await t.req('GET', '/v2.0/routers?name=r-mercury&fields=id')).body.routers).toEqual([{ id }]);
    const updated = await t.req('PUT', `/v2.0/routers/${id}`, { router: { name: 'r2', description: 'd', admin_state_up: false } });
    expect(updated.body.router).toMatchObject({ name: 'r2', description: 'd', admin_state_up: false });
    expect((await t.req('DELETE', `/v2.0/routers/${id}`)).status).toBe(204);
    const gone = await t.req('GET', `/v2.0/routers/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.NeutronError.type).toBe('RouterNotFound');
  });

  it('allocates gateway addresses in order, skipping the subnet gateway and other routers', async () => {
    const r1 = await t.req('POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: pub } } });
    expect(gw(r1.body)).toEqual({ network_id: pub, enable_snat: true, external_fixed_ips: [{ subnet_id: extSub, ip_address: '1.0.0.2' }] });
    const r2 = await t.req('POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: pub, enable_snat: false, external_fixed_ips: [] } } });
    expect(gw(r2.body)).toEqual({ network_id: pub, enable_snat: true, external_fixed_ips: [{ subnet_id: extSub, ip_address: '1.0.0.3' }] });
    const r3 = await t.req('POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: pub, external_fixed_ips: [{ subnet_id: extSub }] } } });
    expect(gw(r3.body).external_fixed_ips).toEqual([{ subnet_id: extSub, ip_address: '1.0.0.4' }]);
    const r4 = await t.req('POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: pub, external_fixed_ips: [{ ip_address: '1.0.0.200' }] } } });
    expect(gw(r4.body).external_fixed_ips).toEqual([{ subnet_id: extSub, ip_address: '1.0.0.200' }]);
  });

  it('takes one address per requested subnet (IPv4 and IPv6 on one gateway)', async () => {
    const v6 = (await t.req('POST', '/v2.0/subnets', { subnet: { network_id: pub, cidr: '2001:db8::/64' } })).body.subnet.id;
    const res = await t.req('POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: pub, external_fixed_ips: [{ subnet_id: extSub }, { subnet_id: v6, ip_address: '2001:DB8::10' }] } } });
    expect(res.status).toBe(201);
    expect(gw(res.body).external_fixed_ips).toEqual([{ subnet_id: extSub, ip_address: '1.0.0.2' }, { subnet_id: v6, ip_address: '2001:db8::10' }]);
  });

  it.each([
    ['unknown network', { network_id: 'nope' }, 404, 'NetworkNotFound', /Network nope/],
    ['a network that is not external', { network_id: 'INTERNAL' }, 400, 'BadRequest', /not an external network/],
    ['a subnet of another network', { network_id: 'PUB', external_fixed_ips: [{ subnet_id: 'INTERNAL_SUB' }] }, 400, 'InvalidInput', /not a subnet of external network/],
    ['an unknown subnet', { network_id: 'PUB', external_fixed_ips: [{ subnet_id: 'nope' }] }, 400, 'InvalidInput', /not a subnet of external network/],
    ['an address outside the subnet', { network_id: 'PUB', external_fixed_ips: [{ subnet_id: 'EXT_SUB', ip_address: '2.0.0.5' }] }, 400, 'InvalidIpForSubnet', /2\.0\.0\.5 is not a valid IP for subnet/],
    ['an address in no subnet', { network_id: 'PUB', external_fixed_ips: [{ ip_address: '9.9.9.9' }] }, 400, 'InvalidInput', /in no subnet/],
    ['the broadcast address', { network_id: 'PUB', external_fixed_ips: [{ ip_address: '1.0.0.255' }] }, 400, 'InvalidIpForSubnet', /not one of its usable host addresses/],
    ['the subnet gateway address', { network_id: 'PUB', external_fixed_ips: [{ ip_address: '1.0.0.1' }] }, 409, 'IpAddressAlreadyAllocated', /1\.0\.0\.1 is in use/],
    ['an address another router holds', { network_id: 'PUB', external_fixed_ips: [{ ip_address: '1.0.0.2' }] }, 409, 'IpAddressAlreadyAllocated', /1\.0\.0\.2 is in use/],
    ['one address twice', { network_id: 'PUB', external_fixed_ips: [{ ip_address: '1.0.0.7' }, { ip_address: '1.0.0.7' }] }, 409, 'IpAddressAlreadyAllocated', /in use/],
    ['an entry with neither subnet nor address', { network_id: 'PUB', external_fixed_ips: [{}] }, 400, 'InvalidInput', /needs subnet_id or ip_address/],
    ['fixed IPs without a network', { external_fixed_ips: [{ ip_address: '1.0.0.7' }] }, 400, 'InvalidInput', /network_id is required/],
    ['a malformed address', { network_id: 'PUB', external_fixed_ips: [{ ip_address: '1.0.0' }] }, 400, 'HTTPBadRequest', /ip_address/],
    ['an unknown gateway field', { network_id: 'PUB', qos_policy_id: 'x' }, 400, 'HTTPBadRequest', /unknown field.*qos_policy_id/],
    ['enable_snat of the wrong type', { network_id: 'PUB', enable_snat: 'maybe' }, 400, 'HTTPBadRequest', /enable_snat: 'maybe' cannot be converted to boolean/],
  ])('create refuses a gateway on %s and writes nothing', async (_what, info, status, type, message) => {
    const internal = (await t.req('POST', '/v2.0/networks', { network: { name: 'private' } })).body.network.id;
    const internalSub = (await t.req('POST', '/v2.0/subnets', { subnet: { network_id: internal, cidr: '10.0.0.0/24' } })).body.subnet.id;
    await t.req('POST', '/v2.0/routers', { router: { name: 'holder', external_gateway_info: { network_id: pub } } }); // takes 1.0.0.2
    const names: Record<string, string> = { PUB: pub, INTERNAL: internal, INTERNAL_SUB: internalSub, EXT_SUB: extSub };
    const body = JSON.parse(JSON.stringify(info).replace(/"(PUB|INTERNAL_SUB|INTERNAL|EXT_SUB)"/g, (_m, k) => JSON.stringify(names[k])));
    const res = await t.req('POST', '/v2.0/routers', { router: { name: 'new', external_gateway_info: body } });
    expect(res.status).toBe(status);
    expect(res.body.NeutronError.type).toBe(type);
    expect(res.body.NeutronError.message).toMatch(message);
    expect(await routerCount()).toBe(1);
  });

  it.each([
    ['malformed JSON', '{"router": ', 400, /not valid JSON/],
    ['wrong envelope', { routers: {} }, 400, /\{"router"/],
    ['unknown field', { router: { distributed: true } }, 400, /unknown field.*distributed/],
    ['wrong type', { router: { admin_state_up: 'maybe' } }, 400, /router\.admin_state_up/],
    ['hints not a list (Neutron has no converter here)', { router: { availability_zone_hints: 'az1' } }, 400, /availability_zone_hints/],
    ['gateway info not an object', { router: { external_gateway_info: 'public' } }, 400, /external_gateway_info/],
    ['an unknown availability zone', { router: { availability_zone_hints: ['az1', 'nowhere'] } }, 400, /AvailabilityZone nowhere could not be found/],
  ])('create rejects %s and writes nothing', async (_what, body, status, message) => {
    await t.deps.database.db.insert(hostGroups).values({ id: 'g1', name: 'az1', createdAt: 0 });
    const res = await t.req('POST', '/v2.0/routers', body);
    expect(res.status).toBe(status);
    expect(res.body.NeutronError.message).toMatch(message);
    if (_what === 'an unknown availability zone') expect(res.body.NeutronError.type).toBe('AvailabilityZoneNotFound');
    expect(await routerCount()).toBe(0);
  });

  it('keeps availability_zone_hints that name host groups, and only at create', async () => {
    await t.deps.database.db.insert(hostGroups).values({ id: 'g1', name: 'az1', createdAt: 0 });
    const res = await t.req('POST', '/v2.0/routers', { router: { availability_zone_hints: ['az1'] } });
    expect(res.body.router).toMatchObject({ availability_zone_hints: ['az1'], availability_zones: [] });
    const upd = await t.req('PUT', `/v2.0/routers/${res.body.router.id}`, { router: { availability_zone_hints: [] } });
    expect(upd.status).toBe(400);
    expect(upd.body.NeutronError.message).toMatch(/only be set when the router is created/);
  });

  it('answers 409 IpAddressGenerationFailure when the external subnet is full', async () => {
    const small = (await t.req('POST', '/v2.0/networks', { network: { name: 'tiny', 'router:external': true } })).body.network.id;
    await t.req('POST', '/v2.0/subnets', { subnet: { network_id: small, cidr: '5.0.0.0/30' } }); // hosts .1 (gateway) and .2
    expect((await t.req('POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: small } } })).status).toBe(201);
    const full = await t.req('POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: small } } });
    expect(full.status).toBe(409);
    expect(full.body.NeutronError.type).toBe('IpAddressGenerationFailure');
    const bare = (await t.req('POST', '/v2.0/networks', { network: { name: 'bare', 'router:external': true } })).body.network.id;
    expect((await t.req('POST', '/v2.0/routers', { router: { external_gateway_info: { network_id: bare } } })).body.NeutronError.message).toMatch(/has no subnet/);
  });
});
