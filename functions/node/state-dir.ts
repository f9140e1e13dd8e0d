// The embedded state directory (.berth/ beside the database) holds the generated secrets and the database: owner
// only — 0700 for the directory, 0600 for the database files (issue 9). SQLite creates its -wal and -shm files
// with the database file's mode, so tightening the database file once covers them.
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export function makeStateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Never the working directory itself (a database named file:berth.db lives in '.').
  if (resolve(dir) !== resolve('.')) chmodSync(dir, 0o700);
}

/** After the database is open: its files readable by the owner only. */
export function restrictDatabaseFiles(dbUrl: string): void {
  if (!dbUrl.startsWith('file:')) return;
  const file = dbUrl.slice('file:'.length).split('?')[0];
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
}
