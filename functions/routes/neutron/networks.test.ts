import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';

describe('/v2.0/networks', () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('creates, shows, lists, updates and deletes a network', async () => {
    const created = await t.req('POST', '/v2.0/networks', { network: { name: 'public', 'router:external': true } });
    expect(created.status).toBe(201);
    expect(created.body.network).toMatchObject({ name: 'public', 'router:external': true, admin_state_up: true, tenant_id: 'admin', subnets: [] });
    const id = created.body.network.id;
    expect((await t.req('GET', `/v2.0/networks/${id}`)).body.network.id).toBe(id);
    expect((await t.req('GET', '/v2.0/networks?name=public')).body.networks).toHaveLength(1);
    expect((await t.req('GET', '/v2.0/networks?name=other')).body.networks).toHaveLength(0);
    expect((await t.req('GET', '/v2.0/networks?fields=id')).body.networks).toEqual([{ id }]);
    expect((await t.req('PUT', `/v2.0/networks/${id}`, { network: { name: 'ext' } })).body.network.name).toBe('ext');
    expect((await t.req('DELETE', `/v2.0/networks/${id}`)).status).toBe(204);
    const gone = await t.req('GET', `/v2.0/networks/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.NeutronError.type).toBe('NetworkNotFound');
  });

  it('keeps tenants apart (404, never 403) but shows external networks to all', async () => {
    const a = await t.tenantToken('tenant-a');
    const b = await t.tenantToken('tenant-b');
    const net = (await t.req('POST', '/v2.0/networks', { network: { name: 'a-net' } }, a)).body.network;
    expect(net.tenant_id).toBe('tenant-a');
    expect((await t.req('GET', `/v2.0/networks/${net.id}`, undefined, b)).status).toBe(404);
    expect((await t.req('PUT', `/v2.0/networks/${net.id}`, { network: { name: 'x' } }, b)).status).toBe(404);
    expect((await t.req('DELETE', `/v2.0/networks/${net.id}`, undefined, b)).status).toBe(404);
    expect((await t.req('GET', '/v2.0/networks', undefined, b)).body.networks).toHaveLength(0);
    await t.req('POST', '/v2.0/networks', { network: { name: 'public', 'router:external': true } });
    expect((await t.req('GET', '/v2.0/networks', undefined, b)).body.networks.map((n: any) => n.name)).toEqual(['public']);
    expect((await t.req('POST', '/v2.0/networks', { network: { 'router:external': true } }, b)).status).toBe(403);
  });

  it('rejects missing or bad tokens with 401', async () => {
    expect((await t.req('GET', '/v2.0/networks', undefined, 'nope')).status).toBe(401);
    const res = await t.app.request('/v2.0/networks');
    expect(res.status).toBe(401);
    expect((await res.json()).NeutronError.message).toMatch(/missing token/);
  });

  it('never echoes a malformed body back (it may hold a secret)', async () => {
    const res = await t.req('POST', '/v2.0/networks', '{"network": {"name": s3cret-psk}}');
    expect(res.status).toBe(400);
    expect(res.text).not.toContain('s3cret');
  });

  it.each([
    ['malformed JSON', '{"network": {', 400, /not valid JSON/],
    ['wrong envelope', { net: {} }, 400, /\{"network"/],
    ['wrong type', { network: { name: 5 } }, 400, /network\.name/],
    ['unknown field', { network: { colour: 'red' } }, 400, /unknown field.*colour/],
    ['oversize body', { network: { name: 'x'.repeat(70 * 1024) } }, 413, /larger than/],
  ])('rejects %s and writes nothing', async (_what, body, status, message) => {
    const res = await t.req('POST', '/v2.0/networks', body);
    expect(res.status).toBe(status);
    expect(res.body.NeutronError.message).toMatch(message);
    expect((await t.req('GET', '/v2.0/networks')).body.networks).toHaveLength(0);
  });
});
