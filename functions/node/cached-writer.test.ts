// The statement-caching writer against the stock @libsql/client on the same file: the same rows through
// drizzle (typed selects, raw SQL, RETURNING), the same error codes (busy, constraint), transactions that
// commit, roll back and survive a reconnect.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/libsql';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hosts } from '../db/schema';
import { applyMigrations } from './migrate';
import { createCachedWriter, filePathOf } from './cached-writer';
import { openNodeDatabase } from './database';

describe('filePathOf', () => {
  it.each([
    ['file:/tmp/a.db', '/tmp/a.db'],
    ['file:///tmp/a.db', '/tmp/a.db'],
    ['file://localhost/tmp/a.db', '/tmp/a.db'],
    ['file:.berth/berth.db', '.berth/berth.db'],
    ['file:/tmp/with%20space.db', '/tmp/with space.db'],
    ['file:/tmp/a.db?mode=ro', undefined],
    ['libsql://db.example.com', undefined],
    ['http://127.0.0.1:8080', undefined],
  ])('%s → %s', (url, path) => {
    expect(filePathOf(url)).toBe(path);
  });
});

describe('the cached writer', () => {
  let dir: string;
  let stock: Client;
  let cached: Client;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-writer-'));
    const database = await openNodeDatabase({ url: `file:${join(dir, 'x.db')}` });
    await applyMigrations(database);
    database.close();
    stock = createClient({ url: `file:${join(dir, 'x.db')}` });
    cached = createCachedWriter(join(dir, 'x.db'), 50);
  });
  afterEach(() => {
    stock.close();
    cached.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const insertHost = (c: Client, id: string) => drizzle(c).insert(hosts).values({ id, name: id, alive: true, containerWeight: 3, createdAt: 1, updatedAt: 2 });

  it('reads what the stock client reads, through typed selects, raw SQL and RETURNING, again and again', async () => {
    await insertHost(stock, 'h1');
    await insertHost(stock, 'h2');
    for (let i = 0; i < 3; i++) { // the second and third runs use the cached statements
      expect(await drizzle(cached).select().from(hosts).orderBy(hosts.id)).toEqual(await drizzle(stock).select().from(hosts).orderBy(hosts.id));
      const q = sql`select h.id, h.alive, h.id as id2, 7 as n from ${hosts} h where h.id = ${'h2'}`;
      expect(await drizzle(cached).all(q)).toEqual(await drizzle(stock).all(q));
      expect(await drizzle(cached).all(q)).toEqual([{ id: 'h2', alive: 1, id2: 'h2', n: 7 }]);
      const dup = sql`select 1 as a, 2 as a, 'x' as b`; // duplicate names: the first wins, every index stays
      expect(await drizzle(cached).all(dup)).toEqual(await drizzle(stock).all(dup));
      const [row] = (await cached.execute('select 1 as a, 2 as a')).rows;
      expect([row.a, row[0], row[1], row.length, Object.keys(row)]).toEqual([1, 1, 2, 2, ['a']]);
    }
    const back = await drizzle(cached).update(hosts).set({ containerWeight: 9 }).where(eq(hosts.id, 'h1')).returning({ id: hosts.id, w: hosts.containerWeight });
    expect(back).toEqual([{ id: 'h1', w: 9 }]);
    const res = await cached.execute({ sql: 'update hosts set load = ? where id in (?, ?)', args: [true, 'h1', 'h2'] });
    expect(res.rowsAffected).toBe(2);
    expect((await stock.execute('select load from hosts order by id')).rows.map((r) => r.load)).toEqual([1, 1]);
  });

  it('commits and rolls back transactions; a closed transaction refuses more work', async () => {
    const tx = await cached.transaction('write');
    await tx.execute({ sql: 'insert into hosts (id, name, created_at, updated_at) values (?, ?, 1, 1)', args: ['t1', 't1'] });
    await tx.commit();
    expect(tx.closed).toBe(true);
    await expect(tx.execute('select 1')).rejects.toThrow(/closed/);
    const tx2 = await cached.transaction('write');
    await tx2.execute({ sql: 'insert into hosts (id, name, created_at, updated_at) values (?, ?, 1, 1)', args: ['t2', 't2'] });
    await tx2.rollback();
    const tx3 = await cached.transaction('write');
    await tx3.execute({ sql: 'insert into hosts (id, name, created_at, updated_at) values (?, ?, 1, 1)', args: ['t3', 't3'] });
    tx3.close(); // closing without commit rolls back
    expect((await stock.execute('select id from hosts order by id')).rows.map((r) => r.id)).toEqual(['t1']);
  });

  it('reports a constraint violation and a busy database with the codes Database.write reads', async () => {
    await insertHost(cached, 'dup');
    const dup = await insertHost(cached, 'dup').then(() => null, (e) => e);
    const stockDup = await insertHost(stock, 'dup').then(() => null, (e) => e);
    expect(dup.cause).toMatchObject({ code: 'SQLITE_CONSTRAINT', extendedCode: stockDup.cause.extendedCode });
    const holder = await stock.transaction('write');
    try {
      const busy = await cached.transaction('write').then(() => null, (e) => e);
      expect(busy).toMatchObject({ code: 'SQLITE_BUSY' });
    } finally {
      await holder.rollback();
    }
    cached.reconnect();
    const tx = await cached.transaction('write');
    await tx.execute({ sql: 'insert into hosts (id, name, created_at, updated_at) values (?, ?, 1, 1)', args: ['after', 'after'] });
    await tx.commit();
    expect((await stock.execute("select count(*) as n from hosts where id = 'after'")).rows[0].n).toBe(1);
  });
});
