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
