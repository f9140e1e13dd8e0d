// Helpers for the scheduling/failover integration suites (failover.test.ts, replicas.test.ts): many VPN
// containers created through the Neutron API (one router each), and polls over /v1 and the sim agents' files.
import type { Api } from '../../functions/node/seed-vpn';
import { waitFor, type Cluster } from './cluster';

async function create(api: Api, step: string, path: string, body: unknown): Promise<string> {
  const r = await api('POST', path, body);
  if (r.status !== 201) throw new Error(`${step}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return (Object.values(r.body as Record<string, { id: string }>)[0]).id;
}

export interface VpnFactory {
  /** Creates router n's VPN (one IPsec site connection → one container); returns the router id. */
  vpn(n: number, opts?: { az?: string }): Promise<string>;
}

/** One external network shared by every router; router n gets 1.0.0.(10+n) and private 10.n.0.0/24. */
export async function vpnFactory(api: Api): Promise<VpnFactory> {
  const ext = await create(api, 'external network', '/v2.0/networks', { network: { name: 'public', 'router:external': true } });
  const extSub = await create(api, 'external subnet', '/v2.0/subnets', { subnet: { network_id: ext, cidr: '1.0.0.0/24', ip_version: 4 } });
  const ike = await create(api, 'IKE policy', '/v2.0/vpn/ikepolicies', { ikepolicy: { name: 'ike' } });
  const ipsec = await create(api, 'IPsec policy', '/v2.0/vpn/ipsecpolicies', { ipsecpolicy: { name: 'ipsec' } });
  return {
    async vpn(n, opts = {}) {
      const net = await create(api, 'network', '/v2.0/networks', { network: { name: `net-${n}` } });
      const sub = await create(api, 'subnet', '/v2.0/subnets', { subnet: { network_id: net, cidr: `10.${n}.0.0/24`, ip_version: 4 } });
      const routerId = await create(api, 'router', '/v2.0/routers', {
        router: {
          name: `router-${n}`, ...(opts.az ? { availability_zone_hints: [opts.az] } : {}),
          external_gateway_info: { network_id: ext, external_fixed_ips: [{ subnet_id: extSub, ip_address: `1.0.0.${10 + n}` }] },
        },
      });
      const r = await api('PUT', `/v2.0/routers/${routerId}/add_router_interface`, { subnet_id: sub });
      if (r.status !== 200) throw new Error(`router interface: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      const svc = await create(api, 'VPN service', '/v2.0/vpn/vpnservices', { vpnservice: { name: `vpn-${n}`, router_id: routerId, subnet_id: sub } });
      await create(api, 'connection', '/v2.0/vpn/ipsec-site-connections', {
        ipsec_site_connection: {
          name: `conn-${n}`, vpnservice_id: svc, ikepolicy_id: ike, ipsecpolicy_id: ipsec,
          peer_address: '2.0.0.1', peer_id: '2.0.0.1', peer_cidrs: [`172.16.${n}.0/24`], psk: `psk-${n}-0123456789`,
        },
      });
      return routerId;
    },
  };
}

/** The container of a router, as /v1 shows it. */
export async function containerOf(c: Cluster, routerId: string): Promise<any> {
  return (await c.containers()).find((x) => x.configurationId === routerId);
}

/** Waits until every router's container is RUNNING (optionally: where(hostId) holds); returns them in order. */
export function allRunning(c: Cluster, routerIds: string[], where: (hostId: string, routerId: string) => boolean = () => true, timeoutMs = 20_000): Promise<any[]> {
  return waitFor(`containers of ${routerIds.length} routers RUNNING`, async () => {
    const all = await c.containers();
    const boxes = routerIds.map((r) => all.find((x) => x.configurationId === r));
    return boxes.every((b, i) => b?.status === 'RUNNING' && b.hostId && where(b.hostId, routerIds[i])) ? boxes : undefined;
  }, timeoutMs, 100);
}

/** Sets host fields through PATCH /v1/hosts/{id}; throws on anything but 200. */
export async function patchHost(c: Cluster, id: string, body: Record<string, unknown>): Promise<void> {
  const r = await c.api('PATCH', `/v1/hosts/${id}`, body);
  if (r.status !== 200) throw new Error(`PATCH host ${id}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
}

/** How many containers each sim agent has created so far (its own file). */
export function createCounts(c: Cluster, hostIds: string[]): Record<string, number> {
  return Object.fromEntries(hostIds.map((h) => [h, c.simState(h)?.createCount ?? 0]));
}
