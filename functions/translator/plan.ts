// planRouter: a router snapshot → the southbound state it should have (pure; DESIGN section 3).
// Existing objects keep their ids (matched by natural key); new ones take ids from the injected generator, which
// is called only for objects that do not exist yet, so planning an already-translated router allocates nothing.
import { conflict } from '../../shared/errors';
import type { Ids } from '../../shared/ids';
import { addressOffset, cidrVersion, ipVersionOf, networkCidr, outerFamily, type IpVersion } from '../../shared/model/net';
import { externalIpsOf, type ExternalIps } from './external-ip';
import { allocateLinkLocal, allocateLinkV6, LINK_LOCAL_POOL, LINK_V6_POOL, linkV6Slot, type LinkV6Slot } from './link-local';
import { routePairs } from './cidrs';
import type { ChainRow, ContainerRow, GroupRow, PortRow, RouteRow, RouterSnapshot, RuleRow, ServiceIps, Southbound } from './types';

export const REDIRECT_CHAIN = 'local-redirect';
export const VPN_RULE_OWNER = 'vpn';

/** The three REDIRECT matches of an IPsec endpoint: ESP, IKE (UDP 500), NAT-T (UDP 4500). */
export const IPSEC_REDIRECTS: readonly { nwProto: number; tpDst: number | null }[] = [
  { nwProto: 50, tpDst: null },
  { nwProto: 17, tpDst: 500 },
  { nwProto: 17, tpDst: 4500 },
];

/** `vpn-` + the first 8 hex digits of the port id (a Linux interface name stays under 15 characters). */
export const serviceInterfaceName = (portId: string) => `vpn-${portId.replace(/[^0-9a-f]/gi, '').slice(0, 8).toLowerCase()}`;

type RouteSpec = Pick<RouteRow, 'srcCidr' | 'dstCidr' | 'nextHopGateway' | 'origin' | 'ipsecSiteConnectionId'>;
const routeKey = (r: RouteSpec) => `${r.origin}|${r.ipsecSiteConnectionId ?? ''}|${r.srcCidr}|${r.dstCidr}`;
const matchKey = (r: { nwProto: number; tpDst: number | null }) => `${r.nwProto}|${r.tpDst ?? ''}`;
const ruleKey = (r: { nwDstIp: string; nwProto: number; tpDst: number | null }) => `${ipVersionOf(r.nwDstIp)}|${matchKey(r)}`;

export function planRouter(s: RouterSnapshot, ids: Pick<Ids, 'uuid' | 'mac'>): Southbound {
  const ext = externalIpsOf(s.router.gatewayFixedIps);
  const services: ServiceIps[] = s.current.services.map((v) => ({ ...v, externalV4Ip: ext.v4, externalV6Ip: ext.v6 }));
  if (s.connections.length === 0) return teardown(s, services);

  const externalIps = redirectedIps(s, ext);
  if (externalIps.length === 0) {
    throw conflict(`Router ${s.router.id} has no external gateway IP address; its IPsec site connections need one (set external_gateway_info).`);
  }
  const { group, container, port } = planContainer(s, ids);
  const link6 = needsIpv6Link(s, ext) ? planLinkV6(s, port) : undefined;
  const chain: ChainRow = s.current.chains[0] ?? { id: ids.uuid(), routerId: s.router.id, name: REDIRECT_CHAIN, createdAt: s.now };
  return {
    ports: [port],
    routes: planRoutes(s, port, link6, ids),
    chains: [chain],
    rules: planRules(s, chain, port, externalIps, ids),
    groups: [group],
    containers: [container],
    services,
  };
}

/**
 * The gateway addresses peers reach the VPN at: one per outer family the connections use (IPv4 first). A family
 * the gateway lacks (its address was removed after the connection was made) falls back to the other one, so the
 * rules follow the gateway as they did before IPv6 links existed.
 */
function redirectedIps(s: RouterSnapshot, ext: ExternalIps): string[] {
  const families = new Set<IpVersion>(s.connections.map((c) => outerFamily(c.peerAddress, ext)));
  const ips = ([4, 6] as const).filter((f) => families.has(f)).map((f) => (f === 4 ? ext.v4 : ext.v6) ?? ext.v4 ?? ext.v6);
  return [...new Set(ips.filter((ip): ip is string => ip !== null))];
}

/** The service port needs an IPv6 link when a connection carries IPv6 inside (an IPv6 route) or outside (its peer). */
function needsIpv6Link(s: RouterSnapshot, ext: ExternalIps): boolean {
  return s.connections.some((c) => outerFamily(c.peerAddress, ext) === 6
    || routePairs(c.localCidrs, c.peerCidrs).some(([, dst]) => cidrVersion(dst) === 6));
}

/** The port's IPv6 /127: the one its routes already use (it never moves while needed), else a new one. */
function planLinkV6(s: RouterSnapshot, port: PortRow): LinkV6Slot {
  const old = s.current.routes.find((r) => r.origin === 'vpn-link' && r.nextHopPortId === port.id && cidrVersion(r.dstCidr) === 6);
  if (old) return linkV6Slot(old.dstCidr.split('/')[0]);
  const slot = allocateLinkV6(port.id, s.usedCidrs);
  if (!slot) throw conflict(`No free IPv6 /127 in ${LINK_V6_POOL} for the VPN port of router ${s.router.id}: the router's subnets cover it.`);
  return slot;
}

/** No connections left: nothing of the VPN stays; the chain stays only while it holds someone else's rules. */
function teardown(s: RouterSnapshot, services: ServiceIps[]): Southbound {
  // A chain with no VPN rules in it was not made (or is no longer used) by the VPN: leave it as it is.
  const keepChain = s.foreignRules.length > 0 || s.current.rules.length === 0;
  return { ports: [], routes: [], chains: keepChain ? s.current.chains : [], rules: [], groups: [], containers: [], services };
}

function planContainer(s: RouterSnapshot, ids: Pick<Ids, 'uuid' | 'mac'>): { group: GroupRow; container: ContainerRow; port: PortRow } {
  const { router, now, current } = s;
  const oldContainer = current.containers[0];
  const oldPort = current.ports.find((p) => p.id === oldContainer?.portId) ?? current.ports[0];
  const oldGroup = current.groups.find((g) => g.id === oldContainer?.groupId) ?? current.groups[0];

  // Policy and affinity are set once: afterwards they belong to the operator (PATCH /v1/container-groups).
  const group: GroupRow = oldGroup ?? {
    id: ids.uuid(), policy: 'least', portGroupId: null, antiAffinity: false, routerId: router.id, createdAt: now,
    hostGroupId: router.availabilityZoneHints.map((h) => s.hostGroups.find((g) => g.name === h)).find((g) => g)?.id ?? null,
  };
  const portId = oldPort?.id ?? ids.uuid();
  const containerId = oldContainer?.id ?? ids.uuid();

  let port: PortRow;
  if (oldPort) {
    // The address stays once allocated: moving it would re-address a running container.
    port = { ...oldPort, serviceContainerId: containerId, hostId: oldContainer?.hostId ?? null };
  } else {
    const slot = allocateLinkLocal(s.usedCidrs);
    if (!slot) {
      throw conflict(`No free link-local /30 in ${LINK_LOCAL_POOL} for the VPN port of router ${router.id}: every one overlaps a subnet of the router's ports.`);
    }
    port = {
      id: portId, tenantId: router.tenantId, routerId: router.id, kind: 'service', subnetId: null,
      address: slot.routerAddress, prefixLen: 30, mac: ids.mac(), interfaceName: serviceInterfaceName(portId),
      hostId: null, serviceContainerId: containerId, createdAt: now,
    };
  }

  const container: ContainerRow = oldContainer
    ? { ...oldContainer, groupId: group.id, portId: port.id, interfaceName: port.interfaceName }
    : {
      id: containerId, groupId: group.id, portId: port.id, serviceType: 'IPSEC', configurationId: router.id,
      hostId: null, placementGeneration: 0, schedulerState: 'DOWN', status: null, statusMessage: '', namespace: null,
      interfaceName: port.interfaceName, reportedHostId: null, reportedAt: null, scheduledAt: null, retries: 0,
      nextAttemptAt: null, createdAt: now, updatedAt: now,
    };
  return { group, container, port };
}

/** The route to a link and the local route to the router's own address on it (any source of that family). */
function linkRoutes(routerAddress: string, prefixLen: number): RouteSpec[] {
  const v6 = ipVersionOf(routerAddress) === 6;
  const any = v6 ? '::/0' : '0.0.0.0/0';
  return [
    { origin: 'vpn-link', srcCidr: any, dstCidr: networkCidr(routerAddress, prefixLen), nextHopGateway: null, ipsecSiteConnectionId: null },
    { origin: 'local', srcCidr: any, dstCidr: `${routerAddress}/${v6 ? 128 : 32}`, nextHopGateway: null, ipsecSiteConnectionId: null },
  ];
}

function planRoutes(s: RouterSnapshot, port: PortRow, link6: LinkV6Slot | undefined, ids: Pick<Ids, 'uuid'>): RouteRow[] {
  // Each VPN route goes via the container's address of its own family (pairs are same-family: routePairs).
  const containerAddress: Record<IpVersion, string | null> = { 4: addressOffset(port.address, 1) ?? null, 6: link6?.containerAddress ?? null };
  const specs: RouteSpec[] = [
    ...linkRoutes(port.address, port.prefixLen),
    ...(link6 ? linkRoutes(link6.routerAddress, 127) : []),
    ...s.connections.flatMap((c) => routePairs(c.localCidrs, c.peerCidrs).map(([src, dst]): RouteSpec => (
      { origin: 'ipsec', srcCidr: src, dstCidr: dst, nextHopGateway: containerAddress[cidrVersion(dst)!], ipsecSiteConnectionId: c.id }
    ))),
  ];
  const existing = new Map<string, RouteRow>();
  for (const r of s.current.routes) if (!existing.has(routeKey(r))) existing.set(routeKey(r), r);
  const seen = new Set<string>();
  const out: RouteRow[] = [];
  for (const spec of specs) {
    const key = routeKey(spec);
    if (seen.has(key)) continue;
    seen.add(key);
    const old = existing.get(key);
    out.push(old
      ? { ...old, ...spec, nextHopPortId: port.id }
      : { id: ids.uuid(), routerId: s.router.id, ...spec, nextHopPortId: port.id, createdAt: s.now });
  }
  return out;
}

/**
 * The three REDIRECTs per external IP. A rule is kept by (family, match); a rule whose family is no longer
 * wanted is rewritten in place to a wanted address with the same match (a gateway moving from IPv4 to IPv6).
 */
function planRules(s: RouterSnapshot, chain: ChainRow, port: PortRow, externalIps: string[], ids: Pick<Ids, 'uuid'>): RuleRow[] {
  const wanted = externalIps.flatMap((ip) => IPSEC_REDIRECTS.map((m) => ({ nwDstIp: ip, ...m })));
  const wantedKeys = new Set(wanted.map(ruleKey));
  const exact = new Map<string, RuleRow>();
  const spare = new Map<string, RuleRow[]>();
  for (const r of s.current.rules) {
    if (wantedKeys.has(ruleKey(r)) && !exact.has(ruleKey(r))) exact.set(ruleKey(r), r);
    else (spare.get(matchKey(r)) ?? spare.set(matchKey(r), []).get(matchKey(r))!).push(r);
  }
  // New rules go after every rule already in the chain, whoever owns it.
  let next = Math.max(-1, ...s.foreignRules.map((r) => r.position), ...s.current.rules.map((r) => r.position)) + 1;
  return wanted.map((w) => {
    const fields = { chainId: chain.id, action: 'REDIRECT', ...w, targetPortId: port.id, owner: VPN_RULE_OWNER };
    const old = exact.get(ruleKey(w)) ?? spare.get(matchKey(w))?.shift();
    return old ? { ...old, ...fields } : { id: ids.uuid(), position: next++, createdAt: s.now, ...fields };
  });
}
