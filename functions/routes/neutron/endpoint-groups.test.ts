import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { insertNetwork, insertSubnet, seedTopology } from '../../../test/helpers/fixtures';
import { connectionBody, ok, vpnWorld } from '../../services/site-connections/test-kit';

const URL = '/v2.0/vpn/endpoint-groups';

describe('/v2.0/vpn/endpoint-groups', () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('creates cidr and subnet groups, shows, lists with filters, renames and deletes', async () => {
    const topo = await seedTopology(t.deps.database.db);
    const a = await t.tenantToken('tenant-a');
    const cidr = await ok(t.req('POST', URL, { endpoint_group: { name: 'venus', type: 'cidr', endpoints: ['192.168.2.0/24', '10.9.0.0/16'] } }, a));
    expect(cidr).toMatchObject({ name: 'venus', description: '', type: 'cidr', endpoints: ['192.168.2.0/24', '10.9.0.0/16'], tenant_id: 'tenant-a' });
    const sub = await ok(t.req('POST', URL, { endpoint_group: { name: 'local', type: 'subnet', endpoints: [topo.localSubnetId] } }, a));
    expect(sub).toMatchObject({ type: 'subnet', endpoints: [topo.localSubnetId] });
    expect(await ok(t.req('GET', `${URL}/${cidr.id}`, undefined, a), 200)).toEqual(cidr);
    expect((await t.req('GET', `${URL}?type=cidr`, undefined, a)).body.endpoint_groups.map((g: any) => g.id)).toEqual([cidr.id]);
    expect((await t.req('GET', `${URL}?name=local`, undefined, a)).body.endpoint_groups.map((g: any) => g.id)).toEqual([sub.id]);
    const renamed = await ok(t.req('PUT', `${URL}/${cidr.id}`, { endpoint_group: { name: 'venus-2', description: 'peer side' } }, a), 200);
    expect(renamed).toMatchObject({ name: 'venus-2', description: 'peer side', endpoints: cidr.endpoints });
    expect((await t.req('DELETE', `${URL}/${cidr.id}`, undefined, a)).status).toBe(204);
    const gone = await t.req('GET', `${URL}/${cidr.id}`, undefined, a);
    expect(gone.status).toBe(404);
    expect(gone.body.NeutronError.type).toBe('VPNEndpointGroupNotFound');
  });

  describe('validation', () => {
    let a: string;
    let own: string;
    let other: string;
    let v6: string;
    beforeEach(async () => {
      const db = t.deps.database.db;
      a = await t.tenantToken('tenant-a');
      const netA = await insertNetwork(db, { tenantId: 'tenant-a' });
      own = await insertSubnet(db, { tenantId: 'tenant-a', networkId: netA, cidr: '192.168.1.0/24' });
      v6 = await insertSubnet(db, { tenantId: 'tenant-a', networkId: netA, cidr: '2001:db8:1::/64' });
      const netB = await insertNetwork(db, { tenantId: 'tenant-b' });
      other = await insertSubnet(db, { tenantId: 'tenant-b', networkId: netB, cidr: '192.168.9.0/24' });
    });

    const cases: [string, () => unknown, RegExp, string?][] = [
      ['a router group (not supported by berth)', () => ({ type: 'router', endpoints: ['x'] }), /berth supports endpoint group types 'cidr' and 'subnet', not "router"/],
      ['a network group', () => ({ type: 'network', endpoints: ['x'] }), /berth supports endpoint group types 'cidr' and 'subnet'/],
      ['a vlan group', () => ({ type: 'vlan', endpoints: ['100'] }), /berth supports endpoint group types 'cidr' and 'subnet'/],
      ['a missing type', () => ({ endpoints: ['10.0.0.0/8'] }), /type: is required/],
      ['no endpoints', () => ({ type: 'cidr', endpoints: [] }), /endpoints: needs at least one endpoint/],
      ['missing endpoints', () => ({ type: 'cidr' }), /endpoints: is required/],
      ['endpoints not strings', () => ({ type: 'cidr', endpoints: 5 }), /endpoints/],
      ['a duplicate CIDR', () => ({ type: 'cidr', endpoints: ['10.0.0.0/8', '10.0.0.0/8'] }), /duplicate endpoint '10.0.0.0\/8'/, 'DuplicateEndpointInEndpointGroup'],
      ['the same IPv6 CIDR written twice', () => ({ type: 'cidr', endpoints: ['2001:db8::/32', '2001:DB8:0::/32'] }), /duplicate endpoint/],
      ['a CIDR with host bits', () => ({ type: 'cidr', endpoints: ['10.0.0.1/8'] }), /'10.0.0.1\/8' is invalid .* host bits zero/, 'InvalidEndpointInEndpointGroup'],
      ['something not a CIDR', () => ({ type: 'cidr', endpoints: ['venus'] }), /'venus' is invalid/, 'InvalidEndpointInEndpointGroup'],
      ['mixed IP versions', () => ({ type: 'cidr', endpoints: ['10.0.0.0/8', '2001:db8::/32'] }), /must all be IPv4 or all IPv6/, 'MixedIPVersionsForIPSecEndpoints'],
      ['an unknown subnet', () => ({ type: 'subnet', endpoints: [own, 'no-such-subnet'] }), /Subnet no-such-subnet in endpoint group does not exist/, 'NonExistingSubnetInEndpointGroup'],
      ["another tenant's subnet", () => ({ type: 'subnet', endpoints: [other] }), /does not exist/, 'NonExistingSubnetInEndpointGroup'],
      ['a duplicate subnet', () => ({ type: 'subnet', endpoints: [own, v6, own] }), /duplicate endpoint/],
      ['a read-only id', () => ({ id: 'x', type: 'cidr', endpoints: ['10.0.0.0/8'] }), /id: is read-only/],
      ['an unknown field', () => ({ type: 'cidr', endpoints: ['10.0.0.0/8'], cidrs: [] }), /unknown field.*cidrs/],
    ];
    it.each(cases)('rejects %s with 400 and writes nothing', async (_what, body, message, type) => {
      const res = await t.req('POST', URL, { endpoint_group: body() }, a);
      expect(res.status).toBe(400);
      expect(res.body.NeutronError.message).toMatch(message);
      if (type) expect(res.body.NeutronError.type).toBe(type);
      expect((await t.req('GET', URL)).body.endpoint_groups).toHaveLength(0);
    });

    it('rejects changes of type and endpoints (create-only) and keeps the group', async () => {
      const g = await ok(t.req('POST', URL, { endpoint_group: { type: 'subnet', endpoints: [own, v6] } }, a));
      for (const body of [{ type: 'cidr' }, { endpoints: [own] }, { tenant_id: 'tenant-b' }]) {
        const res = await t.req('PUT', `${URL}/${g.id}`, { endpoint_group: body }, a);
        expect(res.status).toBe(400);
        expect(res.body.NeutronError.message).toMatch(/cannot be changed after creation/);
      }
      expect(await ok(t.req('GET', `${URL}/${g.id}`, undefined, a), 200)).toEqual(g);
    });
  });

  it('rejects malformed bodies', async () => {
    expect((await t.req('POST', URL, '{"endpoint_group":')).status).toBe(400);
    expect((await t.req('POST', URL, { endpoint_groups: {} })).body.NeutronError.message).toMatch(/\{"endpoint_group"/);
    expect((await t.req('POST', URL, 'null')).status).toBe(400);
  });

  it('keeps tenants apart: 404 for another tenant, never 403', async () => {
    const a = await t.tenantToken('tenant-a');
    const b = await t.tenantToken('tenant-b');
    const g = await ok(t.req('POST', URL, { endpoint_group: { type: 'cidr', endpoints: ['10.0.0.0/8'] } }, a));
    for (const [method, body] of [['GET', undefined], ['PUT', { endpoint_group: { name: 'x' } }], ['DELETE', undefined]] as const) {
      const res = await t.req(method, `${URL}/${g.id}`, body, b);
      expect(res.status).toBe(404);
      expect(res.body.NeutronError.type).toBe('VPNEndpointGroupNotFound');
    }
    expect((await t.req('GET', URL, undefined, b)).body.endpoint_groups).toHaveLength(0);
    expect((await t.req('GET', URL)).body.endpoint_groups).toHaveLength(1);
  });

  it('refuses to delete a group a connection uses (409 EndpointGroupInUse)', async () => {
    const w = await vpnWorld(t);
    const conn = await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token));
    for (const id of [w.localGroupId, w.peerGroupId]) {
      const res = await t.req('DELETE', `${URL}/${id}`, undefined, w.token);
      expect(res.status).toBe(409);
      expect(res.body.NeutronError.type).toBe('EndpointGroupInUse');
    }
    expect((await t.req('DELETE', `/v2.0/vpn/ipsec-site-connections/${conn.id}`, undefined, w.token)).status).toBe(204);
    expect((await t.req('DELETE', `${URL}/${w.peerGroupId}`, undefined, w.token)).status).toBe(204);
  });
});
