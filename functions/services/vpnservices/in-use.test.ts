import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { insertSubnet } from '../../../test/helpers/fixtures';
import { assertSubnetNotInEndpointGroup } from '../endpoint-groups/in-use';
import { connectionBody, ok, vpnWorld, type VpnWorld } from '../site-connections/test-kit';
import { assertRouterNotUsedByVpn, assertSubnetNotUsedByVpn } from './in-use';

/** The AppError a check throws (code and Neutron type), or 'ok'. */
const outcome = (p: Promise<void>) => p.then(() => 'ok', (e) => `${e.code} ${e.type}`);

describe('what the routers and subnets APIs must not take from under a VPN', () => {
  let t: TestApp;
  let w: VpnWorld;
  beforeEach(async () => {
    t = await createTestApp();
    w = await vpnWorld(t);
  });
  afterEach(() => t.close());

  it('a router carrying VPN services is in use (409 RouterInUse) until they are gone', async () => {
    const db = t.deps.database.db;
    expect(await outcome(assertRouterNotUsedByVpn(db, w.topo.routerId))).toBe('CONFLICT RouterInUse');
    expect(await outcome(assertRouterNotUsedByVpn(db, 'another-router'))).toBe('ok');
    for (const id of [w.serviceId, w.legacyServiceId]) await t.req('DELETE', `/v2.0/vpn/vpnservices/${id}`, undefined, w.token);
    expect(await outcome(assertRouterNotUsedByVpn(db, w.topo.routerId))).toBe('ok');
  });

  it("a legacy service's subnet, or a connection's local subnet, may not leave the router (409)", async () => {
    const db = t.deps.database.db;
    expect(await outcome(assertSubnetNotUsedByVpn(db, w.topo.routerId, w.topo.localSubnetId))).toBe('CONFLICT SubnetInUseByVPNService');
    await t.req('DELETE', `/v2.0/vpn/vpnservices/${w.legacyServiceId}`, undefined, w.token);
    expect(await outcome(assertSubnetNotUsedByVpn(db, w.topo.routerId, w.topo.localSubnetId))).toBe('ok');
    await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token));
    expect(await outcome(assertSubnetNotUsedByVpn(db, w.topo.routerId, w.topo.localSubnetId))).toBe('CONFLICT SubnetInUseByIPsecSiteConnection');
    expect(await outcome(assertSubnetNotUsedByVpn(db, 'another-router', w.topo.localSubnetId))).toBe('ok');
  });

  it('a subnet listed in an endpoint group may not be deleted (409 SubnetInUseByEndpointGroup)', async () => {
    const db = t.deps.database.db;
    const free = await insertSubnet(db, { tenantId: 'tenant-a', networkId: w.topo.localNetworkId, cidr: '192.168.8.0/24' });
    expect(await outcome(assertSubnetNotInEndpointGroup(db, w.topo.localSubnetId))).toBe('CONFLICT SubnetInUseByEndpointGroup');
    expect(await outcome(assertSubnetNotInEndpointGroup(db, free))).toBe('ok');
    // A cidr group holding the same text is not a subnet reference.
    await ok(t.req('POST', '/v2.0/vpn/endpoint-groups', { endpoint_group: { type: 'cidr', endpoints: ['10.0.0.0/8'] } }, w.token));
    expect(await outcome(assertSubnetNotInEndpointGroup(db, '10.0.0.0/8'))).toBe('ok');
  });
});
