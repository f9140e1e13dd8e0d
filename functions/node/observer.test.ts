// The prom-client observer wired as berth serve wires it, scraped through GET /metrics; and the sample Grafana
// dashboard (docs/grafana-dashboard.json): its structure is what Grafana imports, and every metric it queries is one
// /metrics exposes.
import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, SCRAPE } from '../../test/helpers/harness';
import { IngestBatcher } from '../ingest/batcher';
import { insertHost } from '../services/hosts/test-fixtures';
import { createMetrics } from './metrics';
import { createNodeObserver } from './observer';
import { HOST_DEAD } from '../controller/plan';

describe('metrics people alert on', () => {
  let t: TestApp;
  let ingest: IngestBatcher;
  beforeEach(async () => {
    t = await createTestApp();
    const registry = new Registry();
    t.deps.observer = createNodeObserver(registry);
    ingest = new IngestBatcher(t.deps);
    t.deps.metrics = createMetrics({ database: t.deps.database, ingestStats: () => ingest.stats(), registry });
  });
  afterEach(() => t.close());
  const scrape = async () => (await t.app.request('/metrics', SCRAPE)).text();

  it('API latency per route pattern (never the raw path), per-host gauges, controller and relay series', async () => {
    await insertHost(t.deps.database.db, 'host0', { alive: true, containerWeight: 3, lastHeartbeatAt: Date.now() - 1500 });
    await insertHost(t.deps.database.db, 'host1', { alive: false, cordoned: true });
    expect((await t.req('GET', '/v1/hosts/host0')).status).toBe(200);
    expect((await t.req('GET', '/v1/hosts/nope')).status).toBe(404);
    expect((await t.req('GET', '/v1/no/such/route')).status).toBe(404);
    t.deps.observer!.controllerStep({ seconds: 0.004, leader: true, events: [
      { type: 'scheduled', reason: 'placed on host0' },
      { type: 'rescheduled', reason: `moved from host1 to host0: ${HOST_DEAD}` },
      { type: 'rescheduled', reason: 'moved from host1 to host0: the operator asked' },
    ] });
    t.deps.observer!.failover(1.2);
    t.deps.observer!.relayPublish({ seconds: 0.002, ok: true });
    const text = await scrape();
    expect(text).toMatch(/berth_http_request_duration_seconds_count\{method="GET",route="\/v1\/hosts\/:id",status="200"\} 1/);
    expect(text).toMatch(/berth_http_request_duration_seconds_count\{method="GET",route="\/v1\/hosts\/:id",status="404"\} 1/);
    expect(text).toMatch(/route="unmatched",status="404"\} 1/);
    expect(text).not.toMatch(/route="\/v1\/hosts\/host0"/);
    expect(text).toMatch(/berth_host_up\{host="host0"\} 1/);
    expect(text).toMatch(/berth_host_up\{host="host1"\} 0/);
    expect(text).toMatch(/berth_host_container_weight\{host="host0"\} 3/);
    expect(text).toMatch(/berth_host_cordoned\{host="host1"\} 1/);
    expect(Number(/berth_host_heartbeat_age_seconds\{host="host0"\} ([\d.]+)/.exec(text)?.[1])).toBeGreaterThanOrEqual(1.5);
    expect(text).toMatch(/berth_placements_total\{kind="scheduled"\} 1/);
    expect(text).toMatch(/berth_placements_total\{kind="rescheduled"\} 2/);
    expect(text).toMatch(/berth_failovers_total 1/);
    expect(text).toMatch(/berth_failover_duration_seconds_bucket\{le="1.5"\} 1/);
    expect(text).toMatch(/berth_controller_step_duration_seconds_count\{leader="true"\} 1/);
    expect(text).toMatch(/berth_relay_publish_duration_seconds_count\{result="ok"\} 1/);
  });

  it('ingest lag: each committed batch records how long its oldest message waited', async () => {
    await insertHost(t.deps.database.db, 'host0', { alive: true });
    ingest.offer('berth/v1/hosts/host0/heartbeat', JSON.stringify({ v: 1, hostId: 'host0', bootId: 'b', seq: 1, at: Date.now(), observedGeneration: 0, count: 0, quota: -1, load: 0 }));
    await ingest.flush();
    expect(await scrape()).toMatch(/berth_ingest_lag_seconds_count 1/);
  });

  it('the sample Grafana dashboard is importable and queries only metrics /metrics has', async () => {
    const dash = JSON.parse(readFileSync(new URL('../../docs/grafana-dashboard.json', import.meta.url), 'utf8'));
    expect(dash).toMatchObject({ title: expect.any(String), uid: expect.stringMatching(/^[\w-]{1,40}$/), schemaVersion: expect.any(Number) });
    expect(dash.templating.list.find((v: any) => v.type === 'datasource')?.name).toBe('datasource');
    const panels: any[] = dash.panels;
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const queried = new Set<string>();
    for (const p of panels) {
      expect(p.gridPos, p.title).toMatchObject({ x: expect.any(Number), y: expect.any(Number), w: expect.any(Number), h: expect.any(Number) });
      expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      if (p.type === 'row') continue;
      expect(['timeseries', 'stat', 'gauge', 'table'], p.title).toContain(p.type);
      expect(p.datasource.uid).toBe('${datasource}');
      expect(p.targets.length, p.title).toBeGreaterThan(0);
      for (const target of p.targets) {
        expect(target.refId).toMatch(/^[A-Z]$/);
        for (const m of target.expr.match(/\bberth_\w+/g) ?? []) queried.add(m.replace(/_(bucket|sum|count)$/, ''));
      }
    }
    const exposed = new Set([...(await scrape()).matchAll(/^# TYPE (\w+) /gm)].map((m) => m[1]));
    expect([...queried].filter((m) => !exposed.has(m))).toEqual([]);
    for (const m of ['berth_failover_duration_seconds', 'berth_http_request_duration_seconds', 'berth_ingest_lag_seconds', 'berth_relay_publish_duration_seconds',
      'berth_controller_step_duration_seconds', 'berth_ingest_dropped_total', 'berth_placements_total', 'berth_failovers_total', 'berth_host_up']) expect(queried).toContain(m);
  });
});
