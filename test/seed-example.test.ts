// The seed example end to end through the HTTP API, exactly as the README shows it: VPN service mercury
// (local 192.168.1.0/24), connection to-venus (peer 1.0.0.3, peer network 192.168.2.0/24) → southbound objects.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers/harness';

async function seed(t: TestApp, token?: string) {
  const ok = async (method: string, path: string, body: unknown) => {
    const r = await t.req(method, path, body, token);
    if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
    return Object.values(r.body as Record<string, any>)[0];
  };
  const ext = await ok('POST', '/v2.0/networks', { network: { name: 'public', 'router:external': true } });
  const extSub = await ok('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '1.0.0.0/24', ip_version: 4 } });
  const net = await ok('POST', '/v2.0/networks', { network: { name: 'mercury-net' } });
  const sub = await ok('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '192.168.1.0/24', ip_version: 4 } });
  const router = await ok('POST', '/v2.0/routers', { router: { name: 'mercury-router', external_gateway_info: { network_id: ext.id, external_fixed_ips: [{ subnet_id: extSub.id, ip_address: '1.0.0.2' }] } } });
  await t.req('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id });
  const ike = await ok('POST', '/v2.0/vpn/ikepolicies', { ikepolicy: { name: 'ike' } });
  const ipsec = await ok('POST', '/v2.0/vpn/ipsecpolicies', { ipsecpolicy: { name: 'ipsec' } });
  const vpn = await ok('POST', '/v2.0/vpn/vpnservices', { vpnservice: { name: 'mercury', router_id: router.id, subnet_id: sub.id } });
  const conn = await ok('POST', '/v2.0/vpn/ipsec-site-connections', {
    ipsec_site_connection: { name: 'to-venus', vpnservice_id: vpn.id, ikepolicy_id: ike.id, ipsecpolicy_id: ipsec.id, peer_address: '1.0.0.3', peer_id: '1.0.0.3', peer_cidrs: ['192.168.2.0/24'], psk: 'venus-and-mercury-secret' },
  });
  return { router, vpn, conn, ike, ipsec, sub, ext, extSub };
}

describe('seed example through the API', () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('translates mercury → venus into exactly the expected southbound objects', async () => {
    const { router, vpn, conn } = await seed(t);
    expect(vpn).toMatchObject({ status: 'PENDING_CREATE', external_v4_ip: '1.0.0.2' });
    expect(conn.status).toBe('PENDING_CREATE');
    expect(conn).not.toHaveProperty('psk');

    const sb = (await t.req('GET', `/v1/routers/${router.id}/southbound`)).body;
    const service = sb.ports.filter((p: any) => p.kind === 'service');
    expect(service).toHaveLength(1);
    const port = service[0];
    expect(port).toMatchObject({ address: '169.254.0.1', prefixLen: 30, interfaceName: `vpn-${port.id.replace(/-/g, '').slice(0, 8)}` });

    const remote = sb.routes.filter((r: any) => r.ipsecSiteConnectionId);
    expect(remote).toEqual([expect.objectContaining({ srcCidr: '192.168.1.0/24', dstCidr: '192.168.2.0/24', nextHopPortId: port.id, nextHopGateway: '169.254.0.2', ipsecSiteConnectionId: conn.id })]);
    expect(sb.routes.map((r: any) => r.dstCidr).sort()).toEqual(['169.254.0.0/30', '169.254.0.1/32', '192.168.2.0/24']);

    expect(sb.chains).toHaveLength(1);
    const rules = sb.rules.map((r: any) => ({ action: r.action, nwDstIp: r.nwDstIp, nwProto: r.nwProto, tpDst: r.tpDst, targetPortId: r.targetPortId }));
    expect(rules).toEqual(expect.arrayContaining([
      { action: 'REDIRECT', nwDstIp: '1.0.0.2', nwProto: 50, tpDst: null, targetPortId: port.id },
      { action: 'REDIRECT', nwDstIp: '1.0.0.2', nwProto: 17, tpDst: 500, targetPortId: port.id },
      { action: 'REDIRECT', nwDstIp: '1.0.0.2', nwProto: 17, tpDst: 4500, targetPortId: port.id },
    ]));
    expect(rules).toHaveLength(3);

    const containers = (await t.req('GET', '/v1/containers')).body.containers;
    expect(containers).toEqual([expect.objectContaining({ serviceType: 'IPSEC', configurationId: router.id, portId: port.id, schedulerState: 'DOWN' })]);
  });

  it('changing the gateway IP rewrites the external IP and the rules', async () => {
    const { router, vpn, ext, extSub } = await seed(t);
    const r = await t.req('PUT', `/v2.0/routers/${router.id}`, { router: { external_gateway_info: { network_id: ext.id, external_fixed_ips: [{ subnet_id: extSub.id, ip_address: '1.0.0.20' }] } } });
    expect(r.status).toBe(200);
    expect((await t.req('GET', `/v2.0/vpn/vpnservices/${vpn.id}`)).body.vpnservice.external_v4_ip).toBe('1.0.0.20');
    const sb = (await t.req('GET', `/v1/routers/${router.id}/southbound`)).body;
    expect(sb.rules.map((x: any) => x.nwDstIp)).toEqual(['1.0.0.20', '1.0.0.20', '1.0.0.20']);
  });

  it('deleting the connection removes every southbound object of the VPN', async () => {
    const { router, conn } = await seed(t);
    expect((await t.req('DELETE', `/v2.0/vpn/ipsec-site-connections/${conn.id}`)).status).toBe(204);
    const sb = (await t.req('GET', `/v1/routers/${router.id}/southbound`)).body;
    expect(sb.ports.filter((p: any) => p.kind === 'service')).toEqual([]);
    expect(sb.routes).toEqual([]);
    expect(sb.rules).toEqual([]);
    expect(sb.chains).toEqual([]);
    expect((await t.req('GET', '/v1/containers')).body.containers).toEqual([]);
  });

  it('works for a tenant, who never sees the PSK and cannot see another tenant\'s VPN', async () => {
    const a = await t.tenantToken('tenant-a');
    const b = await t.tenantToken('tenant-b');
    // The external network is the operator's; the tenant builds the rest.
    const ext = (await t.req('POST', '/v2.0/networks', { network: { name: 'public', 'router:external': true } })).body.network;
    await t.req('POST', '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '1.0.0.0/24', ip_version: 4 } });
    const net = (await t.req('POST', '/v2.0/networks', { network: { name: 'n' } }, a)).body.network;
    const sub = (await t.req('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '192.168.1.0/24', ip_version: 4 } }, a)).body.subnet;
    const router = (await t.req('POST', '/v2.0/routers', { router: { name: 'r', external_gateway_info: { network_id: ext.id } } }, a)).body.router;
    expect((await t.req('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id }, a)).status).toBe(200);
    const ike = (await t.req('POST', '/v2.0/vpn/ikepolicies', { ikepolicy: { name: 'i' } }, a)).body.ikepolicy;
    const ipsec = (await t.req('POST', '/v2.0/vpn/ipsecpolicies', { ipsecpolicy: { name: 'p' } }, a)).body.ipsecpolicy;
    const vpn = (await t.req('POST', '/v2.0/vpn/vpnservices', { vpnservice: { router_id: router.id, subnet_id: sub.id } }, a)).body.vpnservice;
    const created = await t.req('POST', '/v2.0/vpn/ipsec-site-connections', { ipsec_site_connection: { vpnservice_id: vpn.id, ikepolicy_id: ike.id, ipsecpolicy_id: ipsec.id, peer_address: '1.0.0.3', peer_id: '1.0.0.3', peer_cidrs: ['192.168.2.0/24'], psk: 'tenant-psk-value' } }, a);
    expect(created.status).toBe(201);
    for (const path of ['/v2.0/vpn/ipsec-site-connections', `/v2.0/vpn/ipsec-site-connections/${created.body.ipsec_site_connection.id}`]) {
      expect((await t.req('GET', path, undefined, a)).text).not.toContain('tenant-psk-value');
    }
    expect((await t.req('GET', `/v2.0/vpn/vpnservices/${vpn.id}`, undefined, b)).status).toBe(404);
    expect((await t.req('GET', '/v2.0/vpn/ipsec-site-connections', undefined, b)).body.ipsec_site_connections).toEqual([]);
    expect((await t.req('GET', `/v1/routers/${router.id}/southbound`, undefined, a)).status).toBe(403);
  });
});
