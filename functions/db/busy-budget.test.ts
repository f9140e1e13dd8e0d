// Bounded SQLITE_BUSY (issue 10, item 3): when another process holds the write lock for a long time, a write of
// ours gives up within a bounded time (UNAVAILABLE, retryable) instead of 8 retries × the 5 s busy timeout
// (~40 s) during which the single write queue — lease renewal and ingest included — stood still.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@libsql/client';
import { afterEach, describe, expect, it } from 'vitest';
import { openNodeDatabase } from '../node/database';
import { applyMigrations } from '../node/migrate';
import { leases } from './schema';
import type { Database } from './client';

describe('a write under a long-held lock', () => {
  const closers: (() => void)[] = [];
  afterEach(() => { for (const c of closers.splice(0)) c(); });

  it('fails within the busy budget (UNAVAILABLE) and the next write succeeds once the lock is free', async () => {
    const url = `file:${join(mkdtempSync(join(tmpdir(), 'berth-busy-')), 'berth.db')}`;
    const db: Database = await openNodeDatabase({ url });
    closers.push(() => db.close());
    await applyMigrations(db);
    // Another process's long transaction: it holds the write lock until we let go.
    const other = createClient({ url });
    closers.push(() => other.close());
    const tx = await other.transaction('write');
    await tx.execute("insert into leases (name, holder, epoch, expires_at) values ('other', 'x', 1, 0)");
    const t0 = Date.now();
    const err = await db.write((w) => w.insert(leases).values({ name: 'controller', holder: 'me', epoch: 1, expiresAt: 1 })).then(() => null, (e) => e);
    const took = Date.now() - t0;
    expect(err?.code).toBe('UNAVAILABLE');
    // The lease TTL is 2 s: a renewal must get an answer well before it, so the controller can step down cleanly.
    expect(took).toBeLessThan(2000);
    await tx.rollback();
    tx.close();
    await db.write((w) => w.insert(leases).values({ name: 'controller', holder: 'me', epoch: 1, expiresAt: 1 }));
    expect((await db.db.select().from(leases)).map((l) => l.name)).toEqual(['controller']);
  }, 120_000);
});

describe('the controller under a long-held lock', () => {
  it('steps down cleanly when it cannot renew, and leads again (a new leadership, with grace) once the lock is free', async () => {
    const { createTestApp } = await import('../../test/helpers/harness');
    const { Controller } = await import('../controller/tick');
    const t = await createTestApp();
    const logs: string[] = [];
    const logger = { debug: () => {}, info: (_o: object, m: string) => logs.push(m), warn: (_o: object, m: string) => logs.push(m), error: (_o: object, m: string) => logs.push(m) };
    const ctl = new Controller({ ...t.deps, logger }, { holder: 'a' });
    try {
      expect((await ctl.tick()).leader).toBe(true);
      const other = createClient({ url: t.deps.config.dbUrl });
      const tx = await other.transaction('write');
      await tx.execute("insert into leases (name, holder, epoch, expires_at) values ('other', 'x', 1, 0)");
      const t0 = Date.now();
      const during = await ctl.tick();
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(during.leader).toBe(false);
      expect(logs).toContain('controller lease not renewed: stepping down');
      await tx.rollback();
      tx.close();
      other.close();
      expect((await ctl.tick()).leader).toBe(true);
    } finally {
      t.close();
    }
  }, 120_000);
});
