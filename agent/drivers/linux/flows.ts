// Pure: the standalone datapath of one container as OpenFlow flows (DESIGN 7a), all under the container's
// cookie: ARP (and IPv6 Neighbour Discovery) for the router-side address, the routes through the container, the REDIRECT rules to its port,
// and its outbound traffic to the uplink (or normal switching). Also reads `dump-flows` back.
import { ipVersionOf } from '../../../shared/model/net';
import type { IpsecConfig } from '../../../shared/protocol/messages';
import { cookieHex } from './names';

export interface FlowInput {
  cookie: bigint;
  config: Pick<IpsecConfig, 'port' | 'portV6' | 'routes' | 'redirects'>;
  /** OpenFlow port number of the container's veth on the bridge. */
  ofport: number;
  /** OpenFlow port number of --uplink-port, or null for the bridge's normal switching. */
  uplinkOfport: number | null;
}

export const PRIORITY = { arp: 300, route: 250, redirect: 200, outbound: 100 } as const;

const hexMac = (mac: string) => `0x${mac.replace(/:/g, '')}`;
const hexIp4 = (ip: string) => `0x${ip.split('.').map((o) => Number(o).toString(16).padStart(2, '0')).join('')}`;

function redirectMatch(r: IpsecConfig['redirects'][number]): string {
  const v6 = ipVersionOf(r.nwDstIp) === 6;
  const dst = v6 ? `ipv6_dst=${r.nwDstIp}` : `nw_dst=${r.nwDstIp}`;
  const named: Record<number, string> = v6 ? { 6: 'tcp6', 17: 'udp6', 132: 'sctp6' } : { 6: 'tcp', 17: 'udp', 132: 'sctp' };
  if (named[r.nwProto] && r.tpDst !== null) return `${named[r.nwProto]},${dst},tp_dst=${r.tpDst}`;
  return `${v6 ? 'ipv6' : 'ip'},${dst},nw_proto=${r.nwProto}`;
}

function routeMatch(r: IpsecConfig['routes'][number]): string | null {
  const v = ipVersionOf(r.dstCidr.split('/')[0]);
  if (v !== ipVersionOf(r.srcCidr.split('/')[0])) return null;
  return v === 6 ? `ipv6,ipv6_src=${r.srcCidr},ipv6_dst=${r.dstCidr}` : `ip,nw_src=${r.srcCidr},nw_dst=${r.dstCidr}`;
}

/**
 * OpenFlow table of the second half of a neighbour advertisement. The target link-layer address can only be
 * written to a packet that already is an advertisement (OVS checks the match's ICMPv6 type), so the first flow
 * turns the solicitation into one and resubmits it here.
 */
export const ND_TABLE = 1;

/** A neighbour advertisement for `address` (with `mac`) in answer to a solicitation from the container's port. */
function ndReply(c: string, ofport: number, address: string, mac: string): string[] {
  return [
    `${c},priority=${PRIORITY.arp},icmp6,in_port=${ofport},icmp_type=135,icmp_code=0,nd_target=${address},actions=`
      + `move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],mod_dl_src:${mac},`
      + `move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],set_field:${address}->ipv6_src,set_field:255->nw_ttl,`
      + `set_field:136->icmpv6_type,set_field:0xe0000000->nd_reserved,set_field:2->nd_options_type,resubmit(,${ND_TABLE})`,
    `${c},table=${ND_TABLE},priority=${PRIORITY.arp},icmp6,in_port=${ofport},icmp_type=136,nd_target=${address},actions=set_field:${mac}->nd_tll,in_port`,
  ];
}

/** The flow lines (ovs-ofctl add-flows syntax) for one container. */
export function containerFlows({ cookie, config, ofport, uplinkOfport }: FlowInput): string[] {
  const c = `cookie=${cookieHex(cookie)}`;
  const { port } = config;
  const toContainer = `mod_dl_dst:${port.mac},output:${ofport}`;
  const flows = [
    // The container's default gateway is the router side (.1): answer its ARP with the router port's MAC.
    `${c},priority=${PRIORITY.arp},arp,in_port=${ofport},arp_op=1,arp_tpa=${port.routerAddress},actions=`
      + `move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],mod_dl_src:${port.routerMac},load:0x2->NXM_OF_ARP_OP[],`
      + `move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],`
      + `load:${hexMac(port.routerMac)}->NXM_NX_ARP_SHA[],load:${hexIp4(port.routerAddress)}->NXM_OF_ARP_SPA[],in_port`,
  ];
  // IPv6: the container's neighbour solicitation for the router side of its /127 is answered the same way, as a
  // neighbour advertisement (flags router, solicited, override) carrying the router port's MAC.
  if (config.portV6) flows.push(...ndReply(c, ofport, config.portV6.routerAddress, port.routerMac));
  // Routes through the container (local subnet → peer subnet): traffic the router forwards, i.e. addressed to
  // the router's MAC, goes to the container's port.
  for (const r of config.routes) {
    const m = routeMatch(r);
    if (m) flows.push(`${c},priority=${PRIORITY.route},${m},dl_dst=${port.routerMac},actions=dec_ttl,${toContainer}`);
  }
  // REDIRECT rules: IKE, NAT-T and ESP to the external IP reach the container whoever sent them.
  for (const r of config.redirects) flows.push(`${c},priority=${PRIORITY.redirect},${redirectMatch(r)},actions=${toContainer}`);
  flows.push(`${c},priority=${PRIORITY.outbound},in_port=${ofport},actions=${uplinkOfport === null ? 'NORMAL' : `output:${uplinkOfport}`}`);
  return flows;
}

/** Flow counts per cookie from `ovs-ofctl dump-flows` output. */
export function parseFlowCookies(dump: string): Map<bigint, number> {
  const out = new Map<bigint, number>();
  for (const line of dump.split('\n')) {
    const m = /\bcookie=(0x[0-9a-f]+)/.exec(line);
    if (!m) continue;
    const c = BigInt(m[1]);
    out.set(c, (out.get(c) ?? 0) + 1);
  }
  return out;
}
