// Fleet and coordination tables: hosts, host/port groups, leases, the dirty-host outbox, API tokens.
import { sqliteTable, text, integer, primaryKey } from 'drizzle-orm/sqlite-core';

export const hosts = sqliteTable('hosts', {
  /** The name the agent was started with (--host-id). */
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  containerWeight: integer('container_weight').notNull().default(1),
  /** -1 = no limit */
  containerLimit: integer('container_limit').notNull().default(-1),
  enforceContainerLimit: integer('enforce_container_limit', { mode: 'boolean' }).notNull().default(false),
  cordoned: integer('cordoned', { mode: 'boolean' }).notNull().default(false),
  alive: integer('alive', { mode: 'boolean' }).notNull().default(false),
  lastHeartbeatAt: integer('last_heartbeat_at'),
  /** Last presence/heartbeat of any kind (liveness judged on this). */
  lastSeenAt: integer('last_seen_at'),
  bootId: text('boot_id'),
  reportedCount: integer('reported_count'),
  reportedQuota: integer('reported_quota'),
  load: integer('load'),
  /** Marked bad by the scheduler until this time (null: not bad). */
  badUntil: integer('bad_until'),
  /** Generation of the last desired document built for this host. */
  desiredGeneration: integer('desired_generation').notNull().default(0),
  /**
   * The epoch this host's documents carry at least (they carry max(lease epoch, this)): raised to the fencing
   * mark the agent reports when that mark is ahead of anything this database published for it — a restored
   * backup, or a fresh database taking the host over (docs/decisions.md, issue 10). Only this host's documents.
   */
  fenceEpoch: integer('fence_epoch').notNull().default(0),
  /** The host has reported holding a document of this database: from then on a foreign mark is a conflict. */
  fenceHeld: integer('fence_held', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

export const hostGroups = sqliteTable('host_groups', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  createdAt: integer('created_at').notNull(),
});

export const hostGroupMembers = sqliteTable('host_group_members', {
  groupId: text('group_id').notNull().references(() => hostGroups.id),
  hostId: text('host_id').notNull(),
}, (t) => [primaryKey({ columns: [t.groupId, t.hostId] })]);

export const portGroups = sqliteTable('port_groups', {
  id: text('id').primaryKey(),
  name: text('name').notNull().unique(),
  createdAt: integer('created_at').notNull(),
});

export const portGroupMembers = sqliteTable('port_group_members', {
  groupId: text('group_id').notNull().references(() => portGroups.id),
  portId: text('port_id').notNull(),
}, (t) => [primaryKey({ columns: [t.groupId, t.portId] })]);

export const leases = sqliteTable('leases', {
  name: text('name').primaryKey(),
  holder: text('holder').notNull(),
  epoch: integer('epoch').notNull(),
  expiresAt: integer('expires_at').notNull(),
  // What the holder remembers between steps of ONE epoch (the controller keeps no state in memory, so a stateless
  // call — a Worker invocation — gives the same result as a long-running loop). Reset when the epoch changes.
  /** Controller clock (ms) when this epoch began: the leader grace counts from here. */
  leaderSince: integer('leader_since'),
  /** Hash of the last fleet fingerprint (functions/controller/fleet.ts); null = none yet this epoch. */
  fingerprint: text('fingerprint'),
  /** When the fingerprint last changed this epoch (wakes DOWN containers); null = no change known. */
  fleetChangedAt: integer('fleet_changed_at'),
  // Written by the HTTP ingest (Workers) only: the control plane "hears" the agents while batches keep arriving.
  /** Controller clock (ms) of the last ingest batch delivered over HTTP. */
  heardAt: integer('heard_at'),
  /** Start of the current unbroken run of ingest batches (no gap longer than the hearing window). */
  hearingSince: integer('hearing_since'),
});

/**
 * Which database this is: one row, a random id made by the migration that created the table. A copy of the
 * file (a backup restored later) is the same database; a fresh database has a new id. Desired documents carry
 * it, agents report it back with their fencing mark.
 */
export const databaseIdentity = sqliteTable('database_identity', {
  id: text('id').primaryKey(),
});

/** Outbox: hosts whose desired document must be (re)published. */
export const dirtyHosts = sqliteTable('dirty_hosts', {
  hostId: text('host_id').primaryKey(),
  markedAt: integer('marked_at').notNull(),
});

export const apiTokens = sqliteTable('api_tokens', {
  id: text('id').primaryKey(),
  /** SHA-256 hex of the token; the token itself is shown once and never stored. */
  tokenHash: text('token_hash').notNull().unique(),
  /** 'admin' | 'tenant' */
  role: text('role').notNull(),
  tenantId: text('tenant_id'),
  createdAt: integer('created_at').notNull(),
});

/** A running drain of a host (POST /v1/hosts/{id}/drain): the leader's tick advances it; gone when done. */
export const drains = sqliteTable('drains', {
  hostId: text('host_id').primaryKey(),
  /** DrainState of functions/controller/drain.ts: maxParallel, moves in flight, progress. */
  state: text('state', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * A host's own MQTT credential (issue 9): only a salted hash of the secret, in Mosquitto's `$7$` format
 * (PBKDF2-SHA512) so `berth mqtt-acl passwd` can write Mosquitto's password_file straight from this table.
 * One row per host; issuing again replaces it (rotation), deleting the host deletes it (revocation).
 */
export const hostCredentials = sqliteTable('host_credentials', {
  hostId: text('host_id').primaryKey(),
  secretHash: text('secret_hash').notNull(),
  /** 'admin' (POST /v1/hosts/{id}/token) | 'fleet' (enrolled with the fleet token) */
  issuedBy: text('issued_by').notNull(),
  createdAt: integer('created_at').notNull(),
});
