// Child processes of berth itself (`berth serve`, `berth agent --driver sim`), for `berth demo` and the
// integration tests: one node process each (node --import tsx, no npx chain), output to a log file.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const BERTH_BIN = fileURLToPath(new URL('../../bin/berth.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function spawnBerth(args: string[], opts: { env: Record<string, string | undefined>; logFile: string }): ChildProcess {
  const fd = openSync(opts.logFile, 'a');
  try {
    return spawn(process.execPath, ['--import', 'tsx', BERTH_BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd);
  }
}

export interface AgentProcessOptions {
  hostId: string;
  mqttUrl: string;
  /** The fleet token (enrols a host with no secret yet). */
  token: string;
  /** The host's own secret, when it was issued one (BERTH_HOST_SECRET). */
  secret?: string;
  stateDir: string;
  logFile: string;
  extraArgs?: string[];
}

/** A sim agent; the secrets go through the environment (not argv, which `ps` shows to everyone). */
export function spawnSimAgent(o: AgentProcessOptions): ChildProcess {
  return spawnBerth(
    ['agent', '--host-id', o.hostId, '--mqtt', o.mqttUrl, '--driver', 'sim', '--state-dir', o.stateDir, ...(o.extraArgs ?? [])],
    { env: { BERTH_AGENT_TOKEN: o.token, BERTH_HOST_SECRET: o.secret ?? '' }, logFile: o.logFile },
  );
}

/** Resolves when the process has exited (at once if it already has). */
export function exited(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => p.once('exit', () => resolve()));
}

/** SIGTERM, then SIGKILL after graceMs. */
export async function stopProcess(p: ChildProcess, graceMs = 3000): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  p.kill('SIGTERM');
  const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
  await exited(p);
  clearTimeout(timer);
}
