// BERTH_HOST_DEAD_AFTER_MS: the silence rule of the broker-led liveness profile (docs/decisions.md, "Liveness at
// fleet scale"). It reaches every place that judges silence on berth serve: the controller's tick and the
// scheduler's view in the containers API and rebalance (through timersFor).
import { expect, it } from 'vitest';
import { configFrom, parseEnv } from './config';
import { DEFAULT_TIMERS, timersFor } from './controller/types';
import { schedHosts } from './controller/snapshot';

const secrets = { adminToken: 'a'.repeat(16), agentToken: 'b'.repeat(16), secretKey: 'c'.repeat(16) };

it('defaults to DESIGN\'s 2 s and takes a longer silence rule from the environment', () => {
  expect(timersFor(configFrom(parseEnv({}), secrets)).hostDeadAfter).toBe(2000);
  expect(timersFor(configFrom(parseEnv({ BERTH_HOST_DEAD_AFTER_MS: '12000' }), secrets))).toEqual({ ...DEFAULT_TIMERS, hostDeadAfter: 12_000 });
});

it('refuses a silence rule that is not a whole number of ms between 500 and 600,000, naming the variable', () => {
  for (const bad of ['abc', '100', '1.5', '700000']) {
    expect(() => parseEnv({ BERTH_HOST_DEAD_AFTER_MS: bad })).toThrow(/BERTH_HOST_DEAD_AFTER_MS/);
  }
});

it('a host heard 4 s ago is alive to the scheduler under a 12 s rule and silent under DESIGN\'s 2 s', () => {
  const now = 100_000;
  const host = { id: 'h1', alive: true, lastSeenAt: now - 4000 } as unknown as Parameters<typeof schedHosts>[0][number];
  expect(schedHosts([host], now, timersFor({}))[0].alive).toBe(false);
  expect(schedHosts([host], now, timersFor({ hostDeadAfterMs: 12_000 }))[0].alive).toBe(true);
});
