// The lease on a real libSQL file database: take-over only after expiry, epochs that only go up, the fence that
// makes a stale leader's writes change nothing, and two processes contending for real.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asc, eq, sql } from 'drizzle-orm';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { containerEvents, leases } from '../db/schema';
import { acquireLease, assertEpoch, DB_NOW_MS, fencedWrite, readLease, releaseLease, renewLease } from './lease';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let t: TestApp;
beforeEach(async () => { t = await createTestApp(); });
afterEach(() => t.close());

const db = () => t.deps.database;
const mark = (reason: string) => (tx: Parameters<Parameters<typeof fencedWrite>[3]>[0]) =>
  tx.insert(containerEvents).values({ containerId: 'x', at: 0, type: 'fenced', reason });
const marks = async () => (await db().db.select().from(containerEvents).where(eq(containerEvents.type, 'fenced'))).map((r) => r.reason);

describe('lease', () => {
  it('the first holder gets epoch 1; renewing keeps the epoch and pushes the expiry', async () => {
    const a = await acquireLease(db(), 'controller', 'A', 2000);
    expect(a).toMatchObject({ name: 'controller', holder: 'A', epoch: 1 });
    const { now } = await readLease(db().db, 'controller');
    expect(Math.abs(a!.expiresAt - (now + 2000))).toBeLessThan(1000); // judged on the database clock
    await sleep(20);
    const again = await renewLease(db(), 'controller', 'A', 2000);
    expect(again!.epoch).toBe(1);
    expect(again!.expiresAt).toBeGreaterThan(a!.expiresAt);
  });

  it('another contender is refused while the lease is live and takes over only after expiry, with a higher epoch', async () => {
    const a = await acquireLease(db(), 'controller', 'A', 300);
    expect(await acquireLease(db(), 'controller', 'B', 300)).toBeNull();
    expect((await readLease(db().db, 'controller')).lease).toMatchObject({ holder: 'A', epoch: 1 });
    await sleep(350);
    const b = await acquireLease(db(), 'controller', 'B', 300);
    expect(b).toMatchObject({ holder: 'B', epoch: a!.epoch + 1 });
    expect(await renewLease(db(), 'controller', 'A', 300)).toBeNull(); // A lost it
  });

  it('a holder coming back after its own lease lapsed starts a new epoch', async () => {
    await acquireLease(db(), 'controller', 'A', 100);
    await sleep(150);
    expect(await acquireLease(db(), 'controller', 'A', 100)).toMatchObject({ holder: 'A', epoch: 2 });
  });

  it('release lets a successor in at once; only the current term can release', async () => {
    const a = await acquireLease(db(), 'controller', 'A', 60_000);
    expect(await releaseLease(db(), 'controller', 'A', a!.epoch + 1)).toBe(false);
    expect(await releaseLease(db(), 'controller', 'B', a!.epoch)).toBe(false);
    expect(await acquireLease(db(), 'controller', 'B', 60_000)).toBeNull();
    expect(await releaseLease(db(), 'controller', 'A', a!.epoch)).toBe(true);
    expect(await acquireLease(db(), 'controller', 'B', 60_000)).toMatchObject({ holder: 'B', epoch: 2 });
  });

  it('leases of different names are independent', async () => {
    expect(await acquireLease(db(), 'controller', 'A', 60_000)).toMatchObject({ epoch: 1 });
    expect(await acquireLease(db(), 'rebalance', 'B', 60_000)).toMatchObject({ holder: 'B', epoch: 1 });
  });

  it('a stale holder’s fenced write changes nothing; the current holder’s goes through', async () => {
    const a = await acquireLease(db(), 'controller', 'A', 200);
    await fencedWrite(db(), 'controller', a!.epoch, mark('A while leading'));
    await sleep(250);
    // Expired, nobody took over yet: still refused.
    await expect(fencedWrite(db(), 'controller', a!.epoch, mark('A after expiry'))).rejects.toMatchObject({ code: 'STALE_EPOCH' });
    const b = await acquireLease(db(), 'controller', 'B', 5000);
    await expect(fencedWrite(db(), 'controller', a!.epoch, mark('A stale'))).rejects.toMatchObject({ code: 'STALE_EPOCH', message: expect.stringContaining('epoch 2') });
    await fencedWrite(db(), 'controller', b!.epoch, mark('B leading'));
    expect(await marks()).toEqual(['A while leading', 'B leading']);
  });

  it('the fence undoes writes made before a failed check in the same transaction', async () => {
    await expect(db().write(async (tx) => {
      await mark('before the check')(tx);
      await assertEpoch(tx, 'controller', 1); // no such lease
    })).rejects.toMatchObject({ code: 'STALE_EPOCH' });
    expect(await marks()).toEqual([]);
  });

  it.each([
    ['an empty holder', 'controller', '', 1000],
    ['an empty name', '', 'A', 1000],
    ['a zero ttl', 'controller', 'A', 0],
    ['a fractional ttl', 'controller', 'A', 1.5],
  ])('refuses %s with BAD_REQUEST and writes nothing', async (_why, name, holder, ttl) => {
    await expect(acquireLease(db(), name, holder, ttl)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await db().db.select().from(leases)).toEqual([]);
  });

  it('uses the database clock, not the process clock', async () => {
    const [{ now }] = await db().db.all<{ now: number }>(sql`SELECT ${DB_NOW_MS} AS now`);
    expect(Math.abs(Number(now) - Date.now())).toBeLessThan(1000);
  });
});

function contender(url: string, who: string, runMs: number, ttl: number): Promise<{ written: number; stale: number }> {
  const script = fileURLToPath(new URL('./lease.contender.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', script, url, who, String(runMs), String(ttl)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`contender ${who} exited ${code}: ${err}`))));
  });
}

describe('lease across two processes', () => {
  it('one leader per epoch, epochs only go up, and stalled leaders write nothing', async () => {
    const url = t.deps.config.dbUrl;
    const [p1, p2] = await Promise.all([contender(url, 'P1', 3000, 150), contender(url, 'P2', 3000, 150)]);
    const rows = await db().db.select().from(containerEvents).where(eq(containerEvents.type, 'fenced')).orderBy(asc(containerEvents.id));
    const epochs = rows.map((r) => (r.detail as { epoch: number }).epoch);
    expect(rows.length).toBe(p1.written + p2.written);
    expect(p1.written + p2.written).toBeGreaterThan(20);
    expect(p1.stale + p2.stale).toBeGreaterThan(0); // the stalls happened and were fenced off
    // In commit order the epochs never go back (a stale write would carry an older one) ...
    for (let i = 1; i < epochs.length; i++) expect(epochs[i]).toBeGreaterThanOrEqual(epochs[i - 1]);
    // ... and each epoch belongs to exactly one holder.
    const holders = new Map<number, Set<string>>();
    for (const r of rows) {
      const d = r.detail as { epoch: number; holder: string };
      holders.set(d.epoch, (holders.get(d.epoch) ?? new Set()).add(d.holder));
    }
    for (const set of holders.values()) expect(set.size).toBe(1);
    expect(new Set(rows.map((r) => r.reason))).toEqual(new Set(['P1', 'P2'])); // both led at some point
  }, 30_000);
});
