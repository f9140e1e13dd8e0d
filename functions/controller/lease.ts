// The controller's durable leader lease with a fencing epoch (DESIGN section 6). Acquire and renew are ONE
// atomic statement judged on the database's clock (never a process clock: replicas' clocks differ, and a paused
// process's sense of time is wrong); a new holder always gets a higher epoch; every controller write checks in
// its own transaction that its epoch is still current, so a stale leader's writes change nothing.
import { sql } from 'drizzle-orm';
import type { Database, Db } from '../db/client';
import { AppError, badRequest } from '../../shared/errors';

/** The database's clock in ms since the epoch, evaluated inside the statement that uses it. */
export const DB_NOW_MS = sql`CAST(unixepoch('subsec') * 1000 AS INTEGER)`;

export interface Lease {
  name: string;
  holder: string;
  epoch: number;
  /** Database-clock ms after which anyone may take the lease. */
  expiresAt: number;
}

function check(name: string, holder: string, ttlMs?: number): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) throw badRequest('lease name must be 1-200 characters');
  if (typeof holder !== 'string' || holder.length === 0 || holder.length > 200) throw badRequest('lease holder must be 1-200 characters');
  if (ttlMs !== undefined && (!Number.isInteger(ttlMs) || ttlMs <= 0 || ttlMs > 3_600_000)) throw badRequest('lease ttl must be a whole number of ms in 1..3600000');
}

/** What the holder remembers between steps of one epoch (the leases row's extra columns; see the schema). */
export interface LeaseMemory {
  leaderSince: number | null;
  fingerprint: string | null;
  fleetChangedAt: number | null;
  heardAt: number | null;
  hearingSince: number | null;
}

export type HeldLease = Lease & LeaseMemory;

type LeaseRow = { name: string; holder: string; epoch: number; expires_at: number; leader_since: number | null; fingerprint: string | null;
  fleet_changed_at: number | null; heard_at: number | null; hearing_since: number | null };

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/**
 * Acquires or renews `name` for `holder` inside the caller's write transaction: succeeds when the lease is
 * free, expired, or already this holder's. The epoch stays on a renewal of a live lease and goes up on every
 * other success — a new holder, or this holder coming back after its lease lapsed (it may have been paused, so
 * it must start over as a new leader). Returns null when another holder's lease is live.
 *
 * The same statement keeps the epoch's memory: on a new epoch leader_since becomes `now` (the caller's clock, the
 * one the plan judges time on) and the fingerprint is forgotten; on a renewal both stay. So a caller that keeps
 * nothing in memory learns from this one statement whether it is a new leader and since when.
 */
export async function acquireIn(tx: Db, name: string, holder: string, ttlMs: number, now: number | null = null): Promise<HeldLease | null> {
  return heldLease(await acquireStep(tx, name, holder, ttlMs, now));
}

/** acquireIn's statement, not yet run (a step of a batch, functions/db/batch.ts); heldLease reads its rows. */
export function acquireStep(tx: Db, name: string, holder: string, ttlMs: number, now: number | null = null) {
  check(name, holder, ttlMs);
  const same = sql`leases.holder = excluded.holder AND leases.expires_at >= ${DB_NOW_MS}`;
  return tx.all<LeaseRow>(sql`
    INSERT INTO leases (name, holder, epoch, expires_at, leader_since) VALUES (${name}, ${holder}, 1, ${DB_NOW_MS} + ${ttlMs}, ${now})
    ON CONFLICT (name) DO UPDATE SET
      epoch = CASE WHEN ${same} THEN leases.epoch ELSE leases.epoch + 1 END,
      leader_since = CASE WHEN ${same} AND leases.leader_since IS NOT NULL THEN leases.leader_since ELSE excluded.leader_since END,
      fingerprint = CASE WHEN ${same} THEN leases.fingerprint ELSE NULL END,
      fleet_changed_at = CASE WHEN ${same} THEN leases.fleet_changed_at ELSE NULL END,
      holder = excluded.holder,
      expires_at = excluded.expires_at
    WHERE leases.holder = excluded.holder OR leases.expires_at < ${DB_NOW_MS}
    RETURNING name, holder, epoch, expires_at, leader_since, fingerprint, fleet_changed_at, heard_at, hearing_since`);
}

/** The lease acquireStep's rows say is held (null: another holder's lease is live). */
export function heldLease(rows: LeaseRow[]): HeldLease | null {
  const r = rows[0];
  return r ? {
    name: r.name, holder: r.holder, epoch: Number(r.epoch), expiresAt: Number(r.expires_at), leaderSince: num(r.leader_since),
    fingerprint: r.fingerprint ?? null, fleetChangedAt: num(r.fleet_changed_at), heardAt: num(r.heard_at), hearingSince: num(r.hearing_since),
  } : null;
}

/** acquireIn in its own write transaction. Renewing is the same call by the same holder. */
export async function acquireLease(database: Database, name: string, holder: string, ttlMs: number, now: number | null = null): Promise<HeldLease | null> {
  check(name, holder, ttlMs);
  return database.write((tx) => acquireIn(tx, name, holder, ttlMs, now));
}

/** Stores the epoch's fleet memory (inside the caller's fenced transaction, or alone). Only for that very epoch. */
export async function rememberFleet(tx: Db, name: string, epoch: number, fingerprint: string, fleetChangedAt: number | null): Promise<void> {
  await rememberFleetStep(tx, name, epoch, fingerprint, fleetChangedAt);
}

/** rememberFleet's statement, not yet run (a step of a batch). */
export const rememberFleetStep = (tx: Db, name: string, epoch: number, fingerprint: string, fleetChangedAt: number | null) =>
  tx.run(sql`UPDATE leases SET fingerprint = ${fingerprint}, fleet_changed_at = ${fleetChangedAt} WHERE name = ${name} AND epoch = ${epoch}`);

export const renewLease = acquireLease;

/**
 * Gives the lease up at once (a clean shutdown), so a successor need not wait out the TTL. Only the holder of
 * that very epoch can release; returns whether it did.
 */
export async function releaseLease(database: Database, name: string, holder: string, epoch: number): Promise<boolean> {
  check(name, holder);
  const rows = await database.write((tx) => tx.all(sql`
    UPDATE leases SET expires_at = 0
    WHERE name = ${name} AND holder = ${holder} AND epoch = ${epoch} AND expires_at >= ${DB_NOW_MS}
    RETURNING epoch`));
  return rows.length > 0;
}

/**
 * The fence: throws STALE_EPOCH unless `epoch` is the current epoch of `name` and has not expired, judged on
 * the database clock inside the caller's write transaction (BEGIN IMMEDIATE: no one can take the lease between
 * this check and the commit).
 */
export async function assertEpoch(tx: Db, name: string, epoch: number): Promise<void> {
  checkFence(await fenceStep(tx, name), name, epoch);
}

/** assertEpoch's read, not yet run (a step of a batch); checkFence judges its rows. */
export const fenceStep = (tx: Db, name: string) =>
  tx.all<{ epoch: number; expired: number }>(sql`SELECT epoch, expires_at < ${DB_NOW_MS} AS expired FROM leases WHERE name = ${name}`);

/** Whether fenceStep's rows show `epoch` current and unexpired. */
export function fenceHolds(rows: { epoch: number; expired: number }[], epoch: number): boolean {
  const r = rows[0];
  return !!r && Number(r.epoch) === epoch && !Number(r.expired);
}

/** Throws STALE_EPOCH unless fenceStep's rows show `epoch` current and unexpired. */
export function checkFence(rows: { epoch: number; expired: number }[], name: string, epoch: number): void {
  if (fenceHolds(rows, epoch)) return;
  const r = rows[0];
  const why = !r ? 'no such lease' : Number(r.epoch) !== epoch ? `the lease is at epoch ${r.epoch}` : 'the lease expired';
  throw new AppError('STALE_EPOCH', `lease ${name} epoch ${epoch} is no longer current: ${why}`, { context: { lease: name, epoch } });
}

/** Runs fn in one write transaction after the fence: all of fn's writes, or (stale epoch) none. */
export function fencedWrite<T>(database: Database, name: string, epoch: number, fn: (tx: Db) => Promise<T>): Promise<T> {
  return database.write(async (tx) => {
    await assertEpoch(tx, name, epoch);
    return fn(tx);
  });
}

/** The lease as stored (null when never taken) and the database clock, for status pages and the leader grace. */
export async function readLease(db: Db, name: string): Promise<{ lease: Lease | null; now: number }> {
  const rows = await db.all<{ name: string | null; holder: string | null; epoch: number | null; expires_at: number | null; now: number }>(sql`
    SELECT l.name, l.holder, l.epoch, l.expires_at, ${DB_NOW_MS} AS now
    FROM (SELECT 1) LEFT JOIN leases l ON l.name = ${name}`);
  const r = rows[0];
  const lease = r?.name ? { name: r.name, holder: r.holder!, epoch: Number(r.epoch), expiresAt: Number(r.expires_at) } : null;
  return { lease, now: Number(r?.now) };
}
