import { runSeed, describeFailure, templateDatabase } from './run';
const seeds = process.argv.slice(2).map(Number);
let t0 = Date.now(); await templateDatabase(); console.log('template', Date.now() - t0);
for (const seed of seeds) {
  t0 = Date.now();
  const r = await runSeed({ seed });
  console.log(seed, Date.now() - t0, 'ms', r.ok, r.convergedAfterMs, JSON.stringify(r.injected), r.apiWrites, r.trace.slice(0, 12));
  if (!r.ok) console.log(describeFailure(r));
}
