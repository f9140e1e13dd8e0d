// Fuzzing ingest: generated MQTT topics and payloads (bytes, JSON, near-valid presence/heartbeat/status) into the
// real IngestBatcher over a real database. Nothing may throw, no batch may fail, and every message classify()
// rejects must leave the database exactly as it was.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/harness';
import { insertHost } from '../../functions/services/hosts/test-fixtures';
import { IngestBatcher } from '../../functions/ingest/batcher';
import { classify } from '../../functions/ingest/classify';
import { PROTOCOL_VERSION } from '../../shared/protocol/messages';
import { dumpDatabase, fuzzRuns } from './dump';
import { mutated } from './mutate';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await insertHost(t.deps.database.db, 'host0', { alive: true, lastSeenAt: Date.now() });
});
afterAll(() => t?.close());

const now = Date.now();
const BOOT = 'b0000000-0000-4000-8000-000000000001';
const valid = {
  presence: { v: PROTOCOL_VERSION, hostId: 'host0', bootId: BOOT, online: true, at: now },
  heartbeat: { v: PROTOCOL_VERSION, hostId: 'host0', bootId: BOOT, seq: 1, at: now, observedGeneration: 0, count: 0, quota: -1, load: 3 },
  status: { v: PROTOCOL_VERSION, hostId: 'host0', bootId: BOOT, containers: [{ id: 'c0000000-0000-4000-8000-000000000009', placementGeneration: 1, status: 'RUNNING', message: '', namespace: 'vpn-1', interfaceName: 'vpn-1', tunnels: [] }] },
};
const kind = fc.constantFrom('presence', 'heartbeat', 'status', 'desired', 'other');
const hostId = fc.oneof(fc.constantFrom('host0', 'host1', 'host0 ', '+', '#', '', 'a/b', 'x'.repeat(70)), fc.string({ maxLength: 12 }));
const topic = fc.oneof(
  fc.tuple(hostId, kind).map(([h, k]) => `berth/v1/hosts/${h}/${k}`),
  fc.string({ maxLength: 60 }),
  fc.constantFrom('berth/v1/events', 'berth/v1/hosts/host0', 'berth/v1/hosts/host0/status/extra', '$SYS/x', 'berth/v2/hosts/host0/status'),
);
const payload = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.json({ maxDepth: 3 }),
  fc.constantFrom(...Object.values(valid)).chain((doc) => mutated(doc)).map((v) => JSON.stringify(v) ?? ''),
  fc.constantFrom(...Object.values(valid)).map((v) => JSON.stringify(v)),
  fc.constantFrom('', '{', 'null', '[]', '{"v":1}', '\u0000'.repeat(10)),
);

type Kind = keyof typeof valid;
/** A host topic and a payload of its own kind: intact or mutated (what gets furthest into ingest). */
const matched = fc.constantFrom<Kind>('presence', 'heartbeat', 'status').chain((k) => fc.tuple(
  fc.constant(`berth/v1/hosts/host0/${k}`),
  fc.oneof(fc.constant(JSON.stringify(valid[k])), mutated(valid[k]).map((v) => JSON.stringify(v) ?? '')),
));
const message = fc.oneof({ weight: 2, arbitrary: matched }, { weight: 1, arbitrary: fc.tuple(topic, payload) });

describe('ingest fuzzing (IngestBatcher and classify)', () => {
  it('never throws, never fails a batch, and a dropped message changes nothing', async () => {
    const ingest = new IngestBatcher(t.deps, { maxDelayMs: 1 });
    const runs = fuzzRuns(600);
    let cases = 0;
    let rejected = 0;
    await fc.assert(fc.asyncProperty(message, async ([tp, p]) => {
      cases++;
      const c = classify(tp, p);
      const before = c.ok ? '' : await dumpDatabase(t.deps.database);
      ingest.offer(tp, p);
      await ingest.flush();
      expect(ingest.stats().failedBatches, `${tp}: a batch failed`).toBe(0);
      if (!c.ok) {
        rejected++;
        expect(await dumpDatabase(t.deps.database), `${tp} (${c.reason}) changed the database`).toBe(before);
      }
    }), { numRuns: runs, seed: Number(process.env.BERTH_FUZZ_SEED ?? 20261204) });
    const s = ingest.stats();
    console.log(`ingest fuzz: ${cases} cases, ${rejected} rejected, ${s.applied} applied; drops ${JSON.stringify(s.dropped)}`);
    expect(cases).toBe(runs);
    expect(s.received).toBe(runs);
    expect(s.applied + Object.values(s.dropped).reduce((a, b) => a + b, 0)).toBe(runs);
  }, 600_000);
});
