// Northbound (tenant-facing, Neutron-shaped) tables: networks, subnets, routers and their interfaces.
import { sqliteTable, text, integer, index, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const networks = sqliteTable('networks', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  name: text('name').notNull().default(''),
  description: text('description').notNull().default(''),
  routerExternal: integer('router_external', { mode: 'boolean' }).notNull().default(false),
  adminStateUp: integer('admin_state_up', { mode: 'boolean' }).notNull().default(true),
  status: text('status').notNull().default('ACTIVE'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [index('networks_tenant').on(t.tenantId)]);

export const subnets = sqliteTable('subnets', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  networkId: text('network_id').notNull().references(() => networks.id),
  name: text('name').notNull().default(''),
  description: text('description').notNull().default(''),
  cidr: text('cidr').notNull(),
  ipVersion: integer('ip_version').notNull(),
  gatewayIp: text('gateway_ip'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [index('subnets_tenant').on(t.tenantId), index('subnets_network').on(t.networkId)]);

/** One fixed IP of a router's external gateway. */
export interface GatewayFixedIp { subnet_id: string; ip_address: string }

export const routers = sqliteTable('routers', {
  id: text('id').primaryKey(),
  tenantId: text('tenant_id').notNull(),
  name: text('name').notNull().default(''),
  description: text('description').notNull().default(''),
  adminStateUp: integer('admin_state_up', { mode: 'boolean' }).notNull().default(true),
  status: text('status').notNull().default('ACTIVE'),
  /** External gateway network (null: no gateway). */
  gatewayNetworkId: text('gateway_network_id').references(() => networks.id),
  gatewayFixedIps: text('gateway_fixed_ips', { mode: 'json' }).$type<GatewayFixedIp[]>().notNull().default([]),
  availabilityZoneHints: text('availability_zone_hints', { mode: 'json' }).$type<string[]>().notNull().default([]),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
}, (t) => [index('routers_tenant').on(t.tenantId)]);

/** Router ↔ subnet attachment; the router side is a row in `ports` (kind router_interface). */
export const routerInterfaces = sqliteTable('router_interfaces', {
  portId: text('port_id').primaryKey(),
  routerId: text('router_id').notNull().references(() => routers.id),
  subnetId: text('subnet_id').notNull().references(() => subnets.id),
  tenantId: text('tenant_id').notNull(),
  createdAt: integer('created_at').notNull(),
}, (t) => [uniqueIndex('router_interfaces_router_subnet').on(t.routerId, t.subnetId), index('router_interfaces_subnet').on(t.subnetId)]);
