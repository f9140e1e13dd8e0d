// The simulation's API writes: VPNs created and deleted through the real Neutron routes (router + service +
// connection each, with a PSK the invariants track), as an operator would.
import type { World } from './world';

export interface SimVpn { routerId: string; serviceId: string; connectionId: string; psk: string }

export class SimApi {
  private shared: { ext: string; extSub: string; ike: string; ipsec: string } | null = null;
  private n = 0;
  readonly vpns: SimVpn[] = [];
  /** Every PSK ever accepted, with its connection id. */
  readonly psks = new Map<string, string>();

  constructor(private readonly world: World) {}

  private async create(path: string, body: unknown): Promise<string | null> {
    const r = await this.world.request('POST', path, body);
    if (r.status !== 201) return null;
    return (Object.values(r.body as Record<string, { id: string }>)[0]).id;
  }

  /** Creates a VPN; null when a step was refused (database busy, or the shared pieces vanished in a reset). */
  async addVpn(): Promise<SimVpn | null> {
    if (!this.shared) {
      const ext = await this.create('/v2.0/networks', { network: { name: 'sim-public', 'router:external': true } });
      const extSub = ext && await this.create('/v2.0/subnets', { subnet: { network_id: ext, cidr: '10.200.0.0/16', ip_version: 4 } });
      const ike = await this.create('/v2.0/vpn/ikepolicies', { ikepolicy: { name: 'sim-ike' } });
      const ipsec = await this.create('/v2.0/vpn/ipsecpolicies', { ipsecpolicy: { name: 'sim-ipsec' } });
      if (!ext || !extSub || !ike || !ipsec) return null;
      this.shared = { ext, extSub, ike, ipsec };
    }
    const { ext, extSub, ike, ipsec } = this.shared;
    const i = ++this.n;
    const net = await this.create('/v2.0/networks', { network: { name: `sim-net-${i}` } });
    const sub = net && await this.create('/v2.0/subnets', { subnet: { network_id: net, cidr: `192.168.${i % 250}.0/24`, ip_version: 4 } });
    const router = sub && await this.create('/v2.0/routers', {
      router: { name: `sim-router-${i}`, external_gateway_info: { network_id: ext, external_fixed_ips: [{ subnet_id: extSub, ip_address: `10.200.${Math.floor(i / 250) + 1}.${(i % 250) + 2}` }] } },
    });
    if (!router || !sub) return this.lostShared();
    const r = await this.world.request('PUT', `/v2.0/routers/${router}/add_router_interface`, { subnet_id: sub });
    if (r.status !== 200) return this.lostShared();
    const svc = await this.create('/v2.0/vpn/vpnservices', { vpnservice: { name: `sim-svc-${i}`, router_id: router, subnet_id: sub } });
    const psk = `sim-psk-${i}-${this.world.rng.uuid()}`;
    const conn = svc && await this.create('/v2.0/vpn/ipsec-site-connections', {
      ipsec_site_connection: {
        name: `sim-conn-${i}`, vpnservice_id: svc, ikepolicy_id: ike, ipsecpolicy_id: ipsec,
        peer_address: `10.201.0.${(i % 250) + 1}`, peer_id: `10.201.0.${(i % 250) + 1}`, peer_cidrs: [`172.16.${i % 250}.0/24`], psk,
      },
    });
    if (!svc || !conn) return this.lostShared();
    this.psks.set(psk, conn);
    const vpn = { routerId: router, serviceId: svc, connectionId: conn, psk };
    this.vpns.push(vpn);
    return vpn;
  }

  /** Deletes a VPN's connection and service (its container goes away). */
  async deleteVpn(vpn: SimVpn): Promise<void> {
    const a = await this.world.request('DELETE', `/v2.0/vpn/ipsec-site-connections/${vpn.connectionId}`);
    if (a.status !== 204 && a.status !== 404) return;
    const b = await this.world.request('DELETE', `/v2.0/vpn/vpnservices/${vpn.serviceId}`);
    if (b.status === 204 || b.status === 404) this.vpns.splice(this.vpns.indexOf(vpn), 1);
  }

  /** After a database reset the shared network and policies may be gone: make them again next time. */
  private lostShared(): null {
    this.shared = null;
    return null;
  }
}
