// VPNaaS tables (Neutron shapes): IKE/IPsec policies, VPN services, endpoint groups, IPsec site connections.
import { sqliteTable, text, integer, index } from 'drizzle-orm/sqlite-core';
import { routers, subnets } from './northbound';

export const ikePolicies = sqliteTable('ikepolicies', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  name: text('name').notNull().default(''),
  description: text('description').notNull().default(''),
  authAlgorithm: text('auth_algorithm').notNull(),
  encryptionAlgorithm: text('encryption_algorithm').notNull(),
  phase1NegotiationMode: text('phase1_negotiation_mode').notNull(),
  lifetimeUnits: text('lifetime_units').notNull().default('seconds'),
  lifetimeValue: integer('lifetime_value').notNull(),
  ikeVersion: text('ike_version').notNull(),
  pfs: text('pfs').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [index('ikepolicies_tenant').on(t.tenantId)]);

export const ipsecPolicies = sqliteTable('ipsecpolicies', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  name: text('name').notNull().default(''),
  description: text('description').notNull().default(''),
  transformProtocol: text('transform_protocol').notNull(),
  authAlgorithm: text('auth_algorithm').notNull(),
  encryptionAlgorithm: text('encryption_algorithm').notNull(),
  encapsulationMode: text('encapsulation_mode').notNull(),
  lifetimeUnits: text('lifetime_units').notNull().default('seconds'),
  lifetimeValue: integer('lifetime_value').notNull(),
  pfs: text('pfs').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [index('ipsecpolicies_tenant').on(t.tenantId)]);

export const vpnServices = sqliteTable('vpnservices', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  name: text('name').notNull().default(''),
  description: text('description').notNull().default(''),
  routerId: text('router_id').notNull().references(() => routers.id),
  /** Legacy mode: the local subnet; null in endpoint-group mode. */
  subnetId: text('subnet_id').references(() => subnets.id),
  adminStateUp: integer('admin_state_up', { mode: 'boolean' }).notNull().default(true),
  status: text('status').notNull().default('PENDING_CREATE'),
  externalV4Ip: text('external_v4_ip'),
  externalV6Ip: text('external_v6_ip'),
  /** Why the relay cannot send this service's container to its host (null: sent, or not built yet): relay/unsent.ts. */
  sendError: text('send_error'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [index('vpnservices_tenant').on(t.tenantId), index('vpnservices_router').on(t.routerId)]);

export const endpointGroups = sqliteTable('endpoint_groups', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  name: text('name').notNull().default(''),
  description: text('description').notNull().default(''),
  /** 'cidr' | 'subnet' */
  type: text('type').notNull(),
  endpoints: text('endpoints', { mode: 'json' }).$type<string[]>().notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [index('endpoint_groups_tenant').on(t.tenantId)]);

/** Per-tunnel state as last reported by the agent (IKE/CHILD SA). */
export interface TunnelReport {
  state: string; ikeState?: string; childState?: string; message?: string;
  /** Telemetry (issue 11), when the agent sends it: counters of the current CHILD_SAs, times in ms since the epoch. */
  bytesIn?: number; bytesOut?: number; packetsIn?: number; packetsOut?: number;
  establishedAt?: number | null; lastRekeyAt?: number | null;
  /** Where and when it was reported (for /metrics labels and staleness). */
  hostId?: string; reportedAt?: number;
}

export const ipsecSiteConnections = sqliteTable('ipsec_site_connections', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  name: text('name').notNull().default(''),
  description: text('description').notNull().default(''),
  vpnServiceId: text('vpnservice_id').notNull().references(() => vpnServices.id),
  ikePolicyId: text('ikepolicy_id').notNull().references(() => ikePolicies.id),
  ipsecPolicyId: text('ipsecpolicy_id').notNull().references(() => ipsecPolicies.id),
  peerAddress: text('peer_address').notNull(),
  peerId: text('peer_id').notNull(),
  localId: text('local_id').notNull().default(''),
  /** Legacy mode peer CIDRs ([] in endpoint-group mode). */
  peerCidrs: text('peer_cidrs', { mode: 'json' }).$type<string[]>().notNull().default([]),
  localEpGroupId: text('local_ep_group_id').references(() => endpointGroups.id),
  peerEpGroupId: text('peer_ep_group_id').references(() => endpointGroups.id),
  /** AES-GCM ciphertext of the pre-shared key (base64 iv:ct); the plaintext is never stored or returned. */
  pskCiphertext: text('psk_ciphertext').notNull(),
  mtu: integer('mtu').notNull().default(1500),
  initiator: text('initiator').notNull().default('bi-directional'),
  dpdAction: text('dpd_action').notNull().default('hold'),
  dpdInterval: integer('dpd_interval').notNull().default(30),
  dpdTimeout: integer('dpd_timeout').notNull().default(120),
  adminStateUp: integer('admin_state_up', { mode: 'boolean' }).notNull().default(true),
  status: text('status').notNull().default('PENDING_CREATE'),
  routeMode: text('route_mode').notNull().default('static'),
  authMode: text('auth_mode').notNull().default('psk'),
  /** Last tunnel report from the container (null until one arrives). */
  tunnel: text('tunnel', { mode: 'json' }).$type<TunnelReport | null>(),
  /** Why the relay leaves this connection out of its host's document (null: sent, or not built yet): relay/unsent.ts. */
  sendError: text('send_error'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [index('isc_tenant').on(t.tenantId), index('isc_vpnservice').on(t.vpnServiceId)]);
