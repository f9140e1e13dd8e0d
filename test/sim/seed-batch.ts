// A batch of seeds under the full default fault mix, as one test. `npm test` runs two batches in two files so
// vitest spreads them over its workers: a few hundred seeds in well under a minute of wall time.
import { expect, it } from 'vitest';
import { describeFailure, runSeed, type SimResult } from './run';

/** Seeds per batch, and where batch 0 starts (BERTH_SIM_SEEDS / BERTH_SIM_FROM to hunt locally). */
export const BATCH_SEEDS = Number(process.env.BERTH_SIM_SEEDS ?? 150);
const FROM = Number(process.env.BERTH_SIM_FROM ?? 1_000);

export function seedBatch(index: number): void {
  const from = FROM + index * BATCH_SEEDS;
  it(`holds every invariant for ${BATCH_SEEDS} seeds (from ${from})`, async () => {
    const results: SimResult[] = [];
    for (let i = 0; i < BATCH_SEEDS; i++) results.push(await runSeed({ seed: from + i }));
    const injected = results.reduce((n, r) => n + Object.values(r.injected).reduce((a, b) => a + (b ?? 0), 0), 0);
    console.log(`simulation: ${results.length} seeds, ${injected} faults injected, ${results.filter((r) => !r.ok).length} failed`);
    expect(injected).toBeGreaterThan(results.length); // the runs really were under faults
    expect(results.filter((r) => !r.ok).map(describeFailure).join('\n\n')).toBe('');
  }, 900_000);
}
