// Operator placement through the real app over a real database: PUT /v1/containers/{id}/host (202, or 409 with
// the scheduler's reason, 404 unknown host/container, 400 bad body), DELETE .../host (automatic scheduling at
// once) and GET .../explain (per host: eligible or the constant reason).
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { insertContainer, insertContainerGroup, insertHost } from '../../services/hosts/test-fixtures';
import { containers, dirtyHosts, hostGroupMembers, hostGroups, hosts } from '../../db/schema';

describe('/v1/containers/{id}/host and /explain', () => {
  let t: TestApp;
  let c: string;
  const db = () => t.deps.database.db;
  const row = async () => (await db().select().from(containers).where(eq(containers.id, c)))[0];
  const dirty = async () => (await db().select().from(dirtyHosts)).map((d) => d.hostId).sort();
  const live = { alive: true, lastSeenAt: Date.now() + 60_000 };

  beforeEach(async () => {
    t = await createTestApp();
    for (const h of ['host0', 'host1']) await insertHost(db(), h, live);
    c = await insertContainer(db(), { hostId: 'host0', schedulerState: 'UP', status: 'RUNNING', placementGeneration: 3 });
  });
  afterEach(() => t.close());

  it('migrates to an eligible host: 202 with the container there, generation bumped, both hosts dirty, an event', async () => {
    const res = await t.req('PUT', `/v1/containers/${c}/host`, { hostId: 'host1' });
    expect(res.status).toBe(202);
    expect(res.body.container).toMatchObject({ id: c, hostId: 'host1', placementGeneration: 4, schedulerState: 'RESCHEDULED', status: null });
    expect(await dirty()).toEqual(['host0', 'host1']);
    const events = (await t.req('GET', `/v1/containers/${c}/events`)).body.events;
    expect(events.at(-1)).toMatchObject({ type: 'migrated', hostId: 'host1', reason: 'moved from host0 to host1 by an operator' });
  });

  it('migrating to the host it is on changes nothing', async () => {
    const res = await t.req('PUT', `/v1/containers/${c}/host`, { hostId: 'host0' });
    expect(res.status).toBe(202);
    expect(res.body.container).toMatchObject({ hostId: 'host0', placementGeneration: 3 });
    expect(await dirty()).toEqual([]);
  });

  it.each([
    ['a dead host', { alive: false }, 'host is not alive'],
    ['a silent host', { lastSeenAt: 1 }, 'host is not alive'],
    ['a cordoned host', { cordoned: true }, 'host is cordoned'],
    ['a host with weight 0', { containerWeight: 0 }, 'container weight is 0'],
    ['a host at its hard limit', { containerLimit: 0, enforceContainerLimit: true }, 'hard container limit'],
    ['a host marked bad', { badUntil: Date.now() + 60_000 }, 'bad'],
  ])('refuses %s with 409 and the reason; nothing changes', async (_what, set, reason) => {
    await db().update(hosts).set(set).where(eq(hosts.id, 'host1'));
    const res = await t.req('PUT', `/v1/containers/${c}/host`, { hostId: 'host1' });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('host host1 cannot take container') });
    expect(res.body.error.message).toContain(reason);
    expect(await row()).toMatchObject({ hostId: 'host0', placementGeneration: 3 });
    expect(await dirty()).toEqual([]);
  });

  it('refuses a host outside the group\'s host group (affinity) with 409', async () => {
    await db().insert(hostGroups).values({ id: 'hg', name: 'az1', createdAt: 1 });
    await db().insert(hostGroupMembers).values({ groupId: 'hg', hostId: 'host0' });
    await db().update(containers).set({ groupId: await insertContainerGroup(db(), { hostGroupId: 'hg' }) }).where(eq(containers.id, c));
    const res = await t.req('PUT', `/v1/containers/${c}/host`, { hostId: 'host1' });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/host group/);
  });

  it('a soft limit does not stop an operator', async () => {
    await db().update(hosts).set({ containerLimit: 0 }).where(eq(hosts.id, 'host1'));
    expect((await t.req('PUT', `/v1/containers/${c}/host`, { hostId: 'host1' })).status).toBe(202);
  });

  it.each([
    ['an unknown host', `/v1/containers/CID/host`, { hostId: 'nope' }, 404, 'host nope not found'],
    ['an unknown container', '/v1/containers/nope/host', { hostId: 'host1' }, 404, 'container nope not found'],
    ['a missing hostId', `/v1/containers/CID/host`, {}, 400, 'hostId'],
    ['an unknown field', `/v1/containers/CID/host`, { hostId: 'host1', force: true }, 400, 'force'],
    ['a number for hostId', `/v1/containers/CID/host`, { hostId: 7 }, 400, 'hostId'],
  ])('PUT with %s is %i and writes nothing', async (_what, path, body, status, message) => {
    const res = await t.req('PUT', path.replace('CID', c), body);
    expect(res.status).toBe(status);
    expect(res.body.error.message).toContain(message);
    expect(await row()).toMatchObject({ hostId: 'host0', placementGeneration: 3 });
  });

  it('tenants get 403 on the operator routes', async () => {
    const token = await t.tenantToken('tenant-a');
    expect((await t.req('PUT', `/v1/containers/${c}/host`, { hostId: 'host1' }, token)).status).toBe(403);
    expect((await t.req('DELETE', `/v1/containers/${c}/host`, undefined, token)).status).toBe(403);
    expect((await t.req('GET', `/v1/containers/${c}/explain`, undefined, token)).status).toBe(403);
  });

  it('DELETE .../host re-runs automatic scheduling at once (least: the emptier host)', async () => {
    await insertContainer(db(), { hostId: 'host0' });
    const res = await t.req('DELETE', `/v1/containers/${c}/host`);
    expect(res.status).toBe(202);
    expect(res.body.container).toMatchObject({ hostId: 'host1', placementGeneration: 4, schedulerState: 'RESCHEDULED' });
    expect(await dirty()).toEqual(['host0', 'host1']);
  });

  it('DELETE .../host with nowhere to go leaves it DOWN for the controller to retry', async () => {
    await db().update(hosts).set({ alive: false });
    const res = await t.req('DELETE', `/v1/containers/${c}/host`);
    expect(res.status).toBe(202);
    expect(res.body.container).toMatchObject({ hostId: null, schedulerState: 'DOWN', placementGeneration: 4 });
    expect((await row()).retries).toBe(0);
  });

  it('explain names every host: eligible or the first reason it is not', async () => {
    await insertHost(db(), 'host2', { ...live, cordoned: true });
    await insertHost(db(), 'host3', { alive: false });
    const res = await t.req('GET', `/v1/containers/${c}/explain`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      explain: {
        containerId: c,
        hosts: [
          { hostId: 'host0', eligible: true, reason: 'eligible' },
          { hostId: 'host1', eligible: true, reason: 'eligible' },
          { hostId: 'host2', eligible: false, reason: expect.stringContaining('cordoned') },
          { hostId: 'host3', eligible: false, reason: expect.stringContaining('not alive') },
        ],
      },
    });
    expect((await t.req('GET', '/v1/containers/nope/explain')).status).toBe(404);
  });
});
