// The deterministic simulation inside `npm test`: a batch of seeds under the full default fault mix must hold
// every invariant; a seed replays exactly; the regression seeds (bugs the simulation found) stay fixed; and the
// checker does report a broken invariant (with the seed to replay it).
import { describe, expect, it } from 'vitest';
import { describeFailure, runSeed, type SimOptions, type SimResult } from './run';
import type { FaultKind } from './faults';
import { runSeedsInParallel } from './pool';
import { seedBatch } from './seed-batch';

/**
 * Failures the simulation found (docs/reliability.md, "Bugs found"), each kept as the fault schedule its seed drew
 * (a seed's schedule changes with the code, so the schedule itself is the regression case).
 */
export const REGRESSIONS: { name: string; options: SimOptions }[] = [
  {
    // Seed 1017 (before h-survive was merged): an agent is down while the broker restarts and loses every retained
    // message; the agent comes back, subscribes, and no document ever arrives — it keeps a container forever.
    name: 'seed 1017: broker restart while an agent is down loses its document for good',
    options: { seed: 1017, script: [
      { atMs: 1200, kind: 'agentCrash', host: 'host0', ms: 1732 },
      { atMs: 2700, kind: 'brokerRestart', ms: 622 },
      { atMs: 4600, kind: 'dbBusy', ms: 2 },
    ] },
  },
  {
    // Seed 1154: a backup restored while the control plane is cut off from the broker; the lease is won again under
    // a newer epoch, the control link never drops (so nothing republishes), and host2 keeps a VPN the backup never
    // had: its mark is a generation of ours the restored database never built. Fixed in relay/fence.ts.
    name: 'seed 1154: a restore the control link does not notice leaves a host holding what the backup never had',
    options: { seed: 1154, script: [
      { atMs: 0, kind: 'dbRestore' },
      { atMs: 3300, kind: 'controlPartition', ms: 3763 },
      { atMs: 5400, kind: 'dbRestore' },
    ] },
  },
];

const failures = (rs: SimResult[]) => rs.filter((r) => !r.ok).map(describeFailure).join('\n\n');

describe('deterministic simulation', () => {
  it('replays a seed exactly: same faults, same broker traffic, same outcome', async () => {
    const a = await runSeed({ seed: 7 });
    const b = await runSeed({ seed: 7 });
    expect(a.history.length).toBeGreaterThan(0);
    expect(b.trace).toBe(a.trace);
    expect(b.history).toEqual(a.history);
    expect(b.convergedAfterMs).toBe(a.convergedAfterMs);
  }, 120_000);

  it('reports a broken invariant with the seed that replays it, in this process and from the pool alike', async () => {
    // A convergence bound no real fleet can meet after a broker restart: the checker must say so, with the seed.
    const options = { faults: ['brokerRestart', 'agentCrash'] as FaultKind[], faultRate: 0.5, convergeBoundMs: 0 };
    const r = await runSeed({ seed: 11, ...options });
    expect(r.ok).toBe(false);
    expect(describeFailure(r)).toContain('npm run sim -- --seed 11');
    expect(r.violations.map((v) => v.invariant)).toContain('every wanted container RUNNING within the bound after faults stop');
    // The batch's child processes (test/sim/pool.ts) run the same seed to the same end: same traffic, same report.
    const [p] = await runSeedsInParallel([11], options, 1);
    expect(p.trace).toBe(r.trace);
    expect(describeFailure(p)).toBe(describeFailure(r));
  }, 120_000);

  for (const r of REGRESSIONS) {
    it(`regression: ${r.name}`, async () => {
      const result = await runSeed(r.options);
      expect(result.injected).not.toEqual({});
      expect(failures([result])).toBe('');
    }, 120_000);
  }

  seedBatch();
});
