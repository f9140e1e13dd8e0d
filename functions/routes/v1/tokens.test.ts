import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { apiTokens } from '../../db/schema';
import { sha256Hex } from '../../crypto';

describe('/v1/tokens', () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('issues a tenant token once, stores only its hash, and the token acts as that tenant', async () => {
    const res = await t.req('POST', '/v1/tokens', { tenantId: 'tenant-a' });
    expect(res.status).toBe(201);
    const issued = res.body.token;
    expect(issued).toEqual({ id: expect.any(String), tenantId: 'tenant-a', role: 'tenant', token: expect.stringMatching(/^[0-9a-f]{48}$/) });

    const [row] = await t.deps.database.db.select().from(apiTokens);
    expect(row.tokenHash).toBe(await sha256Hex(issued.token));
    expect(JSON.stringify(row)).not.toContain(issued.token);

    const listed = (await t.req('GET', '/v1/tokens')).body.tokens;
    expect(listed).toEqual([{ id: issued.id, tenantId: 'tenant-a', role: 'tenant', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) }]);
    expect(JSON.stringify(listed)).not.toContain(issued.token);
    expect(JSON.stringify(listed)).not.toContain(row.tokenHash);

    const net = await t.req('POST', '/v2.0/networks', { network: { name: 'mine' } }, issued.token);
    expect(net.status).toBe(201);
    expect(net.body.network.tenant_id).toBe('tenant-a');
    expect((await t.req('GET', '/v2.0/networks', undefined, issued.token)).body.networks.map((n: { name: string }) => n.name)).toEqual(['mine']);
    // A tenant token is not an operator token.
    expect((await t.req('GET', '/v1/tokens', undefined, issued.token)).status).toBe(403);
  });

  it('revokes a token: it no longer authenticates (401) and disappears from the list', async () => {
    const a = (await t.req('POST', '/v1/tokens', { tenantId: 'tenant-a' })).body.token;
    const b = (await t.req('POST', '/v1/tokens', { tenantId: 'tenant-b' })).body.token;
    expect(a.token).not.toBe(b.token);
    expect((await t.req('GET', '/v2.0/networks', undefined, a.token)).status).toBe(200);
    expect((await t.req('DELETE', `/v1/tokens/${a.id}`)).status).toBe(204);
    const denied = await t.req('GET', '/v2.0/networks', undefined, a.token);
    expect(denied.status).toBe(401);
    expect(denied.body.NeutronError.type).toBe('HTTPUnauthorized');
    expect((await t.req('GET', '/v2.0/networks', undefined, b.token)).status).toBe(200);
    expect((await t.req('GET', '/v1/tokens')).body.tokens.map((x: { id: string }) => x.id)).toEqual([b.id]);
    const again = await t.req('DELETE', `/v1/tokens/${a.id}`);
    expect(again.status).toBe(404);
    expect(again.body.error).toMatchObject({ code: 'NOT_FOUND', message: `token ${a.id} not found` });
  });

  it.each([
    ['malformed JSON', '{"tenantId": "a"', /not valid JSON/],
    ['an empty body', '', /body is empty/],
    ['a missing tenantId', {}, /tenantId/],
    ['an empty tenantId', { tenantId: '' }, /tenantId/],
    ['a tenantId with spaces', { tenantId: 'tenant a' }, /tenantId/],
    ['a numeric tenantId', { tenantId: 42 }, /tenantId/],
    ['a role', { tenantId: 'tenant-a', role: 'admin' }, /unknown field.*role/],
    ["the admin's own tenant", { tenantId: 'admin' }, /admin's own tenant/],
  ])('rejects %s with 400 and issues nothing', async (_what, body, message) => {
    const res = await t.req('POST', '/v1/tokens', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(message) });
    expect(await t.deps.database.db.select().from(apiTokens)).toEqual([]);
  });
});
