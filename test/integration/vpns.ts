// Many VPN containers through the real Neutron API (one router each, the translator makes one container per
// router): for drain tests and the failover benchmark. Every step is a real request; a failure names the step.
import type { Api } from '../../functions/node/seed-vpn';

async function create(api: Api, step: string, path: string, body: unknown): Promise<string> {
  const r = await api('POST', path, body);
  if (r.status < 200 || r.status > 299) throw new Error(`${step}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return (Object.values(r.body as Record<string, { id: string }>)[0]).id;
}

export interface VpnFleet {
  /** Adds one VPN (router + service + connection); returns its router id (= the container's configurationId). */
  add(): Promise<string>;
}

/** Shared pieces once (external network, policies); then `add()` per VPN, each with its own subnets and IPs. */
export async function vpnFleet(api: Api, tag = 'v'): Promise<VpnFleet> {
  const ext = await create(api, 'external network', '/v2.0/networks', { network: { name: `${tag}-public`, 'router:external': true } });
  const extSub = await create(api, 'external subnet', '/v2.0/subnets', { subnet: { network_id: ext, cidr: '10.200.0.0/16', ip_version: 4 } });
  const ike = await create(api, 'IKE policy', '/v2.0/vpn/ikepolicies', { ikepolicy: { name: `${tag}-ike` } });
  const ipsec = await create(api, 'IPsec policy', '/v2.0/vpn/ipsecpolicies', { ipsecpolicy: { name: `${tag}-ipsec` } });
  let n = 0;
  return {
    async add() {
      const i = ++n;
      const net = await create(api, `network ${i}`, '/v2.0/networks', { network: { name: `${tag}-net-${i}` } });
      const sub = await create(api, `subnet ${i}`, '/v2.0/subnets', { subnet: { network_id: net, cidr: `192.168.${i % 250}.0/24`, ip_version: 4 } });
      const ip = `10.200.${Math.floor(i / 250) + 1}.${(i % 250) + 2}`;
      const router = await create(api, `router ${i}`, '/v2.0/routers', {
        router: { name: `${tag}-router-${i}`, external_gateway_info: { network_id: ext, external_fixed_ips: [{ subnet_id: extSub, ip_address: ip }] } },
      });
      const r = await api('PUT', `/v2.0/routers/${router}/add_router_interface`, { subnet_id: sub });
      if (r.status !== 200) throw new Error(`router interface ${i}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      const svc = await create(api, `VPN service ${i}`, '/v2.0/vpn/vpnservices', { vpnservice: { name: `${tag}-svc-${i}`, router_id: router, subnet_id: sub } });
      await create(api, `connection ${i}`, '/v2.0/vpn/ipsec-site-connections', {
        ipsec_site_connection: {
          name: `${tag}-conn-${i}`, vpnservice_id: svc, ikepolicy_id: ike, ipsecpolicy_id: ipsec,
          peer_address: `10.201.0.${(i % 250) + 1}`, peer_id: `10.201.0.${(i % 250) + 1}`, peer_cidrs: [`172.16.${i % 250}.0/24`], psk: `psk-${tag}-${i}`,
        },
      });
      return router;
    },
  };
}
