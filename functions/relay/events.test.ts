// berth/v1/events from the record (real libSQL): the lease holder's relay pass publishes what every writer
// recorded — the controller, ingest, API calls — each with its feed id, in id order, exactly what GET /v1/events
// lists; a new cursor starts at the newest event; the cursor moves only past what the broker took, only for the
// current epoch, a bounded page per pass; a pass that failed publishes again (at least once).
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { insertContainer, insertContainerGroup, insertContainerEvent, insertHost } from '../services/hosts/test-fixtures';
import { hosts, leases } from '../db/schema';
import { ManualClock } from '../../shared/clock';
import { zEvent, type BerthEvent } from '../../shared/protocol/messages';
import { topics } from '../../shared/protocol/topics';
import { eventsResponse } from '../../shared/model/events';
import { Controller } from '../controller/tick';
import { DEFAULT_TIMERS } from '../controller/types';
import { IngestBatcher } from '../ingest/batcher';
import { RecordingPublisher } from './test-fixtures';
import { runRelay } from './relay';
import { publishRecordedEvents } from './events';

describe('events published on berth/v1/events from the record', () => {
  let t: TestApp;
  let clock: ManualClock;
  let pub: RecordingPublisher;
  let ctl: Controller;
  const db = () => t.deps.database.db;
  const heard = async (...ids: string[]) => {
    for (const id of ids) await db().update(hosts).set({ alive: true, lastSeenAt: clock.now() }).where(eq(hosts.id, id));
  };
  const published = (): BerthEvent[] => pub.sent.filter((s) => s.topic === topics.events).map((s) => zEvent.parse(JSON.parse(s.payload)));
  const feed = async () => {
    const { status, body } = await t.req('GET', '/v1/events?limit=1000');
    expect(status).toBe(200);
    return eventsResponse.parse(body).events;
  };
  const relay = () => runRelay({ ...t.deps, publisher: pub }, { eventsEpoch: ctl.epoch });
  const cursor = async () => (await db().select({ c: leases.eventsPublishedId }).from(leases))[0]?.c;

  beforeEach(async () => {
    clock = new ManualClock(Date.now());
    pub = new RecordingPublisher();
    t = await createTestApp({ clock, publisher: pub });
    for (const h of ['host0', 'host1']) await insertHost(db(), h, { alive: true, lastSeenAt: clock.now(), bootId: `${h}-b1` });
    ctl = new Controller(t.deps, { holder: 'test' });
  });
  afterEach(() => t.close());

  it('starts at the newest event: history recorded before the first pass is not published', async () => {
    const g = await insertContainerGroup(db());
    const c = await insertContainer(db(), { groupId: g });
    await insertContainerEvent(db(), c, { at: 1, type: 'scheduled' });
    await ctl.tick(); // places c: one more event
    const newest = (await feed()).at(-1)!.id;
    expect((await relay()).events).toEqual({ published: 0, cursor: newest });
    expect(published()).toEqual([]);
    expect((await relay()).events).toEqual({ published: 0, cursor: newest });
  });

  it('the controller, ingest and API calls: every event published once, with its id, one for one with the feed', async () => {
    await ctl.tick(); // wins the lease
    await relay(); // the cursor starts here
    const g = await insertContainerGroup(db(), { policy: 'least' });
    await insertContainer(db(), { groupId: g, hostId: 'host0', schedulerState: 'UP', status: 'RUNNING', placementGeneration: 1 });
    clock.advance(DEFAULT_TIMERS.hostDeadAfter + 500);
    await heard('host1');
    await ctl.tick(); // host0 is dead by silence: its container moves to host1
    const ingest = new IngestBatcher(t.deps);
    ingest.offer('berth/v1/hosts/host0/presence', JSON.stringify({ v: 1, hostId: 'host0', bootId: 'host0-b2', online: true, at: 1 }));
    await ingest.flush(); // host0 is back (ingest)
    expect((await t.req('PATCH', '/v1/hosts/host0', { cordoned: true })).status).toBe(200); // an API call
    expect(published()).toEqual([]); // nothing leaves before the relay's pass
    const r = await relay();

    const sent = published();
    expect(sent.map((e) => [e.type, e.hostId])).toEqual([['host-dead', 'host0'], ['rescheduled', 'host1'], ['host-alive', 'host0'], ['host-cordoned', 'host0']]);
    const listed = await feed();
    expect(sent.map((e) => ({ id: e.id, type: e.type, containerId: e.containerId ?? undefined, hostId: e.hostId ?? undefined, reason: e.reason, at: new Date(e.at).toISOString() })))
      .toEqual(listed.slice(-4));
    expect(r.events).toEqual({ published: 4, cursor: listed.at(-1)!.id });
    await relay();
    expect(published()).toHaveLength(4); // once each
  });

  it('moves the cursor only past what the broker took: a failed publish goes again next pass (at least once)', async () => {
    await ctl.tick();
    await relay();
    for (const id of ['host0', 'host1']) await t.req('PATCH', `/v1/hosts/${id}`, { cordoned: true });
    const before = await cursor();
    pub.fail = true;
    expect((await relay()).events).toEqual({ published: 0, cursor: before });
    pub.fail = false;
    await relay();
    expect(published().map((e) => e.hostId)).toEqual(['host0', 'host1']);
    expect(await cursor()).toBe(before! + 2);
  });

  it('a page per pass, in id order', async () => {
    await ctl.tick();
    await relay();
    for (const id of ['host0', 'host1']) {
      await t.req('PATCH', `/v1/hosts/${id}`, { cordoned: true });
      await t.req('PATCH', `/v1/hosts/${id}`, { cordoned: false });
    }
    const pass = () => publishRecordedEvents({ ...t.deps, publisher: pub }, ctl.epoch!, { maxEvents: 3 });
    expect((await pass()).published).toBe(3);
    expect((await pass()).published).toBe(1);
    expect((await pass()).published).toBe(0);
    const ids = published().map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(4);
  });

  it('an event no consumer could decode is skipped, not retried forever; the ones after it go out', async () => {
    await ctl.tick();
    await relay();
    const c = await insertContainer(db(), { groupId: await insertContainerGroup(db()) });
    await insertContainerEvent(db(), c, { at: clock.now(), type: 'status', reason: 'x'.repeat(3000) });
    await t.req('PATCH', '/v1/hosts/host0', { cordoned: true });
    expect((await relay()).events?.published).toBe(1);
    expect(published().map((e) => e.type)).toEqual(['host-cordoned']);
    expect(await cursor()).toBe((await feed()).at(-1)!.id);
  });

  it('only the holder of the current epoch publishes and moves the cursor', async () => {
    await ctl.tick();
    await relay();
    await t.req('PATCH', '/v1/hosts/host0', { cordoned: true });
    const before = await cursor();
    expect(await publishRecordedEvents({ ...t.deps, publisher: pub }, ctl.epoch! + 1)).toEqual({ published: 0, cursor: null });
    expect((await runRelay({ ...t.deps, publisher: pub })).events).toBeUndefined(); // a replica that holds no lease
    expect(published()).toEqual([]);
    // Its lease expired (a frozen leader): what it publishes is published, but the cursor stays for the next holder.
    await db().update(leases).set({ expiresAt: 0 });
    expect((await relay()).events).toEqual({ published: 1, cursor: null });
    expect(await cursor()).toBe(before);
  });
});
