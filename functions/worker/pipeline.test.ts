// The Worker's pipeline takes its timers from the deployment, as berth serve's tick does (timersFor):
// BERTH_HOST_DEAD_AFTER_MS decides when a silent host is dead, how long a new leader waits, and the hearing window
// of the HTTP ingest. Each pass here is a fresh runPipeline call, as each Worker invocation is; the heartbeats go
// through the ingest's own batch path with the window the Worker gives it.
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { insertContainer, insertHost } from '../services/hosts/test-fixtures';
import { containers, hosts } from '../db/schema';
import { ManualClock } from '../../shared/clock';
import { CONTROLLER_LEASE } from '../relay/relay';
import { applyAgentBatch } from '../ingest/batcher';
import { classify, type AgentMessage } from '../ingest/classify';
import { pipelineDefaults, runPipeline } from './pipeline';

describe('the Worker pipeline: timers from the deployment (BERTH_HOST_DEAD_AFTER_MS)', () => {
  let t: TestApp;
  let clock: ManualClock;
  const db = () => t.deps.database.db;
  const deadHosts = async () => (await db().select({ id: hosts.id }).from(hosts).where(eq(hosts.alive, false))).map((h) => h.id).sort();
  const heartbeats = (ids: string[]): AgentMessage[] => ids.map((hostId, seq) => {
    const r = classify(`berth/v1/hosts/${hostId}/heartbeat`, JSON.stringify({ v: 1, hostId, bootId: `${hostId}-b1`, seq, at: clock.now(), observedGeneration: 0, count: 0, quota: -1, load: 0 }));
    if (!r.ok) throw new Error(r.reason);
    return r.msg;
  });
  /** One ingest batch as POST /v1/agent-events applies it (hearing stamped with the Worker's window), then a pass. */
  const batchThenPass = async (ids: string[]) => {
    await applyAgentBatch(t.deps, heartbeats(ids), { hearing: { lease: CONTROLLER_LEASE, windowMs: pipelineDefaults(t.deps.config).hearingWindowMs } });
    const r = await runPipeline(t.deps, null);
    expect(r.errors).toEqual([]);
  };

  const start = async (hostDeadAfterMs?: number) => {
    clock = new ManualClock(Date.now());
    t = await createTestApp({ clock, config: hostDeadAfterMs ? { hostDeadAfterMs } : {} });
    for (const h of ['host0', 'host1', 'host2']) await insertHost(db(), h, { alive: true, lastSeenAt: clock.now(), bootId: `${h}-b1` });
    return insertContainer(db(), { hostId: 'host0', schedulerState: 'UP', status: 'RUNNING', placementGeneration: 1 });
  };
  const hostOf = async (id: string) => (await db().select({ hostId: containers.hostId }).from(containers).where(eq(containers.id, id)))[0].hostId;

  afterEach(() => t?.close());

  it('derives the timers and the hearing window from the config', async () => {
    await start(6000);
    const o = pipelineDefaults(t.deps.config);
    expect(o.timers.hostDeadAfter).toBe(6000);
    expect(o.hearingWindowMs).toBe(3000);
    expect(pipelineDefaults(undefined).timers.hostDeadAfter).toBe(2000);
    // A caller's override still wins (tests, benchmarks).
    expect(pipelineDefaults(t.deps.config, { timers: { hostDeadAfter: 900 } }).timers.hostDeadAfter).toBe(900);
  });

  it('with BERTH_HOST_DEAD_AFTER_MS=6000, a host silent for 3 s keeps its container; silent past 6 s it is dead and the container moves', async () => {
    const c = await start(6000);
    await batchThenPass(['host1', 'host2']); // the first pass takes the lease (leader grace from now)
    for (let ms = 0; ms < 3000; ms += 500) {
      clock.advance(500);
      await batchThenPass(['host1', 'host2']);
    }
    // DESIGN's 2 s would have declared host0 dead by now (the 2 s default: see the next test).
    expect(await deadHosts()).toEqual([]);
    expect(await hostOf(c)).toBe('host0');
    for (let ms = 3000; ms < 6500; ms += 500) {
      clock.advance(500);
      await batchThenPass(['host1', 'host2']);
    }
    expect(await deadHosts()).toEqual(['host0']);
    expect(['host1', 'host2']).toContain(await hostOf(c));
  });

  it('without the variable, DESIGN\'s 2 s holds', async () => {
    const c = await start();
    await batchThenPass(['host1', 'host2']);
    for (let ms = 0; ms < 3000; ms += 500) {
      clock.advance(500);
      await batchThenPass(['host1', 'host2']);
    }
    expect(await deadHosts()).toEqual(['host0']);
    expect(['host1', 'host2']).toContain(await hostOf(c));
  });

  it('batches 2 s apart keep a 6 s deployment hearing (window 3 s): silence is still judged', async () => {
    await start(6000);
    await batchThenPass(['host1', 'host2']);
    for (let ms = 0; ms < 8000; ms += 2000) {
      clock.advance(2000);
      await batchThenPass(['host1', 'host2']);
    }
    // With the 1 s window of the 2 s default, every gap would have made the Worker deaf and host0 would live on.
    expect(await deadHosts()).toEqual(['host0']);
  });
});
