// The second batch of simulation seeds (test/sim/seed-batch.ts): its own file so it runs beside sim.test.ts.
import { describe } from 'vitest';
import { seedBatch } from './seed-batch';

describe('deterministic simulation, second batch', () => {
  seedBatch(1);
});
