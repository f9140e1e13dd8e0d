// Test-only helpers for the VPNaaS route tests: a seeded topology plus policies, a VPN service and endpoint
// groups created through the real API. Imported only by *.test.ts files.
import { expect } from 'vitest';
import type { TestApp } from '../../../test/helpers/harness';
import { seedTopology, type SeedTopology } from '../../../test/helpers/fixtures';

export const PSK = 'correct-horse-battery-staple-42';

export interface VpnWorld {
  topo: SeedTopology;
  /** The tenant's token (tenant-a unless told otherwise). */
  token: string;
  ikeId: string;
  ipsecId: string;
  /** Endpoint-group mode service (no subnet). */
  serviceId: string;
  /** Legacy mode service (subnet_id = the seed's local subnet). */
  legacyServiceId: string;
  /** type subnet: the seed's local subnet. */
  localGroupId: string;
  /** type cidr: 192.168.2.0/24 (venus). */
  peerGroupId: string;
}

/** Expects a 2xx and returns the body's single resource; shows the error body when it is not. */
export async function ok(res: Promise<{ status: number; body: any; text: string }>, status = 201): Promise<any> {
  const r = await res;
  expect(r.status, r.text).toBe(status);
  return Object.values(r.body ?? {})[0];
}

export async function vpnWorld(t: TestApp, o: { tenantId?: string; gatewayIp?: string; localCidr?: string } = {}): Promise<VpnWorld> {
  const topo = await seedTopology(t.deps.database.db, { tenantId: o.tenantId ?? 'tenant-a', gatewayIp: o.gatewayIp, localCidr: o.localCidr });
  const token = await t.tenantToken(topo.tenantId);
  const ike = await ok(t.req('POST', '/v2.0/vpn/ikepolicies', { ikepolicy: { name: 'ike' } }, token));
  const ipsec = await ok(t.req('POST', '/v2.0/vpn/ipsecpolicies', { ipsecpolicy: { name: 'ipsec' } }, token));
  const service = await ok(t.req('POST', '/v2.0/vpn/vpnservices', { vpnservice: { name: 'mercury', router_id: topo.routerId } }, token));
  const legacy = await ok(t.req('POST', '/v2.0/vpn/vpnservices', { vpnservice: { name: 'mercury-legacy', router_id: topo.routerId, subnet_id: topo.localSubnetId } }, token));
  const local = await ok(t.req('POST', '/v2.0/vpn/endpoint-groups', { endpoint_group: { name: 'local', type: 'subnet', endpoints: [topo.localSubnetId] } }, token));
  const peer = await ok(t.req('POST', '/v2.0/vpn/endpoint-groups', { endpoint_group: { name: 'venus', type: 'cidr', endpoints: ['192.168.2.0/24'] } }, token));
  return { topo, token, ikeId: ike.id, ipsecId: ipsec.id, serviceId: service.id, legacyServiceId: legacy.id, localGroupId: local.id, peerGroupId: peer.id };
}

/** A valid endpoint-group mode connection body (the seed's to-venus), with overrides. */
export const connectionBody = (w: VpnWorld, overrides: Record<string, unknown> = {}) => ({
  ipsec_site_connection: {
    name: 'to-venus', vpnservice_id: w.serviceId, ikepolicy_id: w.ikeId, ipsecpolicy_id: w.ipsecId,
    peer_address: '1.0.0.3', peer_id: '1.0.0.3', psk: PSK,
    local_ep_group_id: w.localGroupId, peer_ep_group_id: w.peerGroupId,
    ...overrides,
  },
});

/** A valid legacy-mode connection body (peer_cidrs, no groups), with overrides. */
export const legacyConnectionBody = (w: VpnWorld, overrides: Record<string, unknown> = {}) => ({
  ipsec_site_connection: {
    name: 'to-venus-legacy', vpnservice_id: w.legacyServiceId, ikepolicy_id: w.ikeId, ipsecpolicy_id: w.ipsecId,
    peer_address: '1.0.0.3', peer_id: '1.0.0.3', psk: PSK, peer_cidrs: ['192.168.2.0/24'],
    ...overrides,
  },
});
