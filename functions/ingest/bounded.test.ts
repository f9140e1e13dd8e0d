// A bounded ingest queue (issue 10, item 3): while the database cannot take a batch (the writer is busy), agent
// messages queue only up to maxQueued; beyond that they are dropped and counted (reason queue_full, visible in
// /metrics), never held without limit. Before, the queue (and the chain of batches behind a slow write) grew
// with every message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { createMetrics } from '../node/metrics';
import { IngestBatcher } from './batcher';

const hb = (h: string, seq: number) => JSON.stringify({ v: 1, hostId: h, bootId: 'boot-1', seq, at: 1, observedGeneration: 0, count: 0, quota: -1, load: 1 });

describe('bounded ingest', () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('holds at most maxQueued messages while the writer is busy, counts the rest as dropped (queue_full), and recovers', async () => {
    const ingest = new IngestBatcher(t.deps, { maxDelayMs: 1, maxBatch: 50, maxQueued: 200 });
    // The single writer is busy (a long transaction of someone else).
    let release!: () => void;
    const busy = t.deps.database.write(() => new Promise<void>((r) => { release = r; }));
    for (let i = 0; i < 1000; i++) {
      ingest.offer(`berth/v1/hosts/h${i % 10}/heartbeat`, hb(`h${i % 10}`, i));
      if (i % 100 === 0) await new Promise((r) => setTimeout(r, 5)); // let batches form and queue behind the writer
    }
    const during = ingest.stats();
    expect(during.dropped.queue_full).toBe(800);
    expect(ingest.queued()).toBeLessThanOrEqual(200);
    release();
    await busy;
    await ingest.flush();
    const after = ingest.stats();
    expect(after.applied).toBe(200);
    expect(ingest.queued()).toBe(0);
    // Room again: the next message is taken.
    ingest.offer('berth/v1/hosts/h0/heartbeat', hb('h0', 5000));
    await ingest.flush();
    expect(ingest.stats().applied).toBe(201);
    const text = await createMetrics({ database: t.deps.database, ingestStats: () => ingest.stats() })();
    expect(text).toMatch(/berth_ingest_dropped_total\{reason="queue_full"\} 800/);
  });
});
