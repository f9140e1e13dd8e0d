// One process of the seed pool (test/sim/pool.ts): says it is ready, then runs each seed the parent sends and
// answers with its result, until told to stop.
import { runSeed, templateDatabase, type SimResult } from './run';
import type { PoolOptions } from './pool';

type Order = { seed: number; options: PoolOptions } | { stop: true };

const send = (m: { ready: true } | { result: SimResult }) => new Promise<void>((resolve, reject) => {
  process.send!(m, (e: Error | null) => (e ? reject(e) : resolve()));
});

// A queue so that orders run one at a time even if the parent sent the next one early.
let chain = Promise.resolve();
process.on('message', (m: Order) => {
  chain = chain.then(async () => {
    if ('stop' in m) process.exit(0);
    await send({ result: await runSeed({ ...m.options, seed: m.seed }) });
  });
});

// The parent is gone (vitest ended its worker, ^C): stop now rather than finish seeds nobody will read.
process.on('disconnect', () => process.exit(0));

await templateDatabase();
await send({ ready: true });
