// Runs the Worker (functions/worker.ts, wrangler.toml) under `wrangler dev --local` — workerd, the real Workers
// runtime — with the bindings given in a private env file (never on a command line), and waits until it answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_DIR = fileURLToPath(new URL('../../../', import.meta.url));
const WRANGLER_BIN = join(PROJECT_DIR, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface WranglerDev {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** `KEY="value"` lines; values are JSON-quoted so no character can end the line or the value early. */
function envFileText(vars: Record<string, string>): string {
  return Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n';
}

export async function startWranglerDev(o: {
  host: string;
  port: number;
  vars: Record<string, string>;
  /** A private scratch directory for the env file, wrangler's state and its logs. */
  scratchDir: string;
  onOutput: (line: string) => void;
  readyTimeoutMs?: number;
}): Promise<WranglerDev> {
  const envFile = join(o.scratchDir, 'worker.env');
  writeFileSync(envFile, envFileText(o.vars), { mode: 0o600 });
  const inspectorPort = await freePort(o.host);
  const args = [
    WRANGLER_BIN, 'dev', '--local', '--test-scheduled',
    '--ip', o.host, '--port', String(o.port), '--inspector-port', String(inspectorPort),
    '--env-file', envFile, '--persist-to', join(o.scratchDir, 'state'),
    '--show-interactive-dev-session=false', '--log-level', 'info',
  ];
  const child = spawn(process.execPath, args, {
    cwd: PROJECT_DIR,
    env: { ...process.env, WRANGLER_LOG_PATH: join(o.scratchDir, 'wrangler-logs'), WRANGLER_SEND_METRICS: 'false', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group: wrangler's workerd child goes down with it
  });
  for (const s of [child.stdout!, child.stderr!]) {
    let buf = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const l of lines) if (l.trim()) o.onOutput(l);
    });
  }
  const url = `http://${o.host}:${o.port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5000);
    await gone;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (o.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited (code ${child.exitCode}) before the Worker answered`);
    try {
      const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) });
      await r.arrayBuffer();
      if (r.status < 500) return { url, process: child, stop };
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the Worker did not answer on ${url} within ${o.readyTimeoutMs ?? 90_000} ms`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
