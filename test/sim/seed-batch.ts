// The seeds `npm test` runs under the full default fault mix, as one test: a few hundred seeds spread over one
// child process per core (test/sim/pool.ts), so the wall time is the batch's CPU time divided by the cores.
import { beforeAll, expect, it } from 'vitest';
import { describeFailure, type SimResult } from './run';
import { defaultJobs, runSeedsInParallel } from './pool';

/** How many seeds, from where, on how many processes (BERTH_SIM_SEEDS / BERTH_SIM_FROM / BERTH_SIM_JOBS to hunt locally). */
export const BATCH_SEEDS = Number(process.env.BERTH_SIM_SEEDS ?? 300);
const FROM = Number(process.env.BERTH_SIM_FROM ?? 1_000);
const JOBS = Number(process.env.BERTH_SIM_JOBS ?? defaultJobs());

/**
 * The batch starts with the file (beforeAll) and is awaited by its own test, so the file's in-process tests run
 * beside it instead of in front of it.
 */
export function seedBatch(): void {
  let batch: Promise<SimResult[]> | undefined;
  let started = 0;
  beforeAll(() => {
    started = performance.now();
    batch = runSeedsInParallel(Array.from({ length: BATCH_SEEDS }, (_, i) => FROM + i), {}, JOBS);
    batch.catch(() => undefined); // reported by the test that awaits it
  });
  it(`holds every invariant for ${BATCH_SEEDS} seeds (from ${FROM}, ${JOBS} processes)`, async () => {
    const results = await batch!;
    const injected = results.reduce((n, r) => n + Object.values(r.injected).reduce((a, b) => a + (b ?? 0), 0), 0);
    const s = (performance.now() - started) / 1000;
    console.log(`simulation: ${results.length} seeds on ${JOBS} processes in ${s.toFixed(1)} s, ${injected} faults injected, ${results.filter((r) => !r.ok).length} failed`);
    expect(injected).toBeGreaterThan(results.length); // the runs really were under faults
    expect(results.filter((r) => !r.ok).map(describeFailure).join('\n\n')).toBe('');
  }, 900_000);
}
