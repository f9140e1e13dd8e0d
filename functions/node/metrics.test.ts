import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createTestApp, SCRAPE, TELEMETRY_TOKEN, type TestApp } from '../../test/helpers/harness';
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

  it('counts dropped agent messages by reason and shows the fleet, to a scrape with the telemetry token', async () => {
    await insertHost(t.deps.database.db, 'host0', { alive: true });
    await insertHost(t.deps.database.db, 'host1', { alive: false });
    ingest.offer('berth/v1/hosts/host0/heartbeat', 'not json');
    ingest.offer('berth/v1/elsewhere', '{}');
    ingest.offer('berth/v1/hosts/host0/heartbeat', 'still not json');
    await ingest.flush();
    const res = await t.app.request('/metrics', SCRAPE);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/berth_ingest_dropped_total\{reason="invalid_json"\} 2/);
    expect(text).toMatch(/berth_ingest_dropped_total\{reason="bad_topic"\} 1/);
    expect(text).toMatch(/berth_hosts\{alive="true"\} 1/);
    expect(text).toMatch(/berth_hosts\{alive="false"\} 1/);
    expect(text).toMatch(/berth_process_/);
    // A second scrape does not double-count.
    expect(await (await t.app.request('/metrics', SCRAPE)).text()).toMatch(/berth_ingest_dropped_total\{reason="invalid_json"\} 2/);
  });

  it('asks for a token (issue 9): the telemetry or admin token is served; none or a wrong one 401, a tenant 403', async () => {
    await insertHost(t.deps.database.db, 'host0', { alive: true });
    const status = async (token?: string) => (await t.app.request('/metrics', token ? { headers: { authorization: `Bearer ${token}` } } : {})).status;
    const tenant = await t.tenantToken('tenant-a');
    expect([await status(), await status('not-a-token-0123456789'), await status(tenant), await status(ADMIN_TOKEN), await status(TELEMETRY_TOKEN)])
      .toEqual([401, 401, 403, 200, 200]);
    expect((await t.app.request('/metrics', { headers: { 'x-auth-token': TELEMETRY_TOKEN } })).status).toBe(200);
    const denied = await (await t.app.request('/metrics')).text();
    expect(denied).not.toContain('host0');
    // The telemetry token reads metrics and nothing else.
    expect((await t.req('GET', '/v1/hosts', undefined, TELEMETRY_TOKEN)).status).toBe(401);
    expect((await t.req('GET', '/v2.0/networks', undefined, TELEMETRY_TOKEN)).status).toBe(401);
  });

  it('answers 404 where the runtime has no metrics (after the token check)', async () => {
    t.deps.metrics = undefined;
    expect((await t.app.request('/metrics', SCRAPE)).status).toBe(404);
    expect((await t.app.request('/metrics')).status).toBe(401);
  });

  it('without a telemetry token configured only the admin token is served', async () => {
    t.deps.config.telemetryToken = undefined;
    expect((await t.app.request('/metrics', SCRAPE)).status).toBe(401);
    expect((await t.req('GET', '/metrics')).status).toBe(200);
  });
});
