// Running host commands for the linux driver: every command has a timeout, never goes through a shell, and a
// failure becomes a DriverError that names the command and quotes its stderr (secrets never appear on a command
// line: PSKs live only in 0600 files).
import { spawn } from 'node:child_process';
import { DriverError } from '../contract';

export interface RunOptions {
  /** Written to the command's stdin (then closed). */
  input?: string;
  /** Extra environment variables (added to the agent's own). */
  env?: Record<string, string>;
  /** Kill the command (SIGKILL) after this long; default 5 s. */
  timeoutMs?: number;
  /** Resolve with the result instead of throwing on a non-zero exit. */
  allowFail?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** How the driver runs commands (tests may wrap it to count or inject failures). */
export type Runner = (cmd: string, args: readonly string[], opts?: RunOptions) => Promise<RunResult>;

export const DEFAULT_TIMEOUT_MS = 5000;
const MAX_OUTPUT = 4 * 1024 * 1024;

/** Which Debian package provides each tool, for the "not installed" message. */
const PACKAGE_OF: Record<string, string> = {
  'ovs-vsctl': 'openvswitch-switch', 'ovs-ofctl': 'openvswitch-switch', ip: 'iproute2', ethtool: 'ethtool',
  swanctl: 'strongswan-swanctl', 'charon-systemd': 'charon-systemd', sysctl: 'procps',
};

/** The command as a person would type it, for messages (arguments are never secret). */
export const commandLine = (cmd: string, args: readonly string[]) =>
  [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

/** The useful part of a tool's stderr: trimmed, noise dropped, bounded. */
export function stderrSummary(stderr: string, max = 600): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !NOISE.some((re) => re.test(l)));
  const text = lines.join('; ');
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** Lines tools print on every run that say nothing about a failure (swanctl's plugin and directory probing). */
const NOISE = [/^plugin '.*': failed to load/, /^opening directory '.*' failed: No such file or directory$/];

export const execRunner: Runner = (cmd, args, opts = {}) => {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = performance.now();
  return new Promise<RunResult>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let settled = false;
    const child = spawn(cmd, args, {
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    child.stdout.on('data', (b: Buffer) => { if (stdout.length < MAX_OUTPUT) stdout += b.toString('utf8'); });
    child.stderr.on('data', (b: Buffer) => { if (stderr.length < MAX_OUTPUT) stderr += b.toString('utf8'); });
    child.stdin.on('error', () => {}); // a command that exits without reading its stdin is not our failure
    child.on('error', (e: NodeJS.ErrnoException) => finish(() => {
      const missing = e.code === 'ENOENT';
      const pkg = PACKAGE_OF[cmd.split('/').pop() ?? cmd];
      reject(new DriverError('FAILED', missing
        ? `${cmd} is not installed${pkg ? ` (Debian package ${pkg})` : ''}`
        : `${commandLine(cmd, args)} could not start: ${e.message}`));
    }));
    child.on('close', (code, signal) => finish(() => {
      const ms = performance.now() - started;
      if (timedOut) {
        reject(new DriverError('UNAVAILABLE', `${commandLine(cmd, args)} timed out after ${timeoutMs} ms${stderr.trim() ? `: ${stderrSummary(stderr)}` : ''}`));
        return;
      }
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr, ms };
      if (result.code !== 0 && !opts.allowFail) {
        reject(new DriverError('FAILED', `${commandLine(cmd, args)} failed (${signal ? `signal ${signal}` : `exit ${result.code}`})${stderr.trim() ? `: ${stderrSummary(stderr)}` : ''}`));
        return;
      }
      resolve(result);
    }));
    child.stdin.end(opts.input ?? '');
  });
};

/** A runner that records every command line (with its duration) before running it with `inner`. */
export function recordingRunner(inner: Runner, log: { line: string; ms: number; code: number }[]): Runner {
  return async (cmd, args, opts) => {
    try {
      const r = await inner(cmd, args, opts);
      log.push({ line: commandLine(cmd, args), ms: r.ms, code: r.code });
      return r;
    } catch (e) {
      log.push({ line: commandLine(cmd, args), ms: -1, code: -1 });
      throw e;
    }
  };
}
