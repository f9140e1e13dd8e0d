import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { attachInterface, insertSubnet } from '../../../test/helpers/fixtures';
import { ipsecSiteConnections, routers, subnets } from '../../db/schema';
import { routerSouthbound } from '../../translator/southbound-read';
import { PSK, connectionBody, legacyConnectionBody, ok, vpnWorld, type VpnWorld } from '../../services/site-connections/test-kit';

const URL = '/v2.0/vpn/ipsec-site-connections';
const EG = '/v2.0/vpn/endpoint-groups';

describe('/v2.0/vpn/ipsec-site-connections', () => {
  let t: TestApp;
  let w: VpnWorld;
  beforeEach(async () => {
    t = await createTestApp();
    w = await vpnWorld(t);
  });
  afterEach(() => t.close());

  const group = async (type: string, endpoints: string[]) =>
    (await ok(t.req('POST', EG, { endpoint_group: { type, endpoints } }, w.token))).id as string;
  /** A subnet of the tenant's private network, attached to the router unless told otherwise. */
  const subnet = async (cidr: string, attach = true) => {
    const db = t.deps.database.db;
    const id = await insertSubnet(db, { tenantId: w.topo.tenantId, networkId: w.topo.localNetworkId, cidr });
    if (attach) await attachInterface(db, { tenantId: w.topo.tenantId, routerId: w.topo.routerId, subnetId: id, address: cidr.replace(/\/\d+$/, '1'), prefixLen: Number(cidr.split('/')[1]) });
    return id;
  };
  const setGateway = (ips: string[]) =>
    t.deps.database.db.update(routers).set({ gatewayFixedIps: ips.map((ip) => ({ subnet_id: w.topo.externalSubnetId, ip_address: ip })) }).where(eq(routers.id, w.topo.routerId));

  it('creates a connection with Neutron defaults, pending creation, and never returns the PSK', async () => {
    const res = await t.req('POST', URL, connectionBody(w));
    expect(res.status, res.text).toBe(201);
    const c = res.body.ipsec_site_connection;
    expect(c).toMatchObject({
      name: 'to-venus', tenant_id: 'tenant-a', vpnservice_id: w.serviceId, ikepolicy_id: w.ikeId, ipsecpolicy_id: w.ipsecId,
      peer_address: '1.0.0.3', peer_id: '1.0.0.3', local_id: '', peer_cidrs: [], local_ep_group_id: w.localGroupId,
      peer_ep_group_id: w.peerGroupId, mtu: 1500, initiator: 'bi-directional', dpd: { action: 'hold', interval: 30, timeout: 120 },
      admin_state_up: true, status: 'PENDING_CREATE', route_mode: 'static', auth_mode: 'psk',
    });
    expect(c).not.toHaveProperty('psk');
    expect(res.text).not.toContain(PSK);
    const [row] = await t.deps.database.db.select().from(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, c.id));
    expect(row.pskCiphertext).not.toContain(PSK);
    expect(await t.deps.secrets.decrypt(row.pskCiphertext)).toBe(PSK);
  });

  it('keeps the PSK out of show, list, fields= and update responses, and re-encrypts a new one', async () => {
    const c = await ok(t.req('POST', URL, connectionBody(w), w.token));
    const reads = [
      await t.req('GET', `${URL}/${c.id}`, undefined, w.token),
      await t.req('GET', `${URL}/${c.id}?fields=psk&fields=id`, undefined, w.token),
      await t.req('GET', URL, undefined, w.token),
      await t.req('GET', `${URL}?fields=psk`),
    ];
    // psk is no attribute berth shows, so it is no filter either (Neutron's "invalid attribute for filtering").
    const byPsk = await t.req('GET', `${URL}?psk=${PSK}`);
    expect(byPsk.status).toBe(400);
    expect(byPsk.text).not.toContain(PSK);
    for (const r of reads) {
      expect(r.status).toBe(200);
      expect(r.text).not.toContain(PSK);
      expect(r.text).not.toMatch(/"psk":/);
    }
    const newPsk = 'another-secret-for-the-tunnel';
    const upd = await t.req('PUT', `${URL}/${c.id}`, { ipsec_site_connection: { psk: newPsk } }, w.token);
    expect(upd.status).toBe(200);
    expect(upd.text).not.toContain(newPsk);
    expect(upd.body.ipsec_site_connection).not.toHaveProperty('psk');
    const [row] = await t.deps.database.db.select().from(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, c.id));
    expect(row.pskCiphertext).not.toContain(newPsk);
    expect(await t.deps.secrets.decrypt(row.pskCiphertext)).toBe(newPsk);
  });

  it('creates a legacy connection (service with a subnet, peer_cidrs)', async () => {
    const c = await ok(t.req('POST', URL, legacyConnectionBody(w, { peer_cidrs: ['192.168.2.0/24', '192.168.3.0/24'] }), w.token));
    expect(c).toMatchObject({ vpnservice_id: w.legacyServiceId, peer_cidrs: ['192.168.2.0/24', '192.168.3.0/24'], local_ep_group_id: null, peer_ep_group_id: null });
  });

  it('accepts a DNS name as peer address and a partial dpd merged with the defaults', async () => {
    const c = await ok(t.req('POST', URL, connectionBody(w, { peer_address: 'venus.example.net', dpd: { action: 'restart', timeout: 90 }, mtu: 1400, initiator: 'response-only', local_id: '@mercury' }), w.token));
    expect(c).toMatchObject({ peer_address: 'venus.example.net', dpd: { action: 'restart', interval: 30, timeout: 90 }, mtu: 1400, initiator: 'response-only', local_id: '@mercury' });
  });

  it('updates (validated against the merged values) and marks the connection PENDING_UPDATE', async () => {
    const c = await ok(t.req('POST', URL, connectionBody(w), w.token));
    const u = await ok(t.req('PUT', `${URL}/${c.id}`, { ipsec_site_connection: { name: 'venus-2', dpd: { interval: 60 }, mtu: 1380, admin_state_up: false } }, w.token), 200);
    expect(u).toMatchObject({ name: 'venus-2', dpd: { action: 'hold', interval: 60, timeout: 120 }, mtu: 1380, admin_state_up: false, status: 'PENDING_UPDATE' });
    const peer2 = await group('cidr', ['10.20.0.0/16']);
    expect((await ok(t.req('PUT', `${URL}/${c.id}`, { ipsec_site_connection: { peer_ep_group_id: peer2 } }, w.token), 200)).peer_ep_group_id).toBe(peer2);
    expect(await ok(t.req('GET', `${URL}/${c.id}`, undefined, w.token), 200)).toMatchObject({ name: 'venus-2', peer_ep_group_id: peer2 });
  });

  it('translates in the same write: create, update and delete move the routes to the peer', async () => {
    const ipsecRoutes = async () => (await routerSouthbound(t.deps.database.db, w.topo.routerId)).routes
      .filter((r) => r.ipsecSiteConnectionId !== null).map((r) => `${r.srcCidr} > ${r.dstCidr}`);
    const c = await ok(t.req('POST', URL, connectionBody(w), w.token));
    expect(await ipsecRoutes()).toEqual(['192.168.1.0/24 > 192.168.2.0/24']);
    const peer2 = await group('cidr', ['10.20.0.0/16']);
    await ok(t.req('PUT', `${URL}/${c.id}`, { ipsec_site_connection: { peer_ep_group_id: peer2 } }, w.token), 200);
    expect(await ipsecRoutes()).toEqual(['192.168.1.0/24 > 10.20.0.0/16']);
    expect((await t.req('DELETE', `${URL}/${c.id}`, undefined, w.token)).status).toBe(204);
    expect(await ipsecRoutes()).toEqual([]);
  });

  // Neutron's mixed-family rules: inner (local vs peer CIDRs) must match, outer (peer address vs gateway) must
  // match, and the two are independent. The southbound state of each: no route via a next hop of another family.
  it.each([
    ['v6 in v6', ['1.0.0.2', '2001:db8::2'], '2001:db8::3', true, '2001:db8::2'],
    ['v6 in v4', ['1.0.0.2'], '1.0.0.3', true, '1.0.0.2'],
    ['v4 in v6', ['2001:db8::2'], '2001:db8::3', false, '2001:db8::2'],
    ['v4 in v4 (dual-stack gateway)', ['1.0.0.2', '2001:db8::2'], '1.0.0.3', false, '1.0.0.2'],
  ])('accepts %s and translates it: every route via a next hop of its own family, three REDIRECTs to the outer gateway', async (_what, gateway, peerAddress, inner6, redirectIp) => {
    await setGateway(gateway);
    const body = inner6
      ? connectionBody(w, { peer_address: peerAddress, peer_id: peerAddress, local_ep_group_id: await group('subnet', [await subnet('2001:db8:1::/64')]), peer_ep_group_id: await group('cidr', ['2001:db8:2::/64']) })
      : connectionBody(w, { peer_address: peerAddress, peer_id: peerAddress });
    await ok(t.req('POST', URL, body, w.token));
    const sb = (await t.req('GET', `/v1/routers/${w.topo.routerId}/southbound`)).body;
    const family = (a: string) => (a.includes(':') ? 6 : 4);
    expect(sb.routes.filter((r: any) => r.nextHopGateway && family(r.nextHopGateway) !== family(r.dstCidr))).toEqual([]);
    expect(sb.routes.filter((r: any) => family(r.srcCidr) !== family(r.dstCidr))).toEqual([]);
    const vpn = sb.routes.filter((r: any) => r.origin === 'ipsec').map((r: any) => `${r.srcCidr} > ${r.dstCidr}`);
    expect(vpn).toEqual([inner6 ? '2001:db8:1::/64 > 2001:db8:2::/64' : '192.168.1.0/24 > 192.168.2.0/24']);
    expect(sb.rules.map((r: any) => [r.action, r.nwDstIp, r.nwProto, r.tpDst])).toEqual([
      ['REDIRECT', redirectIp, 50, null], ['REDIRECT', redirectIp, 17, 500], ['REDIRECT', redirectIp, 17, 4500],
    ]);
    // The container's IPv6 link exists exactly when IPv6 is inside or outside.
    expect(sb.routes.some((r: any) => r.origin === 'vpn-link' && family(r.dstCidr) === 6)).toBe(inner6 || family(peerAddress) === 6);
  });

  it('lists with filters (?vpnservice_id=, ?name=) and deletes', async () => {
    const c1 = await ok(t.req('POST', URL, connectionBody(w), w.token));
    const c2 = await ok(t.req('POST', URL, legacyConnectionBody(w), w.token));
    const ids = async (q: string) => (await t.req('GET', `${URL}${q}`, undefined, w.token)).body.ipsec_site_connections.map((c: any) => c.id);
    expect(await ids(`?vpnservice_id=${w.serviceId}`)).toEqual([c1.id]);
    expect(await ids(`?vpnservice_id=${w.legacyServiceId}`)).toEqual([c2.id]);
    expect(await ids('?name=to-venus-legacy')).toEqual([c2.id]);
    expect(await ids('?name=nobody')).toEqual([]);
    expect((await t.req('GET', `${URL}?fields=id&fields=status`, undefined, w.token)).body.ipsec_site_connections).toContainEqual({ id: c1.id, status: 'PENDING_CREATE' });
    expect((await t.req('DELETE', `${URL}/${c1.id}`, undefined, w.token)).status).toBe(204);
    const gone = await t.req('GET', `${URL}/${c1.id}`, undefined, w.token);
    expect(gone.status).toBe(404);
    expect(gone.body.NeutronError.type).toBe('IPsecSiteConnectionNotFound');
    expect(await ids('')).toEqual([c2.id]);
  });

  describe('rejects an invalid connection with 400, a Neutron type and a clear message, and writes nothing', () => {
    type Case = [string, () => Promise<unknown>, string, RegExp];
    const cases: Case[] = [
      // mode: endpoint-group service
      ['no endpoint groups', async () => connectionBody(w, { local_ep_group_id: undefined, peer_ep_group_id: undefined }), 'MissingRequiredEndpointGroup', /Missing endpoint groups local and peer/],
      ['no peer group', async () => connectionBody(w, { peer_ep_group_id: null }), 'MissingRequiredEndpointGroup', /Missing endpoint group peer\b/],
      ['peer_cidrs on an endpoint-group service', async () => connectionBody(w, { peer_cidrs: ['192.168.2.0/24'] }), 'PeerCidrsInvalid', /Peer CIDRs cannot be specified/],
      // mode: legacy service
      ['a legacy connection without peer_cidrs', async () => legacyConnectionBody(w, { peer_cidrs: [] }), 'MissingPeerCidrs', /Missing peer CIDRs/],
      ['endpoint groups on a legacy service', async () => legacyConnectionBody(w, { local_ep_group_id: w.localGroupId, peer_ep_group_id: w.peerGroupId }), 'InvalidEndpointGroup', /Endpoint groups local and peer cannot be specified/],
      ['mixed IP versions in legacy peer_cidrs', async () => legacyConnectionBody(w, { peer_cidrs: ['192.168.2.0/24', '2001:db8:2::/64'] }), 'MixedIPVersionsForPeerCidrs', /Peer CIDRs do not have the same IP version/],
      ['IPv6 peers for an IPv4 legacy subnet', async () => legacyConnectionBody(w, { peer_cidrs: ['2001:db8:2::/64'] }), 'MixedIPVersionsForIPSecConnection', /local IPv4, peer IPv6/],
      // group types and contents
      ['a cidr group as local group', async () => connectionBody(w, { local_ep_group_id: await group('cidr', ['192.168.1.0/24']) }), 'WrongEndpointGroupType', /type is 'cidr' and should be 'subnet'/],
      ['a subnet group as peer group', async () => connectionBody(w, { peer_ep_group_id: w.localGroupId }), 'WrongEndpointGroupType', /type is 'subnet' and should be 'cidr'/],
      ['a local subnet not attached to the router', async () => connectionBody(w, { local_ep_group_id: await group('subnet', [await subnet('192.168.5.0/24', false)]) }), 'SubnetIsNotConnectedToRouter', /is not connected to Router/],
      ['a local subnet deleted since the group was made', async () => {
        const gone = await subnet('192.168.6.0/24', false);
        const g = await group('subnet', [w.topo.localSubnetId, gone]);
        await t.deps.database.db.delete(subnets).where(eq(subnets.id, gone));
        return connectionBody(w, { local_ep_group_id: g });
      }, 'NonExistingSubnetInEndpointGroup', /does not exist/],
      ['local subnets of mixed IP versions', async () => connectionBody(w, { local_ep_group_id: await group('subnet', [w.topo.localSubnetId, await subnet('2001:db8:1::/64')]) }), 'MixedIPVersionsForIPSecEndpoints', /do not have the same IP version/],
      ['IPv4 local and IPv6 peer', async () => connectionBody(w, { peer_ep_group_id: await group('cidr', ['2001:db8:2::/64']) }), 'MixedIPVersionsForIPSecConnection', /not compatible between peer and local/],
      // the router's gateway
      ['a router whose gateway was removed', async () => {
        await t.deps.database.db.update(routers).set({ gatewayNetworkId: null, gatewayFixedIps: [] }).where(eq(routers.id, w.topo.routerId));
        return connectionBody(w);
      }, 'RouterIsNotExternal', /has no external network gateway/],
      ['an IPv6 peer address behind an IPv4-only gateway', async () => connectionBody(w, { peer_address: '2001:db8::3' }), 'ExternalNetworkHasNoSubnet', /no IPv6 subnet \(peer_address 2001:db8::3 is IPv6\)/],
      // dpd and mtu
      ['dpd timeout equal to the interval', async () => connectionBody(w, { dpd: { interval: 60, timeout: 60 } }), 'IPsecSiteConnectionDpdIntervalValueError', /dpd timeout \(60\) is equal to or less than dpd interval \(60\)/],
      ['a dpd interval above the default timeout', async () => connectionBody(w, { dpd: { interval: 200 } }), 'IPsecSiteConnectionDpdIntervalValueError', /timeout \(120\)/],
      ['an IPv4 MTU under 68', async () => connectionBody(w, { mtu: 67 }), 'IPsecSiteConnectionMtuError', /MTU 67 is too small for IPv4 \(minimum 68\)/],
      ['an IPv6 MTU under 1280', async () => {
        await setGateway(['1.0.0.2', '2001:db8::2']);
        return connectionBody(w, { mtu: 1279, local_ep_group_id: await group('subnet', [await subnet('2001:db8:1::/64')]), peer_ep_group_id: await group('cidr', ['2001:db8:2::/64']) });
      }, 'IPsecSiteConnectionMtuError', /MTU 1279 is too small for IPv6 \(minimum 1280\)/],
      // the body itself
      ['an empty psk', async () => connectionBody(w, { psk: '' }), 'HTTPBadRequest', /psk: must not be empty/],
      ['a missing psk', async () => connectionBody(w, { psk: undefined }), 'HTTPBadRequest', /psk: is required/],
      ['a psk with a line break', async () => connectionBody(w, { psk: 'abc\ninclude /etc/passwd' }), 'HTTPBadRequest', /psk: must not contain control characters/],
      ['a missing peer_address', async () => connectionBody(w, { peer_address: undefined }), 'HTTPBadRequest', /peer_address: is required/],
      ['a peer_address neither IP nor name', async () => connectionBody(w, { peer_address: 'not an address!' }), 'HTTPBadRequest', /peer_address: must be an IPv4 or IPv6 address or a DNS name/],
      ['an out-of-range IPv4 peer_address', async () => connectionBody(w, { peer_address: '999.1.1.1' }), 'HTTPBadRequest', /peer_address/],
      ['a missing peer_id', async () => connectionBody(w, { peer_id: undefined }), 'HTTPBadRequest', /peer_id: is required/],
      ['a missing vpnservice_id', async () => connectionBody(w, { vpnservice_id: undefined }), 'HTTPBadRequest', /vpnservice_id: is required/],
      ['an invalid peer CIDR', async () => legacyConnectionBody(w, { peer_cidrs: ['192.168.2.1/24'] }), 'HTTPBadRequest', /peer_cidrs\.0: must be a CIDR/],
      ['an unknown initiator', async () => connectionBody(w, { initiator: 'sometimes' }), 'HTTPBadRequest', /initiator/],
      ['an unknown dpd action', async () => connectionBody(w, { dpd: { action: 'explode' } }), 'HTTPBadRequest', /dpd\.action/],
      ['an unknown dpd key', async () => connectionBody(w, { dpd: { retries: 3 } }), 'HTTPBadRequest', /unknown field.*retries/],
      ['a non-integer mtu', async () => connectionBody(w, { mtu: '15.5' }), 'HTTPBadRequest', /mtu: '15.5' is not an integer/],
      ['a read-only status', async () => connectionBody(w, { status: 'ACTIVE' }), 'HTTPBadRequest', /status: is read-only/],
      ['a read-only route_mode', async () => connectionBody(w, { route_mode: 'bgp' }), 'HTTPBadRequest', /route_mode: is read-only/],
      ['an unknown field', async () => connectionBody(w, { colour: 'red' }), 'HTTPBadRequest', /unknown field.*colour/],
    ];
    it.each(cases)('%s', async (_what, body, type, message) => {
      const res = await t.req('POST', URL, await body(), w.token);
      expect(res.status, res.text).toBe(400);
      expect(res.body.NeutronError.type).toBe(type);
      expect(res.body.NeutronError.message).toMatch(message);
      expect(res.text).not.toContain(PSK);
      expect((await t.req('GET', URL)).body.ipsec_site_connections).toHaveLength(0);
    });
  });

  it.each([
    ['malformed JSON', '{"ipsec_site_connection": {"psk": "x"'],
    ['a wrong envelope', { ipsec_site_connections: {} }],
    ['an array body', []],
  ])('rejects %s', async (_what, body) => {
    expect((await t.req('POST', URL, body, w.token)).status).toBe(400);
    expect((await t.req('GET', URL)).body.ipsec_site_connections).toHaveLength(0);
  });

  describe('rejects a bad update with 400 and leaves the connection as it was', () => {
    const cases: [string, () => Promise<Record<string, unknown>>, RegExp][] = [
      ['a dpd interval at or above the current timeout', async () => ({ dpd: { interval: 120 } }), /dpd timeout \(120\) is equal to or less than dpd interval \(120\)/],
      ['peer_cidrs on an endpoint-group service', async () => ({ peer_cidrs: ['10.0.0.0/8'] }), /Peer CIDRs cannot be specified/],
      ['dropping the local group', async () => ({ local_ep_group_id: null }), /Missing endpoint group local\b/],
      ['a peer group of the wrong IP version', async () => ({ peer_ep_group_id: await group('cidr', ['2001:db8:9::/64']) }), /not compatible between peer and local/],
      ['an MTU too small', async () => ({ mtu: 60 }), /MTU 60 is too small/],
      ['vpnservice_id (create-only)', async () => ({ vpnservice_id: w.legacyServiceId }), /vpnservice_id: cannot be changed after creation/],
      ['ikepolicy_id (create-only)', async () => ({ ikepolicy_id: w.ikeId }), /ikepolicy_id: cannot be changed after creation/],
      ['ipsecpolicy_id (create-only)', async () => ({ ipsecpolicy_id: w.ipsecId }), /ipsecpolicy_id: cannot be changed after creation/],
      ['tenant_id (create-only)', async () => ({ tenant_id: 'tenant-b' }), /tenant_id: cannot be changed after creation/],
      ['status (read-only)', async () => ({ status: 'ACTIVE' }), /status: is read-only/],
      ['auth_mode (read-only)', async () => ({ auth_mode: 'cert' }), /auth_mode: is read-only/],
      ['an empty psk', async () => ({ psk: '' }), /psk: must not be empty/],
    ];
    it.each(cases)('%s', async (_what, body, message) => {
      const c = await ok(t.req('POST', URL, connectionBody(w), w.token));
      const [before] = await t.deps.database.db.select().from(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, c.id));
      const res = await t.req('PUT', `${URL}/${c.id}`, { ipsec_site_connection: await body() }, w.token);
      expect(res.status, res.text).toBe(400);
      expect(res.body.NeutronError.message).toMatch(message);
      const [after] = await t.deps.database.db.select().from(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, c.id));
      expect(after).toEqual(before);
    });
  });

  describe('tenant isolation', () => {
    let b: string;
    let other: VpnWorld;
    beforeEach(async () => {
      other = await vpnWorld(t, { tenantId: 'tenant-b' });
      b = other.token;
    });

    it("gives 404 for another tenant's connection on show, update and delete, and hides it from lists", async () => {
      const c = await ok(t.req('POST', URL, connectionBody(w), w.token));
      for (const [method, body] of [['GET', undefined], ['PUT', { ipsec_site_connection: { name: 'x' } }], ['DELETE', undefined]] as const) {
        const res = await t.req(method, `${URL}/${c.id}`, body, b);
        expect(res.status).toBe(404);
        expect(res.body.NeutronError.type).toBe('IPsecSiteConnectionNotFound');
      }
      expect((await t.req('GET', URL, undefined, b)).body.ipsec_site_connections).toHaveLength(0);
      expect((await t.req('GET', `${URL}?vpnservice_id=${w.serviceId}`, undefined, b)).body.ipsec_site_connections).toHaveLength(0);
      expect((await t.req('GET', URL)).body.ipsec_site_connections).toHaveLength(1);
    });

    it.each([
      ['vpnservice_id', 'VPNServiceNotFound', (o: VpnWorld) => ({ vpnservice_id: o.serviceId })],
      ['ikepolicy_id', 'IKEPolicyNotFound', (o: VpnWorld) => ({ ikepolicy_id: o.ikeId })],
      ['ipsecpolicy_id', 'IPsecPolicyNotFound', (o: VpnWorld) => ({ ipsecpolicy_id: o.ipsecId })],
      ['local_ep_group_id', 'VPNEndpointGroupNotFound', (o: VpnWorld) => ({ local_ep_group_id: o.localGroupId })],
      ['peer_ep_group_id', 'VPNEndpointGroupNotFound', (o: VpnWorld) => ({ peer_ep_group_id: o.peerGroupId })],
      ['an unknown vpnservice_id', 'VPNServiceNotFound', () => ({ vpnservice_id: 'no-such-service' })],
      ['an unknown ikepolicy_id', 'IKEPolicyNotFound', () => ({ ikepolicy_id: 'no-such-policy' })],
    ])("gives 404 when a create names another tenant's %s", async (_what, type, overrides) => {
      const res = await t.req('POST', URL, connectionBody(w, overrides(other)), w.token);
      expect(res.status).toBe(404);
      expect(res.body.NeutronError.type).toBe(type);
      expect((await t.req('GET', URL)).body.ipsec_site_connections).toHaveLength(0);
    });

    it("gives 404 when an update names another tenant's endpoint group", async () => {
      const c = await ok(t.req('POST', URL, connectionBody(w), w.token));
      const res = await t.req('PUT', `${URL}/${c.id}`, { ipsec_site_connection: { peer_ep_group_id: other.peerGroupId } }, w.token);
      expect(res.status).toBe(404);
      expect(res.body.NeutronError.type).toBe('VPNEndpointGroupNotFound');
    });

    it("lets an admin create a connection on a tenant's service, owned by that tenant", async () => {
      const c = await ok(t.req('POST', URL, connectionBody(w)));
      expect(c.tenant_id).toBe('tenant-a');
      expect((await t.req('GET', `${URL}/${c.id}`, undefined, w.token)).status).toBe(200);
    });
  });
});
