// Embedded-mode secrets: use the env var when set, else read or generate a file under .berth/ (mode 0600).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cryptoIds } from '../../shared/ids';

export function secretFromFileOrNew(fromEnv: string | undefined, file: string): string {
  if (fromEnv) return fromEnv;
  if (existsSync(file)) {
    const v = readFileSync(file, 'utf8').trim();
    if (v.length >= 16) return v;
  }
  mkdirSync(dirname(file), { recursive: true });
  const v = cryptoIds.token();
  writeFileSync(file, v + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return v;
}

/** The state directory: beside a file: database, else ./.berth. */
export function stateDirFor(dbUrl: string): string {
  if (dbUrl.startsWith('file:')) return dirname(dbUrl.slice('file:'.length)) || '.';
  return '.berth';
}

export const secretPaths = (dir: string) => ({
  adminToken: join(dir, 'admin-token'),
  agentToken: join(dir, 'agent-token'),
  secretKey: join(dir, 'secret-key'),
});
