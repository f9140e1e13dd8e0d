// vitest: unit tests beside the code (*.test.ts) and cross-process suites in test/ (project "node"); the Worker
// in workerd through @cloudflare/vitest-pool-workers (project "workers": test/workerd/*.spec.ts, own tsconfig).
import { defineConfig } from 'vitest/config';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';
import { TOKENS } from './test/workerd/tokens';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['functions/**/*.test.ts', 'shared/**/*.test.ts', 'agent/**/*.test.ts', 'cli/**/*.test.ts', 'test/**/*.test.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          pool: 'forks',
          // The real-process suites (agents, failover, replicas, linux datapath) measure liveness in hundreds of
          // milliseconds: run files one at a time so one suite's processes never starve another's timers.
          fileParallelism: false,
        },
      },
      {
        plugins: [
          // The real wrangler.toml (compatibility date, main); the bindings point at the stand-ins the global setup
          // started (their ports are only known then).
          cloudflareTest(async ({ inject }) => ({
            main: './functions/worker.ts',
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                BERTH_DB_URL: inject('dbUrl'), BERTH_DB_AUTH_TOKEN: TOKENS.db, BERTH_MQTT_URL: inject('mqttWsUrl'),
                BERTH_ADMIN_TOKEN: TOKENS.admin, BERTH_AGENT_TOKEN: TOKENS.agent, BERTH_SECRET_KEY: TOKENS.secret,
                // Test-only: where the specs reach the agents' listeners (test/workerd/agent-listeners.ts).
                TEST_LISTENERS_URL: inject('listenersUrl'),
              },
            },
          })),
        ],
        test: {
          name: 'workers',
          include: ['test/workerd/**/*.spec.ts'],
          globalSetup: ['test/workerd/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
