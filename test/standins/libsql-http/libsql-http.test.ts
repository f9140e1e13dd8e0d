// The test-only libSQL HTTP stand-in (sqld/Turso are not installable here), proven with the real @libsql/client
// HTTP path: berth's own openDatabase against http://127.0.0.1:<port> — migrations, Database.write transactions
// from two clients at once, the lease, services through the Hono app — plus Hrana protocol details at the wire.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../../functions/db/client';
import { applyMigrations } from '../../../functions/node/migrate';
import { acquireLease } from '../../../functions/controller/lease';
import { createApp } from '../../../functions/app';
import { SecretBox } from '../../../functions/crypto';
import { nullPublisher } from '../../../functions/deps';
import { systemClock } from '../../../shared/clock';
import { cryptoIds } from '../../../shared/ids';
import { silentLogger } from '../../../shared/logger';
import { createSeedVpn } from '../../../functions/node/seed-vpn';
import { startLibsqlHttpStandIn, type LibsqlHttpStandIn } from './server';

const TOKEN = 'db-token-for-the-stand-in';
let dir: string;
let standIn: LibsqlHttpStandIn;
const opened: Database[] = [];

async function open(): Promise<Database> {
  const d = await openDatabase({ url: standIn.url, authToken: TOKEN });
  opened.push(d);
  return d;
}

async function pipeline(version: 2 | 3, body: unknown, token = TOKEN) {
  const r = await fetch(`${standIn.url}/v${version}/pipeline`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body),
  });
  return { status: r.status, body: (await r.json()) as any };
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-libsql-standin-'));
  standIn = await startLibsqlHttpStandIn({ path: join(dir, 'berth.db'), authToken: TOKEN, idleMs: 1500 });
});

afterEach(async () => {
  for (const d of opened.splice(0)) d.close();
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('berth over @libsql/client HTTP against the libSQL stand-in', () => {
  it('applies the migrations (twice, idempotent) and runs the seed VPN through the API', async () => {
    const database = await open();
    await applyMigrations(database);
    await applyMigrations(database);
    const tables = await database.client.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('leases', 'containers', 'hosts')");
    expect(tables.rows.map((r) => r.name).sort()).toEqual(['containers', 'hosts', 'leases']);

    const config = {
      port: 0, host: '127.0.0.1', dbUrl: standIn.url, mqttPort: 0, adminToken: 'admin-token-0123456789abcdef',
      agentToken: 'agent-token-0123456789abcdef', secretKey: 'secret-key-0123456789abcdef', adminTenantId: 'admin', maxBodyBytes: 65536,
    };
    const app = createApp({ database, clock: systemClock, ids: cryptoIds, logger: silentLogger, config, publisher: nullPublisher, secrets: new SecretBox(config.secretKey) });
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await app.request(path, { method, headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    const seed = await createSeedVpn(api);
    const conn = await api('GET', `/v2.0/vpn/ipsec-site-connections/${seed.connectionId}`);
    expect(conn.status).toBe(200);
    expect(conn.body.ipsec_site_connection).toMatchObject({ name: 'to-venus', peer_address: '1.0.0.3', status: 'PENDING_CREATE' });
    const containers = await api('GET', '/v1/containers');
    expect(containers.body.containers).toEqual([expect.objectContaining({ serviceType: 'IPSEC', schedulerState: 'DOWN' })]);
    // A fresh client (another "invocation") sees the committed state.
    const other = await open();
    const n = await other.client.execute('SELECT count(*) AS n FROM containers');
    expect(Number(n.rows[0].n)).toBe(1);
  }, 120_000);

  it('serialises read-modify-write transactions of two clients: no lost update', async () => {
    const [a, b] = [await open(), await open()];
    await a.client.execute('CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
    await a.client.execute('INSERT INTO counter VALUES (1, 0)');
    const bump = (d: Database) => d.write(async (tx) => {
      const rows = await tx.all<{ n: number }>(sql`SELECT n FROM counter WHERE id = 1`);
      await new Promise((r) => setTimeout(r, 2)); // widen the read-to-write window
      await tx.run(sql`UPDATE counter SET n = ${Number(rows[0].n) + 1} WHERE id = 1`);
    });
    const perClient = 15;
    await Promise.all([a, b].map(async (d) => { for (let i = 0; i < perClient; i++) await bump(d); }));
    const final = await a.client.execute('SELECT n FROM counter WHERE id = 1');
    expect(Number(final.rows[0].n)).toBe(2 * perClient);
  }, 120_000);

  it('a write transaction that fails rolls back; a stream abandoned mid-transaction releases the lock', async () => {
    const d = await open();
    await d.client.execute('CREATE TABLE t (v TEXT NOT NULL)');
    await expect(d.write(async (tx) => {
      await tx.run(sql`INSERT INTO t VALUES ('kept?')`);
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect((await d.client.execute('SELECT count(*) AS n FROM t')).rows[0].n).toBe(0);

    // A client that began a write transaction and vanished (no close): its stream expires, its writes roll back.
    const begun = await pipeline(3, { baton: null, requests: [{ type: 'execute', stmt: { sql: 'BEGIN IMMEDIATE' } }, { type: 'execute', stmt: { sql: "INSERT INTO t VALUES ('orphan')" } }] });
    expect(begun.body.results.map((r: any) => r.type)).toEqual(['ok', 'ok']);
    await d.write((tx) => tx.run(sql`INSERT INTO t VALUES ('after')`)); // waits for the expiry, then commits
    expect((await d.client.execute('SELECT v FROM t')).rows.map((r) => r.v)).toEqual(['after']);
    const stale = await pipeline(3, { baton: begun.body.baton, requests: [{ type: 'execute', stmt: { sql: 'COMMIT' } }] });
    expect(stale.status).toBe(400);
    expect(stale.body.code).toBe('STREAM_EXPIRED');
  }, 60_000);

  it('grants the lease to one of two contenders and fences the epoch', async () => {
    const [a, b] = [await open(), await open()];
    await applyMigrations(a);
    const [la, lb] = await Promise.all([acquireLease(a, 'controller', 'a', 5000), acquireLease(b, 'controller', 'b', 5000)]);
    expect([la, lb].filter(Boolean)).toHaveLength(1);
    const winner = (la ?? lb)!;
    expect(winner.epoch).toBe(1);
    const renewed = await acquireLease(winner.holder === 'a' ? a : b, 'controller', winner.holder, 5000);
    expect(renewed?.epoch).toBe(1);
    expect(await acquireLease(winner.holder === 'a' ? b : a, 'controller', winner.holder === 'a' ? 'b' : 'a', 5000)).toBeNull();
  });
});

describe('Hrana over HTTP at the wire', () => {
  it('answers the version probes: v2 and v3 JSON yes, protobuf no (so @libsql/client falls back to JSON)', async () => {
    const get = async (p: string) => (await fetch(`${standIn.url}/${p}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status;
    expect([await get('v2'), await get('v3'), await get('v3-protobuf')]).toEqual([200, 200, 404]);
  });

  it('keeps a stream across requests by baton: stored SQL, get_autocommit, batch conditions, describe, close', async () => {
    const first = await pipeline(3, { baton: null, requests: [
      { type: 'store_sql', sql_id: 1, sql: 'SELECT ? + 1 AS x' },
      { type: 'execute', stmt: { sql_id: 1, args: [{ type: 'integer', value: '41' }] } },
      { type: 'sequence', sql: 'CREATE TABLE s (v); BEGIN; INSERT INTO s VALUES (1);' },
      { type: 'get_autocommit' },
    ] });
    expect(first.status).toBe(200);
    expect(first.body.results[1].response.result).toMatchObject({ cols: [{ name: 'x' }], rows: [[{ type: 'integer', value: '42' }]] });
    expect(first.body.results[3].response).toEqual({ type: 'get_autocommit', is_autocommit: false });
    expect(typeof first.body.baton).toBe('string');

    const second = await pipeline(3, { baton: first.body.baton, requests: [
      { type: 'batch', batch: { steps: [
        { stmt: { sql: 'INSERT INTO nope VALUES (1)' } },
        { condition: { type: 'error', step: 0 }, stmt: { sql: 'ROLLBACK' } },
        { condition: { type: 'ok', step: 0 }, stmt: { sql: 'COMMIT' } },
        { condition: { type: 'is_autocommit' }, stmt: { sql: 'SELECT count(*) FROM s' } },
      ] } },
      { type: 'describe', sql: 'SELECT v FROM s WHERE v = :v' },
      { type: 'close_sql', sql_id: 1 },
      { type: 'execute', stmt: { sql_id: 1 } },
      { type: 'close' },
    ] });
    expect(second.body.baton).not.toBe(first.body.baton);
    const batch = second.body.results[0].response.result;
    expect(batch.step_errors[0].message).toMatch(/no such table: nope/);
    expect(batch.step_results[1]).not.toBeNull();
    expect(batch.step_results[2]).toBeNull();
    expect(batch.step_results[3].rows).toEqual([[{ type: 'integer', value: '0' }]]); // the insert was rolled back
    expect(second.body.results[1].response.result).toMatchObject({ params: [{ name: ':v' }], cols: [{ name: 'v' }], is_readonly: true, is_explain: false });
    expect(second.body.results[3]).toMatchObject({ type: 'error', error: { code: 'SQL_NOT_FOUND' } });
    expect(second.body.results[4]).toEqual({ type: 'ok', response: { type: 'close' } });
    expect(second.body.baton).toBeNull();
    expect(standIn.openStreams()).toBe(0);
  });

  it('refuses bad input in Hrana error shape and changes nothing', async () => {
    expect((await pipeline(3, { baton: null, requests: [] }, 'wrong-token')).status).toBe(401);
    const v2 = await pipeline(2, { baton: null, requests: [{ type: 'get_autocommit' }] });
    expect(v2).toMatchObject({ status: 400, body: { code: 'PROTOCOL_ERROR' } });
    expect(await pipeline(3, { requests: 'nope' })).toMatchObject({ status: 400, body: { code: 'PROTOCOL_ERROR' } });
    expect(await pipeline(3, { baton: 'forged', requests: [] })).toMatchObject({ status: 400, body: { code: 'STREAM_EXPIRED' } });
    const badValue = await pipeline(3, { baton: null, requests: [{ type: 'execute', stmt: { sql: 'SELECT ?', args: [{ type: 'integer', value: 'x' }] } }] });
    expect(badValue).toMatchObject({ status: 400, body: { code: 'PROTOCOL_ERROR' } });
    const raw = await fetch(`${standIn.url}/v3/pipeline`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: '{not json' });
    expect(raw.status).toBe(400);
    const sqlErr = await pipeline(3, { baton: null, requests: [{ type: 'execute', stmt: { sql: 'SELEC 1' } }, { type: 'close' }] });
    expect(sqlErr.status).toBe(200);
    expect(sqlErr.body.results[0]).toMatchObject({ type: 'error', error: { code: 'SQLITE_ERROR', message: expect.stringMatching(/syntax error/) } });
    const still = await pipeline(3, { baton: null, requests: [{ type: 'execute', stmt: { sql: "SELECT count(*) FROM sqlite_master WHERE type = 'table'" } }, { type: 'close' }] });
    expect(still.body.results[0].response.result.rows).toEqual([[{ type: 'integer', value: '0' }]]);
  });
});
