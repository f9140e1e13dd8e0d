// Two processes writing the same libSQL file database at once: no write may be lost.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { openNodeDatabase } from '../functions/node/database';
import { applyMigrations } from '../functions/node/migrate';
import { leases, networks } from '../functions/db/schema';

const dir = mkdtempSync(join(tmpdir(), 'berth-conc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writer(url: string, who: string, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/db-writer.ts', url, who, String(n)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(code) : reject(new Error(`writer ${who} exited ${code}: ${err}`))));
  });
}

describe('shared file database', () => {
  it('two processes writing concurrently lose no write', async () => {
    const url = `file:${join(dir, 'shared.db')}`;
    const db = await openNodeDatabase({ url });
    await applyMigrations(db);
    await db.db.insert(leases).values({ name: 'counter', holder: 'test', epoch: 0, expiresAt: 0 });
    const n = 300;
    await Promise.all([writer(url, 'p1', n), writer(url, 'p2', n)]);
    const [{ c }] = await db.db.select({ c: count() }).from(networks);
    const [counter] = await db.db.select().from(leases).where(eq(leases.name, 'counter'));
    expect(c).toBe(2 * n);
    expect(counter.epoch).toBe(2 * n); // every read-modify-write saw the other's commits
    db.close();
  }, 60_000);
});
