// The embedded state directory is the owner's only: .berth/ 0700 (also when it existed with wider modes), the
// database file 0600 (issue 9).
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { makeStateDir, restrictDatabaseFiles } from './state-dir';

const root = mkdtempSync(join(tmpdir(), 'berth-state-'));
afterEach(() => rmSync(root, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o777;

it('creates .berth 0700, tightens an existing one, and makes the database files 0600', () => {
  const fresh = join(root, 'fresh', '.berth');
  makeStateDir(fresh);
  expect(mode(fresh)).toBe(0o700);
  const old = join(root, 'old');
  mkdirSync(old, { mode: 0o755 });
  chmodSync(old, 0o755);
  makeStateDir(old);
  expect(mode(old)).toBe(0o700);
  const db = join(old, 'berth.db');
  writeFileSync(db, '', { mode: 0o644 });
  writeFileSync(`${db}-wal`, '', { mode: 0o644 });
  restrictDatabaseFiles(`file:${db}`);
  expect([mode(db), mode(`${db}-wal`)]).toEqual([0o600, 0o600]);
});

it('berth serve keeps .berth/ 0700 and its secrets and database files, -wal and -shm included, 0600', async () => {
  const { startServer } = await import('./serve');
  const { readFileSync, readdirSync } = await import('node:fs');
  const state = join(root, 'serve', '.berth');
  const umask = process.umask(0o022); // the usual one: files would be 0644 unless berth tightens them
  const s = await startServer({ BERTH_DB_URL: `file:${join(state, 'berth.db')}`, BERTH_PORT: '0', BERTH_MQTT_PORT: '0', BERTH_HOST: '127.0.0.1', BERTH_LOG_LEVEL: 'silent' });
  try {
    // A write, so the database has its -wal and -shm files; then a scrape with the generated telemetry token.
    const admin = readFileSync(join(state, 'admin-token'), 'utf8').trim();
    expect((await fetch(`${s.url}/v1/hosts/host0/token`, { method: 'POST', headers: { authorization: `Bearer ${admin}` } })).status).toBe(201);
    const telemetry = readFileSync(join(state, 'telemetry-token'), 'utf8').trim();
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${telemetry}` } })).status).toBe(200);
    expect(mode(state)).toBe(0o700);
    const files = readdirSync(state).sort();
    expect(files).toEqual(expect.arrayContaining(['admin-token', 'agent-token', 'berth.db', 'berth.db-shm', 'berth.db-wal', 'secret-key', 'telemetry-token']));
    expect(Object.fromEntries(files.map((f) => [f, mode(join(state, f)).toString(8)]))).toEqual(Object.fromEntries(files.map((f) => [f, '600'])));
  } finally {
    await s.close();
    process.umask(umask);
  }
}, 20_000);
