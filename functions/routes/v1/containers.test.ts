import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { insertContainer, insertContainerEvent, insertContainerGroup } from '../../services/hosts/test-fixtures';

describe('/v1/containers', () => {
  let t: TestApp;
  const db = () => t.deps.database.db;
  const ids = async (path: string) => (await t.req('GET', path)).body.containers.map((c: { id: string }) => c.id);
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('lists and shows containers in the contract shape', async () => {
    expect((await t.req('GET', '/v1/containers')).body).toEqual({ containers: [] });
    const cg = await insertContainerGroup(db(), { id: 'cg-1' });
    await insertContainer(db(), {
      id: 'c-1', groupId: cg, portId: 'p-1', configurationId: 'r-1', hostId: 'host0', status: 'RUNNING',
      statusMessage: 'charon up', schedulerState: 'UP', namespace: 'vpn-0000abcd', interfaceName: 'vpn-0000abcd', placementGeneration: 2,
    });
    const expected = {
      id: 'c-1', groupId: 'cg-1', portId: 'p-1', serviceType: 'IPSEC', configurationId: 'r-1', hostId: 'host0', status: 'RUNNING',
      statusMessage: 'charon up', schedulerState: 'UP', namespace: 'vpn-0000abcd', interfaceName: 'vpn-0000abcd', placementGeneration: 2,
    };
    expect((await t.req('GET', '/v1/containers')).body.containers).toEqual([expected]);
    expect((await t.req('GET', '/v1/containers/c-1')).body).toEqual({ container: expected });
  });

  it('filters by hostId, status, schedulerState, groupId and configurationId', async () => {
    const cg = await insertContainerGroup(db(), { id: 'cg-x' });
    await insertContainer(db(), { id: 'a', hostId: 'host0', status: 'RUNNING', schedulerState: 'UP', groupId: cg, configurationId: 'r-a' });
    await insertContainer(db(), { id: 'b', hostId: 'host1', status: 'ERROR', schedulerState: 'SCHEDULED' });
    await insertContainer(db(), { id: 'c', hostId: null, status: null, schedulerState: 'DOWN' });
    expect(await ids('/v1/containers')).toEqual(['a', 'b', 'c']);
    expect(await ids('/v1/containers?hostId=host0')).toEqual(['a']);
    expect(await ids('/v1/containers?status=ERROR')).toEqual(['b']);
    expect(await ids('/v1/containers?schedulerState=DOWN')).toEqual(['c']);
    expect(await ids('/v1/containers?groupId=cg-x')).toEqual(['a']);
    expect(await ids('/v1/containers?configurationId=r-a')).toEqual(['a']);
    expect(await ids('/v1/containers?hostId=host1&status=RUNNING')).toEqual([]);
  });

  it.each([
    ['an unknown status', '?status=HAPPY', /query\.status/],
    ['an unknown scheduler state', '?schedulerState=up', /query\.schedulerState/],
    ['an empty hostId', '?hostId=', /query\.hostId/],
    ['an unknown parameter', '?host=host0', /unknown field.*'host'/],
  ])('rejects %s with 400', async (_what, query, message) => {
    const res = await t.req('GET', `/v1/containers${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(message) });
  });

  it('shows the event history oldest first, in the order it was written', async () => {
    const c = await insertContainer(db());
    const other = await insertContainer(db());
    const t0 = Date.UTC(2026, 0, 1);
    await insertContainerEvent(db(), c, { at: t0, type: 'SCHEDULED', hostId: 'host0', reason: 'least: fewest containers' });
    await insertContainerEvent(db(), other, { at: t0, type: 'SCHEDULED', hostId: 'host9' });
    await insertContainerEvent(db(), c, { at: t0 + 1500, type: 'RESCHEDULED', hostId: 'host1', reason: 'host0 dead' });
    // Same millisecond as the previous one: write order still decides.
    await insertContainerEvent(db(), c, { at: t0 + 1500, type: 'UP', hostId: 'host1' });
    const res = await t.req('GET', `/v1/containers/${c}/events`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      events: [
        { at: '2026-01-01T00:00:00.000Z', type: 'SCHEDULED', hostId: 'host0', reason: 'least: fewest containers' },
        { at: '2026-01-01T00:00:01.500Z', type: 'RESCHEDULED', hostId: 'host1', reason: 'host0 dead' },
        { at: '2026-01-01T00:00:01.500Z', type: 'UP', hostId: 'host1', reason: '' },
      ],
    });
    expect((await t.req('GET', `/v1/containers/${await insertContainer(db())}/events`)).body).toEqual({ events: [] });
  });

  it.each(['/v1/containers/nope', '/v1/containers/nope/events'])('GET %s is 404', async (path) => {
    const res = await t.req('GET', path);
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', message: 'container nope not found' });
  });
});
