// Embedded-mode secrets: use the env var when set, else read or generate a file under .berth/ (mode 0600).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cryptoIds } from '../../shared/ids';

export const MIN_SECRET_LENGTH = 16;

/** A secret and where it came from (for error messages that tell the operator what to fix). */
export interface LoadedSecret { value: string; source: string; generated: boolean }

/**
 * The env var when set, else the file, else a new file. A file that exists but is too short is refused, never
 * silently replaced: a replaced secret key could no longer decrypt any stored pre-shared key (issue 10).
 */
export function loadSecret(fromEnv: string | undefined, file: string, envName = 'the environment'): LoadedSecret {
  if (fromEnv) return { value: fromEnv, source: envName, generated: false };
  if (existsSync(file)) {
    const v = readFileSync(file, 'utf8').trim();
    if (v.length >= MIN_SECRET_LENGTH) return { value: v, source: file, generated: false };
    throw new Error(`${file} holds ${v.length} characters, fewer than ${MIN_SECRET_LENGTH}: it is damaged. Restore it from a backup `
      + `(or set ${envName}); delete it only if nothing was ever encrypted or signed with it (a new one is then generated)`);
  }
  mkdirSync(dirname(file), { recursive: true });
  const v = cryptoIds.token();
  writeFileSync(file, v + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { value: v, source: file, generated: true };
}

export function secretFromFileOrNew(fromEnv: string | undefined, file: string): string {
  return loadSecret(fromEnv, file).value;
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
  telemetryToken: join(dir, 'telemetry-token'),
});
