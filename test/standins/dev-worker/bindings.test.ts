// dev:worker hands the Worker the same deployment settings npm start reads: what the Worker parses from its bindings
// (functions/worker.ts: parseEnv + configFrom) is the configuration dev:worker was started with.
import { describe, expect, it } from 'vitest';
import { configFrom, parseEnv } from '../../../functions/config';
import { timersFor } from '../../../functions/controller/types';
import { workerBindings } from './main';

const secrets = { adminToken: 'a'.repeat(20), agentToken: 'b'.repeat(20), secretKey: 'c'.repeat(20) };
const at = { dbUrl: 'http://127.0.0.1:1', dbToken: 'db-token', mqttWsUrl: 'ws://127.0.0.1:2' };
const asWorker = (vars: Record<string, string>) => configFrom(parseEnv(vars), secrets);

describe('dev:worker: the Worker gets the environment npm start reads', () => {
  it('BERTH_HOST_DEAD_AFTER_MS and BERTH_MAX_BODY_BYTES reach the Worker', () => {
    const started = configFrom(parseEnv({ BERTH_HOST_DEAD_AFTER_MS: '12000', BERTH_MAX_BODY_BYTES: '4096' }), secrets);
    const worker = asWorker(workerBindings(started, at));
    expect(timersFor(worker).hostDeadAfter).toBe(12_000);
    expect(worker.maxBodyBytes).toBe(4096);
    expect(worker).toMatchObject({ dbUrl: at.dbUrl, dbAuthToken: at.dbToken, mqttUrl: at.mqttWsUrl });
  });

  it('unset, the defaults are the same on both', () => {
    const started = configFrom(parseEnv({}), secrets);
    const worker = asWorker(workerBindings(started, at));
    expect(timersFor(worker)).toEqual(timersFor(started));
    expect(worker.maxBodyBytes).toBe(started.maxBodyBytes);
  });
});
