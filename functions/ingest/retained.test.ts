// A retained heartbeat replayed by a broker that kept it (Mosquitto cannot refuse the retain flag) must not make a
// host alive (issue 9): the ingest drops retained agent messages other than presence, and counts them.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { IngestBatcher } from './batcher';

const hb = JSON.stringify({ v: 1, hostId: 'ghost', bootId: 'boot-1', seq: 1, at: 1, observedGeneration: 0, count: 0, quota: -1, load: 1 });
let t: TestApp;
beforeEach(async () => { t = await createTestApp(); });
afterEach(() => t.close());

it('drops and counts a retained heartbeat or status; the same heartbeat live registers the host', async () => {
  const ingest = new IngestBatcher(t.deps, { maxDelayMs: 1 });
  ingest.offer('berth/v1/hosts/ghost/heartbeat', hb, { retained: true });
  ingest.offer('berth/v1/hosts/ghost/status', JSON.stringify({ v: 1, hostId: 'ghost', bootId: 'boot-1', containers: [] }), { retained: true });
  await ingest.flush();
  expect(ingest.stats().dropped.retained).toBe(2);
  expect((await t.req('GET', '/v1/hosts/ghost')).status).toBe(404);
  ingest.offer('berth/v1/hosts/ghost/heartbeat', hb);
  await ingest.flush();
  expect((await t.req('GET', '/v1/hosts/ghost')).body.host).toMatchObject({ id: 'ghost', alive: true });
});
