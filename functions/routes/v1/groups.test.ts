// Host groups and port groups share one contract ({id, name, <members>}), so one table-driven suite covers both.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { attachInterface, insertNetwork, insertSubnet, seedTopology } from '../../../test/helpers/fixtures';
import type { Db } from '../../db/client';
import { hostGroupMembers, hostGroups, portGroupMembers, portGroups } from '../../db/schema';
import { insertContainerGroup, insertHost } from '../../services/hosts/test-fixtures';

interface Kind {
  base: string;
  one: string;
  many: string;
  members: 'hostIds' | 'portIds';
  memberPath: string;
  groupRef: 'hostGroupId' | 'portGroupId';
  /** Creates two members and returns their ids. */
  makeMembers(db: Db): Promise<[string, string]>;
  rowCounts(db: Db): Promise<[number, number]>;
}

const kinds: Kind[] = [
  {
    base: '/v1/host-groups', one: 'hostGroup', many: 'hostGroups', members: 'hostIds', memberPath: 'hosts', groupRef: 'hostGroupId',
    makeMembers: async (db) => [await insertHost(db, 'host-b'), await insertHost(db, 'host-a')],
    rowCounts: async (db) => [(await db.select().from(hostGroups)).length, (await db.select().from(hostGroupMembers)).length],
  },
  {
    base: '/v1/port-groups', one: 'portGroup', many: 'portGroups', members: 'portIds', memberPath: 'ports', groupRef: 'portGroupId',
    makeMembers: async (db) => {
      const seed = await seedTopology(db);
      const net = await insertNetwork(db, { tenantId: seed.tenantId });
      const sub = await insertSubnet(db, { tenantId: seed.tenantId, networkId: net, cidr: '10.0.0.0/24' });
      const p1 = await attachInterface(db, { tenantId: seed.tenantId, routerId: seed.routerId, subnetId: sub, address: '10.0.0.1', prefixLen: 24 });
      const [p0] = (await db.query.ports.findMany()).filter((p) => p.id !== p1);
      return [p0.id, p1];
    },
    rowCounts: async (db) => [(await db.select().from(portGroups)).length, (await db.select().from(portGroupMembers)).length],
  },
];

describe.each(kinds)('$base', (k) => {
  let t: TestApp;
  let m: [string, string];
  const db = () => t.deps.database.db;
  const sorted = () => [...m].sort();
  beforeEach(async () => {
    t = await createTestApp();
    m = await k.makeMembers(db());
  });
  afterEach(() => t.close());

  it('creates, shows, lists, renames and deletes a group', async () => {
    expect((await t.req('GET', k.base)).body).toEqual({ [k.many]: [] });
    const created = await t.req('POST', k.base, { name: 'az1', [k.members]: [m[0], m[1], m[0]] });
    expect(created.status).toBe(201);
    const g = created.body[k.one];
    expect(g).toEqual({ id: expect.any(String), name: 'az1', [k.members]: sorted() });
    const empty = (await t.req('POST', k.base, { name: 'az0' })).body[k.one];
    expect(empty[k.members]).toEqual([]);
    expect((await t.req('GET', `${k.base}/${g.id}`)).body).toEqual({ [k.one]: g });
    expect((await t.req('GET', k.base)).body[k.many].map((x: { name: string }) => x.name)).toEqual(['az0', 'az1']);
    const renamed = await t.req('PATCH', `${k.base}/${g.id}`, { name: 'zone-1' });
    expect(renamed.status).toBe(200);
    expect(renamed.body[k.one]).toEqual({ ...g, name: 'zone-1' });
    expect((await t.req('PATCH', `${k.base}/${g.id}`, { name: 'zone-1' })).status).toBe(200);
    expect((await t.req('DELETE', `${k.base}/${g.id}`)).status).toBe(204);
    expect((await t.req('GET', `${k.base}/${g.id}`)).status).toBe(404);
    expect(await k.rowCounts(db())).toEqual([1, 0]);
  });

  it('adds members idempotently with PUT and removes them with DELETE', async () => {
    const g = (await t.req('POST', k.base, { name: 'az1' })).body[k.one];
    const member = (id: string) => `${k.base}/${g.id}/${k.memberPath}/${encodeURIComponent(id)}`;
    for (let i = 0; i < 2; i++) {
      const put = await t.req('PUT', member(m[0]));
      expect(put.status).toBe(200);
      expect(put.body[k.one][k.members]).toEqual([m[0]]);
    }
    await t.req('PUT', member(m[1]));
    expect((await t.req('GET', `${k.base}/${g.id}`)).body[k.one][k.members]).toEqual(sorted());
    expect((await t.req('DELETE', member(m[0]))).status).toBe(204);
    expect((await t.req('GET', `${k.base}/${g.id}`)).body[k.one][k.members]).toEqual([m[1]]);
    const again = await t.req('DELETE', member(m[0]));
    expect(again.status).toBe(404);
    expect(again.body.error.message).toMatch(/is not a member/);
    for (const method of ['PUT', 'DELETE']) {
      const unknown = await t.req(method, member('nope'));
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.message).toMatch(/nope not found/);
      expect((await t.req(method, `${k.base}/no-group/${k.memberPath}/${m[0]}`)).status).toBe(404);
    }
  });

  it('keeps names unique (409) on create and rename', async () => {
    await t.req('POST', k.base, { name: 'az1' });
    const b = (await t.req('POST', k.base, { name: 'az2' })).body[k.one];
    const dup = await t.req('POST', k.base, { name: 'az1' });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/named 'az1' already exists/) });
    expect((await t.req('PATCH', `${k.base}/${b.id}`, { name: 'az1' })).status).toBe(409);
    expect((await t.req('GET', `${k.base}/${b.id}`)).body[k.one].name).toBe('az2');
  });

  it('refuses a group with an unknown member (404) and writes nothing', async () => {
    const res = await t.req('POST', k.base, { name: 'az1', [k.members]: [m[0], 'nope'] });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toMatch(/nope not found/);
    expect(await k.rowCounts(db())).toEqual([0, 0]);
  });

  it('refuses to delete a group a container group uses (409) until the reference is cleared', async () => {
    const g = (await t.req('POST', k.base, { name: 'az1', [k.members]: [m[0]] })).body[k.one];
    const cg = await insertContainerGroup(db(), { [k.groupRef]: g.id });
    const res = await t.req('DELETE', `${k.base}/${g.id}`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain(`container group ${cg}`);
    expect((await t.req('PATCH', `/v1/container-groups/${cg}`, { [k.groupRef]: null })).status).toBe(200);
    expect((await t.req('DELETE', `${k.base}/${g.id}`)).status).toBe(204);
    expect(await k.rowCounts(db())).toEqual([0, 0]);
  });

  it.each([
    ['malformed JSON', '{"name": ', /not valid JSON/],
    ['a missing name', {}, /name/],
    ['an empty name', { name: '' }, /name/],
    ['a blank name', { name: '   ' }, /name/],
    ['a name with a newline', { name: 'a\nb' }, /name/],
    ['a numeric name', { name: 5 }, /name/],
    ['members that are not a list', { name: 'x', [k.members]: 'a' }, new RegExp(`${k.members}: `)],
    ['a member id that is not a string', { name: 'x', [k.members]: [1] }, new RegExp(`${k.members}\\.0: `)],
    ['an unknown field', { name: 'x', colour: 'red' }, /unknown field.*colour/],
  ])('rejects %s on create with 400 and writes nothing', async (_what, body, message) => {
    const res = await t.req('POST', k.base, body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(message) });
    expect(await k.rowCounts(db())).toEqual([0, 0]);
  });

  it.each([
    ['an empty object', {}],
    ['a member list', { name: 'x', [k.members]: [] }],
  ])('rejects %s on PATCH with 400', async (_what, body) => {
    const g = (await t.req('POST', k.base, { name: 'az1' })).body[k.one];
    expect((await t.req('PATCH', `${k.base}/${g.id}`, body)).status).toBe(400);
    expect((await t.req('GET', `${k.base}/${g.id}`)).body[k.one].name).toBe('az1');
  });

  it.each(['GET', 'PATCH', 'DELETE'])('%s of an unknown group is 404', async (method) => {
    const res = await t.req(method, `${k.base}/nope`, method === 'PATCH' ? { name: 'x' } : undefined);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('NOT_FOUND');
  });
});
