// Benchmark helpers: a control-plane child process on a fresh database, timed HTTP calls, percentiles, output.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import Table from 'cli-table3';

export const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

export interface Server { url: string; token: string; proc: ChildProcess; stop(): Promise<void> }

/** Starts `berth serve` as its own process (the client load must not share its event loop). */
export async function startServe(extraEnv: Record<string, string> = {}): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const port = await freePort();
  const token = 'bench-admin-token-0123456789abcdef';
  // BENCH_SERVE_CPU_PROF=dir: each berth serve writes a V8 CPU profile there when it stops (where its time goes).
  const prof = process.env.BENCH_SERVE_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_SERVE_CPU_PROF}`] : [];
  const proc = spawn(process.execPath, [...prof, '--import', 'tsx', 'bin/berth.ts', 'serve'], {
    env: { ...process.env, BERTH_DB_URL: `file:${join(dir, 'berth.db')}`, BERTH_PORT: String(port), BERTH_ADMIN_TOKEN: token, BERTH_MQTT_PORT: String(await freePort()), BERTH_LOG_LEVEL: 'warn', ...extraEnv },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url, token, proc,
    stop: () => new Promise((r) => { proc.once('exit', () => r()); proc.kill('SIGTERM'); }),
  };
}

export async function call(s: Server, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(s.url + path, {
    method,
    headers: { authorization: `Bearer ${s.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

export interface Sample { latencies: number[]; wallMs: number }

/** Runs jobs with `concurrency` workers; returns each job's latency (ms) and the wall time. */
export async function runConcurrent(concurrency: number, jobs: (() => Promise<unknown>)[]): Promise<Sample> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        const t = performance.now();
        await job();
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { latencies, wallMs: performance.now() - t0 };
}

/**
 * Open-loop load from `clients` clients offering `perSecond` requests in total for `seconds`: each client sends
 * on its own schedule (every clients/perSecond s, starts spread out) and waits for its answer first, so a slow
 * server delays that client's next request but the offered rate does not adapt to the server as a closed loop
 * does. Latency counts from the scheduled send time (queueing included, no coordinated omission).
 */
export async function runPaced(clients: number, perSecond: number, seconds: number, job: () => Promise<unknown>): Promise<Sample> {
  const latencies: number[] = [];
  const interval = (clients / perSecond) * 1000;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let due = t0 + (interval * c) / clients; due < end; due += interval) {
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await job();
      latencies.push(performance.now() - due);
    }
  }));
  return { latencies, wallMs: performance.now() - t0 };
}

export function pct(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const machine = () => ({ cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform });

export function printTable(title: string, head: string[], rows: (string | number)[][]) {
  const t = new Table({ head });
  rows.forEach((r) => t.push(r.map(String)));
  console.log(`\n${title}\n${t.toString()}`);
}

export function writeJson(name: string, data: unknown) {
  mkdirSync('bench/results', { recursive: true });
  const file = join('bench/results', `${name}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), machine: machine(), ...(data as object) }, null, 2));
  console.log(`wrote ${file}`);
}

export const fmt = (ms: number) => ms.toFixed(2);
