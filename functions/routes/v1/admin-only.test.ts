// Every /v1 route owned by the operator API answers a tenant with 403 and changes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { insertContainer, insertContainerGroup, insertHost } from '../../services/hosts/test-fixtures';

describe('/v1 is admin-only', () => {
  let t: TestApp;
  let tenant: string;
  beforeEach(async () => {
    t = await createTestApp();
    tenant = await t.tenantToken('tenant-a');
    const db = t.deps.database.db;
    await insertHost(db, 'host0');
    await insertContainerGroup(db, { id: 'cg-1' });
    await insertContainer(db, { id: 'c-1', groupId: 'cg-1' });
    await t.req('POST', '/v1/host-groups', { name: 'hg' });
    await t.req('POST', '/v1/port-groups', { name: 'pg' });
  });
  afterEach(() => t.close());

  it.each([
    ['GET', '/v1/hosts', undefined],
    ['GET', '/v1/hosts/host0', undefined],
    ['PATCH', '/v1/hosts/host0', { cordoned: true }],
    ['DELETE', '/v1/hosts/host0', undefined],
    ['GET', '/v1/host-groups', undefined],
    ['POST', '/v1/host-groups', { name: 'x' }],
    ['PUT', '/v1/host-groups/any/hosts/host0', undefined],
    ['DELETE', '/v1/host-groups/any', undefined],
    ['GET', '/v1/port-groups', undefined],
    ['POST', '/v1/port-groups', { name: 'x' }],
    ['DELETE', '/v1/port-groups/any/ports/p', undefined],
    ['GET', '/v1/container-groups', undefined],
    ['PATCH', '/v1/container-groups/cg-1', { policy: 'weighted' }],
    ['GET', '/v1/containers', undefined],
    ['GET', '/v1/containers/c-1', undefined],
    ['GET', '/v1/containers/c-1/events', undefined],
    ['GET', '/v1/tokens', undefined],
    ['POST', '/v1/tokens', { tenantId: 'tenant-a' }],
    ['DELETE', '/v1/tokens/any', undefined],
  ])('%s %s with a tenant token is 403', async (method, path, body) => {
    const before = await Promise.all(['/v1/hosts', '/v1/host-groups', '/v1/port-groups', '/v1/container-groups', '/v1/tokens'].map((p) => t.req('GET', p)));
    const res = await t.req(method, path, body, tenant);
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', requestId: expect.any(String) });
    const after = await Promise.all(['/v1/hosts', '/v1/host-groups', '/v1/port-groups', '/v1/container-groups', '/v1/tokens'].map((p) => t.req('GET', p)));
    expect(after.map((r) => r.body)).toEqual(before.map((r) => r.body));
  });

  it('without a token is 401', async () => {
    const res = await t.app.request('/v1/hosts');
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('UNAUTHENTICATED');
  });
});
