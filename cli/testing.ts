// Test support for the CLI suites: the real app served on a real port, and the real `berth` run as a child process.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { ADMIN_TOKEN, createTestApp, type TestApp } from '../test/helpers/harness';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Served {
  t: TestApp;
  url: string;
  /** A second server on the same app that answers every request "no route": a server older than this CLI. */
  oldUrl: string;
  close(): Promise<void>;
}

const listen = (fetch: (req: Request) => Response | Promise<Response>) =>
  new Promise<ServerType>((ok) => { const s = serve({ fetch, hostname: '127.0.0.1', port: 0 }, () => ok(s)); });
const urlOf = (s: ServerType) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
const closeServer = (s: ServerType) => new Promise<void>((ok) => s.close(() => ok()));

export async function serveTestApp(): Promise<Served> {
  const t = await createTestApp();
  const server = await listen(t.app.fetch);
  // Moving every path under a prefix no route matches gets the app's own 404 "no route for ..." answer.
  const old = await listen((req) => {
    const u = new URL(req.url);
    return t.app.fetch(new Request(new URL(`/v1/__absent${u.pathname}`, u), req));
  });
  return {
    t, url: urlOf(server), oldUrl: urlOf(old),
    async close() {
      await Promise.all([closeServer(server), closeServer(old)]);
      t.close();
    },
  };
}

/** A port nothing listens on (bound once by us, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((ok) => s.listen(0, '127.0.0.1', () => ok()));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((ok) => s.close(() => ok()));
  return port;
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** An empty working directory, so a developer's .berth/admin-token cannot leak into a test. */
export function emptyDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cli-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * `node --import tsx bin/berth.ts <args>` — asynchronously, since the server answering it lives in this process.
 * env defaults: BERTH_URL as given, BERTH_TOKEN the harness's admin token.
 */
export function berth(args: string[], o: { url?: string; env?: Record<string, string>; input?: string; cwd?: string } = {}): Promise<Run> {
  return new Promise((ok, fail) => {
    const proc = spawn(process.execPath, ['--import', join(ROOT, 'node_modules/tsx/dist/loader.mjs'), join(ROOT, 'bin/berth.ts'), ...args], {
      cwd: o.cwd ?? tmpdir(),
      env: { ...process.env, BERTH_URL: o.url ?? '', BERTH_TOKEN: ADMIN_TOKEN, NO_COLOR: '1', ...o.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (b) => { stdout += b; });
    proc.stderr.on('data', (b) => { stderr += b; });
    proc.on('error', fail);
    proc.on('close', (code) => ok({ code, stdout, stderr }));
    proc.stdin.end(o.input ?? '');
  });
}

/** The rows of a borderless table as arrays of cells (columns are separated by two or more blanks). */
export const rows = (table: string) => table.trim().split('\n').map((l) => l.trim().split(/ {2,}/));
