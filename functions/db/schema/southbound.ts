// Southbound tables written by the translator and consumed by agents/datapaths:
// ports, routes, chains, rules, container groups, containers and their event history.
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { routers, subnets } from './northbound';

export const ports = sqliteTable('ports', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  routerId: text('router_id').notNull().references(() => routers.id),
  /** 'router_interface' (router ↔ tenant subnet) | 'service' (a service container's link-local port). */
  kind: text('kind').notNull(),
  subnetId: text('subnet_id').references(() => subnets.id),
  /** Router-side address and prefix length (e.g. 169.254.0.1 / 30). */
  address: text('address').notNull(),
  prefixLen: integer('prefix_len').notNull(),
  mac: text('mac').notNull(),
  interfaceName: text('interface_name'),
  /** Host where the port is bound (service ports follow their container). */
  hostId: text('host_id'),
  serviceContainerId: text('service_container_id'),
  createdAt: integer('created_at').notNull(),
}, (t) => [index('ports_router').on(t.routerId), index('ports_host').on(t.hostId)]);

export const routes = sqliteTable('routes', {
  id: text('id').primaryKey(),
  routerId: text('router_id').notNull().references(() => routers.id),
  srcCidr: text('src_cidr').notNull(),
  dstCidr: text('dst_cidr').notNull(),
  nextHopPortId: text('next_hop_port_id').notNull(),
  nextHopGateway: text('next_hop_gateway'),
  /** 'vpn-link' | 'local' | 'ipsec' (then ipsecSiteConnectionId is set). */
  origin: text('origin').notNull(),
  ipsecSiteConnectionId: text('ipsec_site_connection_id'),
  createdAt: integer('created_at').notNull(),
}, (t) => [index('routes_router').on(t.routerId), index('routes_isc').on(t.ipsecSiteConnectionId)]);

export const chains = sqliteTable('chains', {
  id: text('id').primaryKey(),
  routerId: text('router_id').notNull().references(() => routers.id),
  /** 'local-redirect' */
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull(),
}, (t) => [uniqueIndex('chains_router_name').on(t.routerId, t.name)]);

export const rules = sqliteTable('rules', {
  id: text('id').primaryKey(),
  chainId: text('chain_id').notNull().references(() => chains.id),
  position: integer('position').notNull(),
  action: text('action').notNull().default('REDIRECT'),
  nwDstIp: text('nw_dst_ip').notNull(),
  nwProto: integer('nw_proto').notNull(),
  tpDst: integer('tp_dst'),
  targetPortId: text('target_port_id').notNull(),
  /** Who wrote the rule: 'vpn' for the translator's REDIRECT rules; others survive VPN clean-up. */
  owner: text('owner').notNull().default('vpn'),
  createdAt: integer('created_at').notNull(),
}, (t) => [index('rules_chain').on(t.chainId), index('rules_target').on(t.targetPortId)]);

export const containerGroups = sqliteTable('container_groups', {
  id: text('id').primaryKey(),
  /** 'weighted' | 'least' */
  policy: text('policy').notNull().default('least'),
  hostGroupId: text('host_group_id'),
  portGroupId: text('port_group_id'),
  antiAffinity: integer('anti_affinity', { mode: 'boolean' }).notNull().default(false),
  /** The router the group serves (one group per VPN router). */
  routerId: text('router_id'),
  createdAt: integer('created_at').notNull(),
}, (t) => [index('container_groups_router').on(t.routerId)]);

export const containers = sqliteTable('containers', {
  id: text('id').primaryKey(),
  groupId: text('group_id').notNull().references(() => containerGroups.id),
  portId: text('port_id').notNull(),
  /** 'IPSEC' */
  serviceType: text('service_type').notNull(),
  /** The configuration the container serves: the router id for IPSEC. */
  configurationId: text('configuration_id').notNull(),
  hostId: text('host_id'),
  placementGeneration: integer('placement_generation').notNull().default(0),
  /** DOWN | SCHEDULED | RESCHEDULED | UP */
  schedulerState: text('scheduler_state').notNull().default('DOWN'),
  /** STARTING | RUNNING | STOPPING | STOPPED | ERROR (null until an agent reports). */
  status: text('status'),
  statusMessage: text('status_message').notNull().default(''),
  namespace: text('namespace'),
  interfaceName: text('interface_name'),
  /** Host of the last status report, and when the reported status (or its message) last changed. */
  reportedHostId: text('reported_host_id'),
  reportedAt: integer('reported_at'),
  scheduledAt: integer('scheduled_at'),
  retries: integer('retries').notNull().default(0),
  nextAttemptAt: integer('next_attempt_at'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [index('containers_host').on(t.hostId), uniqueIndex('containers_config').on(t.serviceType, t.configurationId)]);

/**
 * The event log behind GET /v1/events and a container's events: every event the control plane publishes on
 * berth/v1/events. container_id is null for an event about a host alone (host-dead, host-bad, host-bad-cleared).
 */
export const containerEvents = sqliteTable('container_events', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  containerId: text('container_id'),
  at: integer('at').notNull(),
  type: text('type').notNull(),
  hostId: text('host_id'),
  reason: text('reason').notNull().default(''),
  /** Structured detail, e.g. per-host rejection reasons of a scheduling decision. */
  detail: text('detail', { mode: 'json' }).$type<Record<string, unknown> | null>(),
}, (t) => [index('container_events_container').on(t.containerId, t.id)]);
