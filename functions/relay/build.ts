// The desired document of one host, from the rows the translator and placement wrote (pure). Exactly the shape of
// shared/protocol's zDesiredState; every container (and connection) is validated on its own, so one bad row
// cannot keep a host's other containers from being published.
import { zDesiredContainer, zIpsecConnection, PROTOCOL_VERSION, type DesiredContainer, type DesiredState, type IpsecConnection } from '../../shared/protocol/messages';
import { addressOffset, cidrVersion } from '../../shared/model/net';
import type { containers, ikePolicies, ipsecPolicies, ipsecSiteConnections, ports, routes, rules, vpnServices } from '../db/schema';
import type { GatewayFixedIp } from '../db/schema';
import { externalIpsOf } from '../translator/external-ip';

export interface ConnectionInput {
  row: typeof ipsecSiteConnections.$inferSelect;
  serviceAdminStateUp: boolean;
  localCidrs: string[];
  peerCidrs: string[];
  ike: typeof ikePolicies.$inferSelect | undefined;
  ipsec: typeof ipsecPolicies.$inferSelect | undefined;
  /** Decrypted pre-shared key (undefined when it could not be decrypted). */
  psk: string | undefined;
}

export interface ContainerInput {
  container: typeof containers.$inferSelect;
  port: typeof ports.$inferSelect | undefined;
  router: { id: string; gatewayFixedIps: GatewayFixedIp[] } | undefined;
  /** The router's IPsec routes through the container's port, and the port's link routes ('vpn-link'). */
  routes: (typeof routes.$inferSelect)[];
  /** REDIRECT rules targeting the container's port, in chain order. */
  rules: (typeof rules.$inferSelect)[];
  connections: ConnectionInput[];
  /** The VPN services of the container's router (they show whether the container could be sent: relay/unsent.ts). */
  services: (typeof vpnServices.$inferSelect)[];
}

/** Something left out of a document, with the validation paths (never values: a PSK may be among them). */
export interface Omission { containerId: string; connectionId?: string; detail: string }

/**
 * The container side of the link-local /30 needs a MAC of its own; the schema keeps only the router port's, so it
 * is derived from the port id: stable across rebuilds and hosts, locally administered, unicast.
 */
export function containerMac(portId: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < portId.length; i++) {
    const c = portId.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
  }
  const bytes = [0x02, (h1 >>> 24) & 0xff, (h1 >>> 16) & 0xff, (h1 >>> 8) & 0xff, h1 & 0xff, h2 & 0xff];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Neutron lifetimes may be in kilobytes; the protocol carries seconds, so those fall back to Neutron's 3600 s. */
const lifetimeSeconds = (p: { lifetimeUnits: string; lifetimeValue: number }) => (p.lifetimeUnits === 'seconds' ? p.lifetimeValue : 3600);

const issues = (e: { issues: { path: PropertyKey[]; message: string }[] }) =>
  e.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ');

function connection(c: ConnectionInput): IpsecConnection | { omit: string } {
  if (!c.ike || !c.ipsec) return { omit: 'its IKE or IPsec policy is missing' };
  if (c.psk === undefined) return { omit: 'its pre-shared key cannot be decrypted with this BERTH_SECRET_KEY' };
  const r = c.row;
  const candidate = {
    id: r.id, name: r.name, adminStateUp: r.adminStateUp && c.serviceAdminStateUp,
    peerAddress: r.peerAddress, peerId: r.peerId, localId: r.localId, localCidrs: c.localCidrs, peerCidrs: c.peerCidrs,
    psk: c.psk, mtu: r.mtu, initiator: r.initiator, dpd: { action: r.dpdAction, interval: r.dpdInterval, timeout: r.dpdTimeout },
    ike: {
      version: c.ike.ikeVersion, authAlgorithm: c.ike.authAlgorithm, encryptionAlgorithm: c.ike.encryptionAlgorithm,
      lifetimeSeconds: lifetimeSeconds(c.ike), pfs: c.ike.pfs, phase1NegotiationMode: c.ike.phase1NegotiationMode,
    },
    ipsec: {
      transformProtocol: c.ipsec.transformProtocol, authAlgorithm: c.ipsec.authAlgorithm, encryptionAlgorithm: c.ipsec.encryptionAlgorithm,
      encapsulationMode: c.ipsec.encapsulationMode, lifetimeSeconds: lifetimeSeconds(c.ipsec), pfs: c.ipsec.pfs,
    },
  };
  const parsed = zIpsecConnection.safeParse(candidate);
  return parsed.success ? parsed.data : { omit: issues(parsed.error) };
}

/** The IPv6 side of the link, from the translator's IPv6 'vpn-link' route: router side first, container next. */
function portV6(routeRows: ContainerInput['routes']): { portV6?: { address: string | undefined; prefixLen: number; routerAddress: string } } {
  const link = routeRows.find((r) => r.origin === 'vpn-link' && cidrVersion(r.dstCidr) === 6);
  if (!link) return {};
  const [network, prefix] = link.dstCidr.split('/');
  return { portV6: { address: addressOffset(network, 1), prefixLen: Number(prefix), routerAddress: network } };
}

export function buildContainer(i: ContainerInput, omitted: Omission[]): DesiredContainer | undefined {
  const { container: c, port, router } = i;
  if (!port || !router) {
    omitted.push({ containerId: c.id, detail: `its ${port ? 'router' : 'port'} is missing` });
    return undefined;
  }
  const conns: IpsecConnection[] = [];
  for (const ci of i.connections) {
    const built = connection(ci);
    if ('omit' in built) omitted.push({ containerId: c.id, connectionId: ci.row.id, detail: built.omit });
    else conns.push(built);
  }
  const candidate = {
    id: c.id, type: c.serviceType, portId: port.id, interfaceName: port.interfaceName ?? c.interfaceName,
    placementGeneration: c.placementGeneration,
    config: {
      routerId: c.configurationId,
      port: {
        // ports.address is the router side (.1) of the /30; the container takes the next address (.2).
        mac: containerMac(port.id), address: addressOffset(port.address, 1), prefixLen: port.prefixLen,
        routerAddress: port.address, routerMac: port.mac,
      },
      ...portV6(i.routes),
      externalIp: externalIpsOf(router.gatewayFixedIps),
      routes: i.routes.filter((r) => r.origin === 'ipsec').map((r) => ({ srcCidr: r.srcCidr, dstCidr: r.dstCidr, nextHopGateway: r.nextHopGateway })),
      redirects: i.rules.map((r) => ({ nwDstIp: r.nwDstIp, nwProto: r.nwProto, tpDst: r.tpDst })),
      connections: conns,
    },
  };
  const parsed = zDesiredContainer.safeParse(candidate);
  if (!parsed.success) {
    omitted.push({ containerId: c.id, detail: issues(parsed.error) });
    return undefined;
  }
  return parsed.data;
}

export function buildDesired(hostId: string, epoch: number, generation: number, inputs: readonly ContainerInput[]): { doc: DesiredState; omitted: Omission[] } {
  const omitted: Omission[] = [];
  const seenIfaces = new Set<string>();
  const built: DesiredContainer[] = [];
  for (const i of inputs) {
    const c = buildContainer(i, omitted);
    if (!c) continue;
    // Two containers on one host cannot share an interface name (the document would be refused whole).
    if (seenIfaces.has(c.interfaceName)) {
      omitted.push({ containerId: c.id, detail: `interface name ${c.interfaceName} is already used on this host` });
      continue;
    }
    seenIfaces.add(c.interfaceName);
    built.push(c);
  }
  return { doc: { v: PROTOCOL_VERSION, hostId, epoch, generation, containers: built }, omitted };
}
