import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { insertContainer, insertContainerGroup, insertHost } from '../../services/hosts/test-fixtures';

describe('/v1/container-groups', () => {
  let t: TestApp;
  const db = () => t.deps.database.db;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('lists and shows container groups', async () => {
    expect((await t.req('GET', '/v1/container-groups')).body).toEqual({ containerGroups: [] });
    await insertContainerGroup(db(), { id: 'cg-1', routerId: 'r-1' });
    await insertContainerGroup(db(), { id: 'cg-2', routerId: 'r-2', policy: 'weighted', antiAffinity: true });
    const list = (await t.req('GET', '/v1/container-groups')).body.containerGroups;
    expect(list).toEqual([
      { id: 'cg-1', policy: 'least', hostGroupId: null, portGroupId: null, antiAffinity: false, routerId: 'r-1' },
      { id: 'cg-2', policy: 'weighted', hostGroupId: null, portGroupId: null, antiAffinity: true, routerId: 'r-2' },
    ]);
    expect((await t.req('GET', '/v1/container-groups/cg-2')).body).toEqual({ containerGroup: list[1] });
  });

  it('PATCH changes policy and affinity, and never moves a placed container', async () => {
    await insertHost(db(), 'host0', { alive: true });
    const hg = (await t.req('POST', '/v1/host-groups', { name: 'az1' })).body.hostGroup;
    const cg = await insertContainerGroup(db());
    const c = await insertContainer(db(), { groupId: cg, hostId: 'host0', schedulerState: 'UP', status: 'RUNNING', placementGeneration: 3 });
    const before = (await t.req('GET', `/v1/containers/${c}`)).body.container;

    const res = await t.req('PATCH', `/v1/container-groups/${cg}`, { policy: 'weighted', hostGroupId: hg.id, antiAffinity: true });
    expect(res.status).toBe(200);
    expect(res.body.containerGroup).toMatchObject({ id: cg, policy: 'weighted', hostGroupId: hg.id, portGroupId: null, antiAffinity: true });
    expect((await t.req('GET', `/v1/container-groups/${cg}`)).body.containerGroup).toEqual(res.body.containerGroup);
    expect((await t.req('GET', `/v1/containers/${c}`)).body.container).toEqual(before);

    const cleared = await t.req('PATCH', `/v1/container-groups/${cg}`, { hostGroupId: null });
    expect(cleared.body.containerGroup).toMatchObject({ policy: 'weighted', hostGroupId: null, antiAffinity: true });
  });

  it.each([
    ['hostGroupId', '/v1/host-groups'],
    ['portGroupId', '/v1/port-groups'],
  ])('PATCH with an unknown %s is 404 and changes nothing', async (field) => {
    const cg = await insertContainerGroup(db());
    const res = await t.req('PATCH', `/v1/container-groups/${cg}`, { policy: 'weighted', [field]: 'nope' });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/group nope not found/);
    expect((await t.req('GET', `/v1/container-groups/${cg}`)).body.containerGroup.policy).toBe('least');
  });

  it.each([
    ['malformed JSON', '{"policy"', /not valid JSON/],
    ['an empty object', {}, /nothing to change/],
    ['an unknown policy', { policy: 'random' }, /policy/],
    ['a non-boolean antiAffinity', { antiAffinity: 1 }, /antiAffinity/],
    ['an empty hostGroupId', { hostGroupId: '' }, /hostGroupId/],
    ['a read-only routerId', { routerId: 'r-9' }, /unknown field.*routerId/],
    ['an unknown field', { colour: 'red' }, /unknown field.*colour/],
  ])('rejects %s with 400 and changes nothing', async (_what, body, message) => {
    const cg = await insertContainerGroup(db());
    const before = (await t.req('GET', `/v1/container-groups/${cg}`)).body.containerGroup;
    const res = await t.req('PATCH', `/v1/container-groups/${cg}`, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(message) });
    expect((await t.req('GET', `/v1/container-groups/${cg}`)).body.containerGroup).toEqual(before);
  });

  it.each([
    ['GET', undefined],
    ['PATCH', { policy: 'least' }],
  ])('%s of an unknown container group is 404', async (method, body) => {
    const res = await t.req(method, '/v1/container-groups/nope', body);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });

  it('has no POST or DELETE: groups belong to the translator', async () => {
    expect((await t.req('POST', '/v1/container-groups', { policy: 'least' })).status).toBe(404);
    const cg = await insertContainerGroup(db());
    expect((await t.req('DELETE', `/v1/container-groups/${cg}`)).status).toBe(404);
    expect((await t.req('GET', `/v1/container-groups/${cg}`)).status).toBe(200);
  });
});
