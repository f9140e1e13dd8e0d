// The seed's VPN example (mercury → venus, README) created through the HTTP API, as a tenant would: used by
// `berth demo` and the integration tests. Every step is a real request; a failure names the step and the answer.

export interface SeedVpn {
  routerId: string;
  vpnServiceId: string;
  connectionId: string;
  ikePolicyId: string;
  ipsecPolicyId: string;
}

export type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>;

export function httpApi(baseUrl: string, token: string): Api {
  return async (method, path, body) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { 'x-auth-token': token, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed };
  };
}

/** The id of the one resource in a Neutron answer, or an error naming the step. */
async function create(api: Api, step: string, method: string, path: string, body: unknown): Promise<string> {
  const r = await api(method, path, body);
  if (r.status < 200 || r.status > 299) throw new Error(`${step}: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return (Object.values(r.body as Record<string, { id: string }>)[0]).id;
}

export async function createSeedVpn(api: Api, psk = 's3cret-demo-psk'): Promise<SeedVpn> {
  const ext = await create(api, 'external network', 'POST', '/v2.0/networks', { network: { name: 'public', 'router:external': true } });
  const extSub = await create(api, 'external subnet', 'POST', '/v2.0/subnets', { subnet: { network_id: ext, cidr: '1.0.0.0/24', ip_version: 4 } });
  const net = await create(api, 'private network', 'POST', '/v2.0/networks', { network: { name: 'mercury-net' } });
  const sub = await create(api, 'private subnet', 'POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '192.168.1.0/24', ip_version: 4 } });
  const routerId = await create(api, 'router', 'POST', '/v2.0/routers', {
    router: { name: 'mercury-router', external_gateway_info: { network_id: ext, external_fixed_ips: [{ subnet_id: extSub, ip_address: '1.0.0.2' }] } },
  });
  const r = await api('PUT', `/v2.0/routers/${routerId}/add_router_interface`, { subnet_id: sub });
  if (r.status !== 200) throw new Error(`router interface: HTTP ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  const ikePolicyId = await create(api, 'IKE policy', 'POST', '/v2.0/vpn/ikepolicies', { ikepolicy: { name: 'ike' } });
  const ipsecPolicyId = await create(api, 'IPsec policy', 'POST', '/v2.0/vpn/ipsecpolicies', { ipsecpolicy: { name: 'ipsec' } });
  const vpnServiceId = await create(api, 'VPN service', 'POST', '/v2.0/vpn/vpnservices', { vpnservice: { name: 'mercury', router_id: routerId, subnet_id: sub } });
  const connectionId = await create(api, 'IPsec site connection', 'POST', '/v2.0/vpn/ipsec-site-connections', {
    ipsec_site_connection: {
      name: 'to-venus', vpnservice_id: vpnServiceId, ikepolicy_id: ikePolicyId, ipsecpolicy_id: ipsecPolicyId,
      peer_address: '1.0.0.3', peer_id: '1.0.0.3', peer_cidrs: ['192.168.2.0/24'], psk,
    },
  });
  return { routerId, vpnServiceId, connectionId, ikePolicyId, ipsecPolicyId };
}
