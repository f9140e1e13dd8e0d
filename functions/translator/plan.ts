// planRouter: a router snapshot → the southbound state it should have (pure; DESIGN section 3).
// Existing objects keep their ids (matched by natural key); new ones take ids from the injected generator, which
// is called only for objects that do not exist yet, so planning an already-translated router allocates nothing.
import { conflict } from '../../shared/errors';
import type { Ids } from '../../shared/ids';
import { addressOffset, ipVersionOf, networkCidr } from '../../shared/model/net';
import { externalIpsOf } from './external-ip';
import { allocateLinkLocal, LINK_LOCAL_POOL } from './link-local';
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
const ruleKey = (r: { nwProto: number; tpDst: number | null }) => `${r.nwProto}|${r.tpDst ?? ''}`;

export function planRouter(s: RouterSnapshot, ids: Pick<Ids, 'uuid' | 'mac'>): Southbound {
  const ext = externalIpsOf(s.router.gatewayFixedIps);
  const services: ServiceIps[] = s.current.services.map((v) => ({ ...v, externalV4Ip: ext.v4, externalV6Ip: ext.v6 }));
  if (s.connections.length === 0) return teardown(s, services);

  const externalIp = ext.v4 ?? ext.v6;
  if (!externalIp) {
    throw conflict(`Router ${s.router.id} has no external gateway IP address; its IPsec site connections need one (set external_gateway_info).`);
  }
  const { group, container, port } = planContainer(s, ids);
  const chain: ChainRow = s.current.chains[0] ?? { id: ids.uuid(), routerId: s.router.id, name: REDIRECT_CHAIN, createdAt: s.now };
  return {
    ports: [port],
    routes: planRoutes(s, port, ids),
    chains: [chain],
    rules: planRules(s, chain, port, externalIp, ids),
    groups: [group],
    containers: [container],
    services,
  };
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

function planRoutes(s: RouterSnapshot, port: PortRow, ids: Pick<Ids, 'uuid'>): RouteRow[] {
  const containerAddress = addressOffset(port.address, 1) ?? null;
  const hostPrefix = ipVersionOf(port.address) === 6 ? 128 : 32;
  const specs: RouteSpec[] = [
    { origin: 'vpn-link', srcCidr: '0.0.0.0/0', dstCidr: networkCidr(port.address, port.prefixLen), nextHopGateway: null, ipsecSiteConnectionId: null },
    { origin: 'local', srcCidr: '0.0.0.0/0', dstCidr: `${port.address}/${hostPrefix}`, nextHopGateway: null, ipsecSiteConnectionId: null },
    ...s.connections.flatMap((c) => routePairs(c.localCidrs, c.peerCidrs).map(([src, dst]): RouteSpec => (
      { origin: 'ipsec', srcCidr: src, dstCidr: dst, nextHopGateway: containerAddress, ipsecSiteConnectionId: c.id }
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

function planRules(s: RouterSnapshot, chain: ChainRow, port: PortRow, externalIp: string, ids: Pick<Ids, 'uuid'>): RuleRow[] {
  const existing = new Map<string, RuleRow>();
  for (const r of s.current.rules) if (!existing.has(ruleKey(r))) existing.set(ruleKey(r), r);
  // New rules go after every rule already in the chain, whoever owns it.
  let next = Math.max(-1, ...s.foreignRules.map((r) => r.position), ...s.current.rules.map((r) => r.position)) + 1;
  return IPSEC_REDIRECTS.map((match) => {
    const fields = { chainId: chain.id, action: 'REDIRECT', nwDstIp: externalIp, ...match, targetPortId: port.id, owner: VPN_RULE_OWNER };
    const old = existing.get(ruleKey(match));
    return old ? { ...old, ...fields } : { id: ids.uuid(), position: next++, createdAt: s.now, ...fields };
  });
}
