// Translator data shapes: the router snapshot the pure planner reads, the southbound state it plans, and diffs.
import type { chains, containerGroups, containers, GatewayFixedIp, ports, routes, rules } from '../db/schema';

export type PortRow = typeof ports.$inferSelect;
export type RouteRow = typeof routes.$inferSelect;
export type ChainRow = typeof chains.$inferSelect;
export type RuleRow = typeof rules.$inferSelect;
export type GroupRow = typeof containerGroups.$inferSelect;
export type ContainerRow = typeof containers.$inferSelect;

/** The derived external addresses of one VPN service (the only northbound columns the translator writes). */
export interface ServiceIps { id: string; externalV4Ip: string | null; externalV6Ip: string | null }

/**
 * The objects the translator owns for one router: its VPN service port, the routes through that port (and every
 * 'ipsec' route), its local-redirect chain, the 'vpn' rules in it, the container group and container, and the
 * external IPs of its VPN services. Current and desired state have this one shape, so a diff is per table.
 */
export interface Southbound {
  ports: PortRow[];
  routes: RouteRow[];
  chains: ChainRow[];
  rules: RuleRow[];
  groups: GroupRow[];
  containers: ContainerRow[];
  services: ServiceIps[];
}

/** One IPsec site connection with its resolved, canonical local and peer CIDRs, and its peer (IP or host name). */
export interface ConnectionCidrs { id: string; peerAddress: string; localCidrs: string[]; peerCidrs: string[] }

/** Everything planRouter needs, read in the write transaction (no I/O happens in the planner). */
export interface RouterSnapshot {
  now: number;
  router: { id: string; tenantId: string; gatewayFixedIps: GatewayFixedIp[]; availabilityZoneHints: string[] };
  /** Subnets of the router's other ports (interface address/prefix, gateway subnets): the /30 must avoid them. */
  usedCidrs: string[];
  /** Host groups whose name is one of the router's availability_zone_hints. */
  hostGroups: { id: string; name: string }[];
  /** The router's connections, oldest first. */
  connections: ConnectionCidrs[];
  /** Rules in the router's local-redirect chain owned by someone else (they, and so the chain, survive). */
  foreignRules: RuleRow[];
  current: Southbound;
}

export interface TableDiff<T extends { id: string }> {
  create: T[];
  /** Only the columns that differ. */
  update: { id: string; set: Partial<T> }[];
  delete: string[];
}

export type SouthboundDiff = { [K in keyof Southbound]: TableDiff<Southbound[K][number]> };
