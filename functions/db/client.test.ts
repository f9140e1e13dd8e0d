import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { openDatabase, type Database } from './client';
import { applyMigrations } from '../node/migrate';
import { networks } from './schema';

const row = (id: string) => ({ id, tenantId: 't', name: id, createdAt: 1, updatedAt: 1 });

describe('Database.write (group commit)', () => {
  let dir: string;
  let db: Database;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-db-'));
    db = await openDatabase({ url: `file:${join(dir, 'x.db')}` });
    await applyMigrations(db);
  });
  afterEach(() => { db.close(); rmSync(dir, { recursive: true, force: true }); });

  it('commits many concurrent writes, and a failing one rolls back alone', async () => {
    const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => db.write(async (tx) => {
      await tx.insert(networks).values(row(`n${i}`));
      if (i % 10 === 3) throw new Error(`job ${i} fails after writing`);
      return i;
    })));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason.message)))
      .toEqual(['job 3 fails after writing', 'job 13 fails after writing', 'job 23 fails after writing', 'job 33 fails after writing']);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(36);
    const [{ c }] = await db.db.select({ c: count() }).from(networks);
    expect(c).toBe(36);
    expect(await db.db.select().from(networks).where(eq(networks.id, 'n3'))).toEqual([]);
  });

  it('a constraint violation fails only its own write', async () => {
    await db.write((tx) => tx.insert(networks).values(row('dup')));
    const [a, b, c] = await Promise.allSettled([
      db.write((tx) => tx.insert(networks).values(row('x1'))),
      db.write((tx) => tx.insert(networks).values(row('dup'))),
      db.write((tx) => tx.insert(networks).values(row('x2'))),
    ]);
    expect([a.status, b.status, c.status]).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await db.db.select({ id: networks.id }).from(networks)).map((r) => r.id).sort()).toEqual(['dup', 'x1', 'x2']);
  });

  it('results are visible to readers once write() resolves', async () => {
    await db.write((tx) => tx.insert(networks).values(row('seen')));
    expect(await db.db.select({ id: networks.id }).from(networks)).toEqual([{ id: 'seen' }]);
  });
});
