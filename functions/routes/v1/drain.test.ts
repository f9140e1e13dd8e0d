// POST/GET /v1/hosts/{id}/drain through the real app and database, with the leader's drain step (drainTick)
// run by hand: cordon at once, moves at most maxParallel in flight, progress and events, the end of the drain,
// a new leader carrying on from the database, and bad input that writes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { containers, drains, hosts } from '../../db/schema';
import { acquireLease, releaseLease } from '../../controller/lease';
import { CONTROLLER_LEASE } from '../../relay/relay';
import { drainTick } from '../../services/hosts/drain';
import { insertContainer, insertContainerGroup, insertHost } from '../../services/hosts/test-fixtures';

describe('/v1/hosts/{id}/drain', () => {
  let t: TestApp;
  let epoch: number;
  const db = () => t.deps.database.db;
  const where = async () => Object.fromEntries((await db().select().from(containers)).map((c) => [c.id, c.hostId]));
  const run = async (ids: string[]) => { for (const id of ids) await db().update(containers).set({ status: 'RUNNING' }).where(eq(containers.id, id)); };
  const moving = async () => (await db().select().from(containers)).filter((c) => c.hostId !== 'h0' && c.status !== 'RUNNING').map((c) => c.id).sort();
  const tick = () => drainTick(t.deps, epoch);

  beforeEach(async () => {
    t = await createTestApp();
    const seen = Date.now() + 3_600_000; // heard from "now" for the whole test
    for (const h of ['h0', 'h1', 'h2']) await insertHost(db(), h, { alive: true, lastSeenAt: seen });
    await insertContainerGroup(db(), { id: 'g' });
    for (const id of ['c1', 'c2', 'c3']) await insertContainer(db(), { id, groupId: 'g', hostId: 'h0', status: 'RUNNING', placementGeneration: 1 });
    await insertContainer(db(), { id: 'c9', groupId: 'g', hostId: 'h1', status: 'RUNNING' });
    epoch = (await acquireLease(t.deps.database, CONTROLLER_LEASE, 'leader-a', 60_000))!.epoch;
  });
  afterEach(() => t.close());

  it('answers 202 at once with the count, cordons the host, then moves maxParallel at a time until empty', async () => {
    const res = await t.req('POST', '/v1/hosts/h0/drain', { maxParallel: 2 });
    expect(res).toMatchObject({ status: 202, body: { drain: { hostId: 'h0', containers: 3, maxParallel: 2 } } });
    expect((await t.req('GET', '/v1/hosts/h0')).body.host.cordoned).toBe(true);
    expect((await t.req('GET', '/v1/hosts/h0/drain')).body.drain).toMatchObject({ hostId: 'h0', draining: true, cordoned: true, maxParallel: 2, remaining: 3, inFlight: 0, moved: 0 });

    await tick();
    expect(await moving()).toEqual(['c1', 'c2']);
    expect((await where()).c3).toBe('h0');
    await tick(); // nothing RUNNING yet: nothing more moves
    expect((await where()).c3).toBe('h0');
    expect((await t.req('GET', '/v1/hosts/h0/drain')).body.drain).toMatchObject({ draining: true, remaining: 1, inFlight: 2, moved: 2 });

    await run(['c1']);
    await tick();
    expect(await moving()).toEqual(['c2', 'c3']);
    expect(Object.values(await where())).not.toContain('h0');
    await run(['c2', 'c3']);
    await tick();
    expect((await t.req('GET', '/v1/hosts/h0/drain')).body.drain).toMatchObject({ draining: false, cordoned: true, remaining: 0, inFlight: 0 });
    expect((await t.req('GET', '/v1/hosts/h0')).body.host).toMatchObject({ cordoned: true, containerCount: 0 });

    const events = (await t.req('GET', '/v1/containers/c1/events')).body.events;
    expect(events.at(-1)).toMatchObject({ type: 'rescheduled', reason: expect.stringContaining('drain of h0') });
  });

  it('an empty body drains one at a time; a second request changes maxParallel and keeps the progress', async () => {
    expect((await t.req('POST', '/v1/hosts/h0/drain')).body.drain).toEqual({ hostId: 'h0', containers: 3, maxParallel: 1 });
    await tick();
    expect(await moving()).toEqual(['c1']);
    expect((await t.req('POST', '/v1/hosts/h0/drain', { maxParallel: 3 })).body.drain).toEqual({ hostId: 'h0', containers: 2, maxParallel: 3 });
    await tick();
    expect(await moving()).toEqual(['c1', 'c2', 'c3']);
  });

  it('lives in the database: a new leader carries on, the old one changes nothing', async () => {
    await t.req('POST', '/v1/hosts/h0/drain', { maxParallel: 1 });
    await tick();
    await releaseLease(t.deps.database, CONTROLLER_LEASE, 'leader-a', epoch);
    const old = epoch;
    epoch = (await acquireLease(t.deps.database, CONTROLLER_LEASE, 'leader-b', 60_000))!.epoch;
    await run(['c1']);
    expect(await drainTick(t.deps, old)).toEqual([]);
    expect(await moving()).toEqual([]);
    await tick();
    expect(await moving()).toEqual(['c2']);
  });

  it('draining an empty host cordons it and records no drain', async () => {
    await insertHost(db(), 'h3', { alive: true });
    expect((await t.req('POST', '/v1/hosts/h3/drain', {})).body.drain).toEqual({ hostId: 'h3', containers: 0, maxParallel: 1 });
    expect((await t.req('GET', '/v1/hosts/h3/drain')).body.drain).toMatchObject({ draining: false, cordoned: true, remaining: 0 });
    expect(await db().select().from(drains)).toHaveLength(0);
  });

  it.each([
    [{ maxParallel: 0 }, 400, /maxParallel/],
    [{ maxParallel: 1.5 }, 400, /maxParallel/],
    [{ maxParallel: 'two' }, 400, /maxParallel/],
    [{ maxParallel: 2, force: true }, 400, /unknown field\(s\) 'force'/],
    ['[', 400, /not valid JSON/],
  ])('bad body %j: %i, nothing cordoned or recorded', async (body, status, message) => {
    const res = await t.req('POST', '/v1/hosts/h0/drain', body);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toMatch(message);
    expect((await db().select().from(hosts).where(eq(hosts.id, 'h0')))[0].cordoned).toBe(false);
    expect(await db().select().from(drains)).toHaveLength(0);
  });

  it('an unknown host is a 404 for drain and its status; a tenant is refused', async () => {
    expect((await t.req('POST', '/v1/hosts/nope/drain', {})).status).toBe(404);
    expect((await t.req('GET', '/v1/hosts/nope/drain')).status).toBe(404);
    const tenant = await t.tenantToken('tenant-a');
    expect((await t.req('POST', '/v1/hosts/h0/drain', {}, tenant)).status).toBe(403);
    expect((await db().select().from(hosts).where(eq(hosts.id, 'h0')))[0].cordoned).toBe(false);
  });
});
