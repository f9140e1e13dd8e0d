// vitest: unit tests beside the code (*.test.ts) and cross-process suites in test/.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['functions/**/*.test.ts', 'shared/**/*.test.ts', 'agent/**/*.test.ts', 'cli/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // The real-process suites (agents, failover, replicas, linux datapath) measure liveness in hundreds of
    // milliseconds: run files one at a time so one suite's processes never starve another's timers.
    fileParallelism: false,
  },
});
