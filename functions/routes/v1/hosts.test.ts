import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { dirtyHosts } from '../../db/schema';
import { insertContainer, insertHost } from '../../services/hosts/test-fixtures';

describe('/v1/hosts', () => {
  let t: TestApp;
  const db = () => t.deps.database.db;
  const dirty = async () => (await db().select().from(dirtyHosts)).map((d) => d.hostId).sort();
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('lists hosts with their container counts, counted from the database', async () => {
    expect((await t.req('GET', '/v1/hosts')).body).toEqual({ hosts: [] });
    const beat = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    await insertHost(db(), 'host0', { alive: true, lastHeartbeatAt: beat, bootId: 'boot-1', reportedCount: 2, reportedQuota: 10 });
    await insertHost(db(), 'host1');
    await insertContainer(db(), { hostId: 'host0' });
    await insertContainer(db(), { hostId: 'host0' });
    await insertContainer(db(), { hostId: null });
    const res = await t.req('GET', '/v1/hosts');
    expect(res.status).toBe(200);
    expect(res.body.hosts).toEqual([
      {
        id: 'host0', name: 'host0', alive: true, containerWeight: 1, containerLimit: -1, enforceContainerLimit: false,
        cordoned: false, containerCount: 2, lastHeartbeatAt: '2026-01-02T03:04:05.678Z', bootId: 'boot-1',
        reportedCount: 2, reportedQuota: 10,
      },
      {
        id: 'host1', name: 'host1', alive: false, containerWeight: 1, containerLimit: -1, enforceContainerLimit: false,
        cordoned: false, containerCount: 0, lastHeartbeatAt: null, bootId: null, reportedCount: null, reportedQuota: null,
      },
    ]);
    expect((await t.req('GET', '/v1/hosts/host0')).body.host).toEqual(res.body.hosts[0]);
  });

  it.each([
    [{ containerWeight: 5 }, { containerWeight: 5 }],
    [{ containerWeight: 0 }, { containerWeight: 0 }],
    [{ containerLimit: 5, enforceContainerLimit: true }, { containerLimit: 5, enforceContainerLimit: true }],
    [{ containerLimit: -1 }, { containerLimit: -1 }],
    [{ cordoned: true }, { cordoned: true }],
  ])('PATCH %j changes the host and marks it dirty in the same write', async (patch, expected) => {
    await insertHost(db(), 'host0', { containerLimit: 3 });
    const res = await t.req('PATCH', '/v1/hosts/host0', patch);
    expect(res.status).toBe(200);
    expect(res.body.host).toMatchObject(expected);
    expect((await t.req('GET', '/v1/hosts/host0')).body.host).toMatchObject(expected);
    expect(await dirty()).toEqual(['host0']);
  });

  it('a PATCH that changes nothing marks nothing dirty', async () => {
    await insertHost(db(), 'host0', { containerWeight: 2 });
    const res = await t.req('PATCH', '/v1/hosts/host0', { containerWeight: 2, cordoned: false });
    expect(res.status).toBe(200);
    expect(res.body.host.containerWeight).toBe(2);
    expect(await dirty()).toEqual([]);
  });

  it.each([
    ['malformed JSON', '{"containerWeight": ', /not valid JSON/],
    ['an empty body', '', /body is empty/],
    ['an empty object', {}, /nothing to change/],
    ['a non-object', [1], /body/],
    ['a string weight', { containerWeight: '5' }, /containerWeight/],
    ['a fractional weight', { containerWeight: 1.5 }, /containerWeight/],
    ['a negative weight', { containerWeight: -1 }, /containerWeight/],
    ['a huge weight', { containerWeight: 1e12 }, /containerWeight/],
    ['limit -2', { containerLimit: -2 }, /containerLimit/],
    ['a null limit', { containerLimit: null }, /containerLimit/],
    ['a string boolean', { cordoned: 'true' }, /cordoned/],
    ['an unknown field', { containerWeight: 2, colour: 'red' }, /unknown field.*colour/],
    ['a read-only field', { alive: true }, /unknown field.*alive/],
  ])('rejects %s with 400 and writes nothing', async (_what, body, message) => {
    await insertHost(db(), 'host0');
    const before = (await t.req('GET', '/v1/hosts/host0')).body.host;
    const res = await t.req('PATCH', '/v1/hosts/host0', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(message), requestId: expect.any(String) });
    expect((await t.req('GET', '/v1/hosts/host0')).body.host).toEqual(before);
    expect(await dirty()).toEqual([]);
  });

  it.each([
    ['GET', undefined],
    ['PATCH', { cordoned: true }],
    ['DELETE', undefined],
  ])('%s of an unknown host is 404', async (method, body) => {
    const res = await t.req(method, '/v1/hosts/nope', body);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('nope') });
  });

  it('refuses to delete a live host or one with containers (409), else deletes it and its memberships', async () => {
    await insertHost(db(), 'live', { alive: true });
    await insertHost(db(), 'busy');
    await insertContainer(db(), { hostId: 'busy' });
    await insertHost(db(), 'gone');
    const group = (await t.req('POST', '/v1/host-groups', { name: 'az1', hostIds: ['gone', 'busy'] })).body.hostGroup;

    const live = await t.req('DELETE', '/v1/hosts/live');
    expect(live.status).toBe(409);
    expect(live.body.error.message).toMatch(/alive.*stop its agent/);
    const busy = await t.req('DELETE', '/v1/hosts/busy');
    expect(busy.status).toBe(409);
    expect(busy.body.error.message).toMatch(/1 container.*drain/);

    expect((await t.req('DELETE', '/v1/hosts/gone')).status).toBe(204);
    expect((await t.req('GET', '/v1/hosts/gone')).status).toBe(404);
    expect((await t.req('GET', '/v1/hosts')).body.hosts.map((h: { id: string }) => h.id)).toEqual(['busy', 'live']);
    expect((await t.req('GET', `/v1/host-groups/${group.id}`)).body.hostGroup.hostIds).toEqual(['busy']);
  });
});
