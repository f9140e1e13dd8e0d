import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { connectionBody, ok, vpnWorld } from '../../services/site-connections/test-kit';

const URL = '/v2.0/vpn/ikepolicies';

describe('/v2.0/vpn/ikepolicies', () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('creates with modern defaults, shows, lists, updates and deletes', async () => {
    const p = await ok(t.req('POST', URL, { ikepolicy: { name: 'ike-1' } }));
    expect(p).toMatchObject({
      name: 'ike-1', description: '', tenant_id: 'admin', project_id: 'admin',
      auth_algorithm: 'sha256', encryption_algorithm: 'aes-128', phase1_negotiation_mode: 'main',
      lifetime: { units: 'seconds', value: 3600 }, ike_version: 'v2', pfs: 'group14',
    });
    expect(await ok(t.req('GET', `${URL}/${p.id}`), 200)).toEqual(p);
    expect((await t.req('GET', `${URL}/${p.id}?fields=id&fields=pfs`)).body.ikepolicy).toEqual({ id: p.id, pfs: 'group14' });
    expect((await t.req('GET', `${URL}?name=ike-1`)).body.ikepolicies).toHaveLength(1);
    expect((await t.req('GET', `${URL}?name=other`)).body.ikepolicies).toHaveLength(0);
    const u = await ok(t.req('PUT', `${URL}/${p.id}`, { ikepolicy: { pfs: 'group19', lifetime: { value: 7200 }, ike_version: 'v1' } }), 200);
    expect(u).toMatchObject({ pfs: 'group19', lifetime: { units: 'seconds', value: 7200 }, ike_version: 'v1', auth_algorithm: 'sha256' });
    expect((await t.req('DELETE', `${URL}/${p.id}`)).status).toBe(204);
    const gone = await t.req('GET', `${URL}/${p.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.NeutronError.type).toBe('IKEPolicyNotFound');
  });

  it('accepts the older algorithm names for compatibility and any letter case', async () => {
    const p = await ok(t.req('POST', URL, { ikepolicy: { auth_algorithm: 'SHA1', encryption_algorithm: '3des', pfs: 'Group5', phase1_negotiation_mode: 'aggressive' } }));
    expect(p).toMatchObject({ auth_algorithm: 'sha1', encryption_algorithm: '3des', pfs: 'group5', phase1_negotiation_mode: 'aggressive' });
    const gcm = await ok(t.req('POST', URL, { ikepolicy: { encryption_algorithm: 'aes-256-gcm-16', auth_algorithm: 'aes-cmac', pfs: 'group31' } }));
    expect(gcm).toMatchObject({ encryption_algorithm: 'aes-256-gcm-16', auth_algorithm: 'aes-cmac', pfs: 'group31' });
  });

  it.each([
    ['an unknown auth algorithm', { auth_algorithm: 'md5' }, /auth_algorithm/],
    ['an unknown encryption algorithm', { encryption_algorithm: 'des' }, /encryption_algorithm/],
    ['an unknown pfs group', { pfs: 'group1' }, /pfs/],
    ['an unknown phase1 mode', { phase1_negotiation_mode: 'quick' }, /phase1_negotiation_mode/],
    ['an unknown ike version', { ike_version: 'v3' }, /ike_version/],
    ['a lifetime under 60 s', { lifetime: { value: 59 } }, /lifetime\.value: must be at least 60/],
    ['a fractional lifetime', { lifetime: { value: 100.5 } }, /lifetime\.value/],
    ['a kilobytes lifetime', { lifetime: { units: 'kilobytes', value: 3600 } }, /kilobytes' is not supported/],
    ['an unknown lifetime key', { lifetime: { value: 3600, seconds: 1 } }, /unknown field.*seconds/],
    ['an unknown field', { colour: 'red' }, /unknown field.*colour/],
    ['a read-only id', { id: 'x' }, /ikepolicy\.id: is read-only/],
    ['a wrong type', { name: 5 }, /ikepolicy\.name/],
  ])('rejects %s with 400 and writes nothing', async (_what, body, message) => {
    const res = await t.req('POST', URL, { ikepolicy: body });
    expect(res.status).toBe(400);
    expect(res.body.NeutronError.message).toMatch(message);
    expect((await t.req('GET', URL)).body.ikepolicies).toHaveLength(0);
  });

  it.each([
    ['malformed JSON', '{"ikepolicy": {', /not valid JSON/],
    ['a wrong envelope', { ipsecpolicy: {} }, /\{"ikepolicy"/],
    ['a non-object', [1, 2], /JSON object/],
  ])('rejects %s', async (_what, body, message) => {
    const res = await t.req('POST', URL, body);
    expect(res.status).toBe(400);
    expect(res.body.NeutronError.message).toMatch(message);
  });

  it('rejects a bad update with 400 and keeps the policy unchanged', async () => {
    const p = await ok(t.req('POST', URL, { ikepolicy: { name: 'keep' } }));
    for (const body of [{ pfs: 'group1' }, { tenant_id: 'other' }, { lifetime: { units: 'kilobytes' } }, { id: 'new' }]) {
      const res = await t.req('PUT', `${URL}/${p.id}`, { ikepolicy: body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
    expect((await t.req('PUT', `${URL}/${p.id}`, { ikepolicy: { tenant_id: 'x' } })).body.NeutronError.message).toMatch(/tenant_id: cannot be changed after creation/);
    expect(await ok(t.req('GET', `${URL}/${p.id}`), 200)).toEqual(p);
  });

  it('keeps tenants apart: 404 for another tenant, never 403', async () => {
    const a = await t.tenantToken('tenant-a');
    const b = await t.tenantToken('tenant-b');
    const p = await ok(t.req('POST', URL, { ikepolicy: { name: 'a-ike' } }, a));
    expect(p.tenant_id).toBe('tenant-a');
    for (const [method, body] of [['GET', undefined], ['PUT', { ikepolicy: { name: 'x' } }], ['DELETE', undefined]] as const) {
      const res = await t.req(method, `${URL}/${p.id}`, body, b);
      expect(res.status).toBe(404);
      expect(res.body.NeutronError.type).toBe('IKEPolicyNotFound');
    }
    expect((await t.req('GET', URL, undefined, b)).body.ikepolicies).toHaveLength(0);
    expect((await t.req('GET', URL)).body.ikepolicies).toHaveLength(1);
    expect((await t.req('POST', URL, { ikepolicy: { tenant_id: 'tenant-a' } }, b)).status).toBe(400);
    expect((await ok(t.req('POST', URL, { ikepolicy: { tenant_id: 'tenant-c' } }))).tenant_id).toBe('tenant-c');
  });

  it('refuses to delete or re-key a policy a connection uses (409 IKEPolicyInUse), but lets it be renamed', async () => {
    const w = await vpnWorld(t);
    await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token));
    const del = await t.req('DELETE', `${URL}/${w.ikeId}`, undefined, w.token);
    expect(del.status).toBe(409);
    expect(del.body.NeutronError.type).toBe('IKEPolicyInUse');
    const upd = await t.req('PUT', `${URL}/${w.ikeId}`, { ikepolicy: { encryption_algorithm: 'aes-256' } }, w.token);
    expect(upd.status).toBe(409);
    expect(upd.body.NeutronError.message).toMatch(/encryption_algorithm/);
    expect((await ok(t.req('PUT', `${URL}/${w.ikeId}`, { ikepolicy: { name: 'renamed' } }, w.token), 200)).name).toBe('renamed');
    expect((await ok(t.req('GET', `${URL}/${w.ikeId}`, undefined, w.token), 200)).encryption_algorithm).toBe('aes-128');
  });
});
