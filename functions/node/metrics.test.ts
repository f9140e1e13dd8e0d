import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { IngestBatcher } from '../ingest/batcher';
import { insertHost } from '../services/hosts/test-fixtures';
import { createMetrics } from './metrics';

describe('GET /metrics', () => {
  let t: TestApp;
  let ingest: IngestBatcher;
  beforeEach(async () => {
    t = await createTestApp();
    ingest = new IngestBatcher(t.deps);
    t.deps.metrics = createMetrics({ database: t.deps.database, ingestStats: () => ingest.stats() });
  });
  afterEach(() => t.close());

  it('counts dropped agent messages by reason and shows the fleet, without a token', async () => {
    await insertHost(t.deps.database.db, 'host0', { alive: true });
    await insertHost(t.deps.database.db, 'host1', { alive: false });
    ingest.offer('berth/v1/hosts/host0/heartbeat', 'not json');
    ingest.offer('berth/v1/elsewhere', '{}');
    ingest.offer('berth/v1/hosts/host0/heartbeat', 'still not json');
    await ingest.flush();
    const res = await t.app.request('/metrics');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/berth_ingest_dropped_total\{reason="invalid_json"\} 2/);
    expect(text).toMatch(/berth_ingest_dropped_total\{reason="bad_topic"\} 1/);
    expect(text).toMatch(/berth_hosts\{alive="true"\} 1/);
    expect(text).toMatch(/berth_hosts\{alive="false"\} 1/);
    expect(text).toMatch(/berth_process_/);
    // A second scrape does not double-count.
    expect(await (await t.app.request('/metrics')).text()).toMatch(/berth_ingest_dropped_total\{reason="invalid_json"\} 2/);
  });

  it('answers 404 where the runtime has no metrics', async () => {
    t.deps.metrics = undefined;
    expect((await t.app.request('/metrics')).status).toBe(404);
  });
});
