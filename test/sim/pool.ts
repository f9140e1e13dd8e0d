// Seeds run in parallel: one child process per core (test/sim/pool-child.ts), each running one seed at a time as
// the parent hands them out, so a slow seed does not hold up the rest. A seed's run does not depend on which
// process runs it (each installs its own fake clock, Math.random and crypto stand-ins), so results equal a
// one-process run's; `npm run sim -- --seed N` replays any of them. Child processes rather than worker threads:
// the simulation patches process-wide things (unhandledRejection, the template database's exit hook).
import { fork, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { SimOptions, SimResult } from './run';

const CHILD = fileURLToPath(new URL('./pool-child.ts', import.meta.url));

/** Options every seed of the pool shares (JSON-serialisable: they cross to the child processes). */
export type PoolOptions = Omit<SimOptions, 'seed' | 'script' | 'log'>;

export const defaultJobs = (): number => Math.max(1, availableParallelism());

/** What the parent says when a child dies mid-seed (a crash of the process is a failure of that seed). */
function childDied(seed: number, how: string, stderr: string): SimResult {
  return {
    seed, ok: false, injected: {}, convergedAfterMs: null, trace: '', history: [], apiWrites: 0,
    violations: [{ at: 1_700_000_000_000, invariant: 'no crash', detail: `the simulation process ${how} while running this seed${stderr ? `: ${stderr.slice(-800)}` : ''}` }],
  };
}

/**
 * Runs `seeds` on `jobs` child processes; `onResult` sees each result as it arrives (progress). Resolves with the
 * results in seed order.
 */
export async function runSeedsInParallel(
  seeds: readonly number[], options: PoolOptions = {}, jobs = defaultJobs(), onResult?: (r: SimResult) => void,
): Promise<SimResult[]> {
  const queue = [...seeds];
  const results = new Map<number, SimResult>();
  const done = (r: SimResult) => {
    results.set(r.seed, r);
    onResult?.(r);
  };
  const one = () => new Promise<void>((resolve, reject) => {
    const child: ChildProcess = fork(CHILD, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    let running: number | null = null;
    let stderr = '';
    child.stderr!.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString()).slice(-4000);
      process.stderr.write(b);
    });
    const next = () => {
      running = queue.shift() ?? null;
      if (running === null) child.send({ stop: true });
      else child.send({ seed: running, options });
    };
    child.on('message', (m: { ready?: true; result?: SimResult }) => {
      if (m.result) {
        done(m.result);
        running = null;
      }
      next();
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (running !== null) {
        done(childDied(running, signal ? `was killed by ${signal}` : `exited with code ${code}`, stderr));
        // The rest of the queue still runs: another process takes over this one's share.
        if (queue.length > 0) one().then(resolve, reject);
        else resolve();
        return;
      }
      resolve();
    });
  });
  await Promise.all(Array.from({ length: Math.min(jobs, Math.max(1, seeds.length)) }, one));
  return seeds.map((s) => results.get(s)!);
}
