// `npm run sim`: run the deterministic simulation for one seed (replay) or many (hunt), printing progress and
// every failing seed with its fault schedule. Exit 1 when any seed fails.
import { FAULT_KINDS, DEFAULT_FAULTS, type FaultKind } from './faults';
import { defaultJobs, runSeedsInParallel } from './pool';
import { describeFailure, runSeed, templateDatabase, type SimResult } from './run';

const HELP = `usage: npm run sim -- [--seed N | --seeds COUNT [--from N]] [--faults a,b,...] [--verbose]

Runs berth's control plane and sim agents in one process on a simulated clock under a seeded fault schedule,
checking the invariants after every step (docs/reliability.md, "Deterministic simulation").

  --seed N        run (replay) exactly this seed and print its fault schedule
  --seeds COUNT   run COUNT seeds (default 100), starting at --from (default 1), with progress
  --jobs N        with --seeds: processes running seeds side by side (default: one per core, here ${defaultJobs()})
  --faults LIST   fault kinds to inject (default: ${DEFAULT_FAULTS.join(',')})
  --verbose       print every seed's result
  --log           with --seed: print every log line of the control plane and agents (stderr, simulated ms)
  --help          this text

fault kinds: ${FAULT_KINDS.join(', ')}`;

function parse(argv: string[]) {
  const o = { seed: null as number | null, seeds: 100, from: 1, faults: [...DEFAULT_FAULTS] as FaultKind[], jobs: defaultJobs(), verbose: false, log: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${a} needs a whole number`);
      return v;
    };
    if (a === '--help' || a === '-h') o.help = true;
    else if (a === '--seed') o.seed = num();
    else if (a === '--seeds') o.seeds = num();
    else if (a === '--from') o.from = num();
    else if (a === '--jobs') o.jobs = Math.max(1, num());
    else if (a === '--verbose') o.verbose = true;
    else if (a === '--log') o.log = true;
    else if (a === '--faults') {
      const list = (argv[++i] ?? '').split(',').filter(Boolean);
      const bad = list.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
      if (bad.length) throw new Error(`unknown fault kind(s): ${bad.join(', ')} (known: ${FAULT_KINDS.join(', ')})`);
      o.faults = list as FaultKind[];
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

async function main(): Promise<number> {
  let o: ReturnType<typeof parse>;
  try {
    o = parse(process.argv.slice(2));
  } catch (e) {
    console.error(`sim: ${(e as Error).message}\n(see: npm run sim -- --help)`);
    return 2;
  }
  if (o.help) {
    console.log(HELP);
    return 0;
  }
  if (o.seed !== null) {
    const r = await runSeed({ seed: o.seed, faults: o.faults, log: o.log });
    if (r.ok) console.log(`seed ${r.seed} ok: converged ${r.convergedAfterMs} ms after the last fault; faults ${JSON.stringify(r.injected)}; trace ${r.trace.slice(0, 16)}\n  schedule:\n${r.history.map((h) => `    ${h}`).join('\n')}`);
    else console.log(describeFailure(r));
    return r.ok ? 0 : 1;
  }
  const started = Date.now();
  const failed: number[] = [];
  const faults: Record<string, number> = {};
  const converge: number[] = [];
  let n = 0;
  const seen = (r: SimResult) => {
    n++;
    for (const [k, c] of Object.entries(r.injected)) faults[k] = (faults[k] ?? 0) + (c ?? 0);
    if (r.convergedAfterMs !== null) converge.push(r.convergedAfterMs);
    if (!r.ok) {
      failed.push(r.seed);
      console.log(describeFailure(r));
    } else if (o.verbose) console.log(`seed ${r.seed} ok (${r.convergedAfterMs} ms)`);
    if (n % 100 === 0 || n === o.seeds) {
      const s = (Date.now() - started) / 1000;
      console.log(`progress: ${n}/${o.seeds} seeds, ${failed.length} failed, ${s.toFixed(0)} s (${(n / s).toFixed(1)} seeds/s, ${o.jobs} processes)`);
    }
  };
  const seeds = Array.from({ length: o.seeds }, (_, i) => o.from + i);
  if (o.jobs === 1) {
    await templateDatabase(); // made before the clock starts (the pool's processes make their own)
    for (const seed of seeds) seen(await runSeed({ seed, faults: o.faults }));
  } else {
    await runSeedsInParallel(seeds, { faults: o.faults }, o.jobs, seen);
  }
  failed.sort((a, b) => a - b);
  converge.sort((a, b) => a - b);
  const pct = (p: number) => converge[Math.min(converge.length - 1, Math.floor(p * converge.length))] ?? null;
  console.log(JSON.stringify({ seeds: o.seeds, from: o.from, jobs: o.jobs, seconds: Math.round((Date.now() - started) / 100) / 10, failed, faultsInjected: faults, convergeAfterLastFaultMs: { p50: pct(0.5), p99: pct(0.99), max: converge.at(-1) ?? null } }));
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
