// Every event the control plane publishes on berth/v1/events is in GET /v1/events too (DESIGN section 8: events
// carry containerId? and hostId?) — the host-only ones included (host-dead, host-bad, host-bad-cleared), which
// once were published only and left no trace a late consumer or the dashboard could read.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, createTestApp, type TestApp } from '../../../test/helpers/harness';
import { insertContainer, insertContainerGroup, insertHost } from '../hosts/test-fixtures';
import { hosts } from '../../db/schema';
import { ManualClock } from '../../../shared/clock';
import { zEvent } from '../../../shared/protocol/messages';
import { topics } from '../../../shared/protocol/topics';
import { eventsResponse } from '../../../shared/model/events';
import { Controller } from '../../controller/tick';
import { DEFAULT_TIMERS } from '../../controller/types';
import { RecordingPublisher } from '../../relay/test-fixtures';

describe('events published on berth/v1/events are in GET /v1/events', () => {
  let t: TestApp;
  let clock: ManualClock;
  let pub: RecordingPublisher;
  const db = () => t.deps.database.db;
  const heard = async (...ids: string[]) => {
    for (const id of ids) await db().update(hosts).set({ alive: true, lastSeenAt: clock.now() }).where(eq(hosts.id, id));
  };
  const published = () => pub.sent.filter((s) => s.topic === topics.events).map((s) => zEvent.parse(JSON.parse(s.payload)));
  const feed = async () => {
    const { status, body } = await t.req('GET', '/v1/events?limit=1000');
    expect(status).toBe(200);
    return eventsResponse.parse(body).events;
  };

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    pub = new RecordingPublisher();
    t = await createTestApp({ clock, publisher: pub });
    for (const h of ['host0', 'host1']) await insertHost(db(), h, { alive: true, lastSeenAt: clock.now(), bootId: `${h}-b1` });
  });
  afterEach(() => t.close());

  it('host-dead and host-bad (no container) and the moves they cause, one for one, in the order published', async () => {
    const g = await insertContainerGroup(db(), { policy: 'least' });
    // Running on host0, which falls silent; and one placed on host1 that never starts (host1 gets the blame).
    await insertContainer(db(), { groupId: g, hostId: 'host0', schedulerState: 'UP', status: 'RUNNING', placementGeneration: 1 });
    const ctl = new Controller(t.deps, { holder: 'test' });
    await ctl.tick(); // wins the lease; waits one hostDeadAfter before judging silence
    clock.advance(DEFAULT_TIMERS.hostDeadAfter + 500);
    await heard('host1');
    await ctl.tick(); // host0 is dead: its container moves to host1
    await ctl.tick();
    clock.advance(DEFAULT_TIMERS.schedulerTimeout + 500);
    await heard('host1');
    await ctl.tick(); // nothing ran on host1 within schedulerTimeout: host1 is bad
    await new Promise((r) => setTimeout(r, 50)); // the tick does not wait for its (best-effort) publishes

    const sent = published();
    const types = sent.map((e) => e.type);
    for (const type of ['host-dead', 'rescheduled', 'host-bad']) expect(types).toContain(type);
    const listed = await feed();
    // The same events, one for one, in the same order (the feed adds its id and gives the time as ISO text).
    expect(listed.map((e) => ({ type: e.type, containerId: e.containerId ?? null, hostId: e.hostId ?? null, reason: e.reason, at: Date.parse(e.at) })))
      .toEqual(sent.map((e) => ({ type: e.type, containerId: e.containerId ?? null, hostId: e.hostId ?? null, reason: e.reason, at: e.at })));
    const dead = listed.find((e) => e.type === 'host-dead')!;
    expect(dead).toMatchObject({ hostId: 'host0', reason: expect.stringMatching(/^no heartbeat or presence for \d+ ms$/) });
    expect(dead).not.toHaveProperty('containerId');
    expect(listed.find((e) => e.type === 'host-bad')).toMatchObject({ hostId: 'host1', reason: expect.stringContaining('container ') });
  });

  it("an operator's migration and host clearing: published and in the feed alike", async () => {
    const g = await insertContainerGroup(db(), { policy: 'least' });
    const c = await insertContainer(db(), { groupId: g, hostId: 'host0', schedulerState: 'UP', status: 'RUNNING', placementGeneration: 1 });
    expect((await t.req('PUT', `/v1/containers/${c}/host`, { hostId: 'host1' })).status).toBe(202);
    expect((await t.req('DELETE', `/v1/containers/${c}/host`)).status).toBe(202);
    const sent = published();
    expect(sent.map((e) => [e.type, e.containerId, e.hostId])).toEqual([['migrated', c, 'host1'], [expect.stringMatching(/^(host-cleared|rescheduled)$/), c, expect.any(String)]]);
    expect((await feed()).map((e) => ({ type: e.type, containerId: e.containerId, hostId: e.hostId, reason: e.reason })))
      .toEqual(sent.map((e) => ({ type: e.type, containerId: e.containerId, hostId: e.hostId, reason: e.reason })));
    // A refused migration records and publishes nothing.
    expect((await t.req('PUT', `/v1/containers/${c}/host`, { hostId: 'nope' })).status).toBe(404);
    expect(published()).toHaveLength(2);
  });

  it('a host-only event reaches a follower of the stream', async () => {
    const ctl = new Controller(t.deps, { holder: 'test' });
    await ctl.tick();
    clock.advance(DEFAULT_TIMERS.hostDeadAfter + 500);
    await heard('host1');
    await ctl.tick();
    const res = await t.app.request('/v1/events', { headers: { authorization: `Bearer ${ADMIN_TOKEN}`, accept: 'text/event-stream' }, signal: AbortSignal.timeout(5_000) });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('host-dead')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toMatch(/^data: \{.*"type":"host-dead","hostId":"host0"/m);
  });
});
