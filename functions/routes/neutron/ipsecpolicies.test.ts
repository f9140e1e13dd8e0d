import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { connectionBody, ok, vpnWorld } from '../../services/site-connections/test-kit';

const URL = '/v2.0/vpn/ipsecpolicies';

describe('/v2.0/vpn/ipsecpolicies', () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('creates with modern defaults, shows, lists, updates and deletes', async () => {
    const p = await ok(t.req('POST', URL, { ipsecpolicy: { name: 'ipsec-1' } }));
    expect(p).toMatchObject({
      name: 'ipsec-1', tenant_id: 'admin', transform_protocol: 'esp', auth_algorithm: 'sha256', encryption_algorithm: 'aes-128',
      encapsulation_mode: 'tunnel', lifetime: { units: 'seconds', value: 3600 }, pfs: 'group14',
    });
    expect(await ok(t.req('GET', `${URL}/${p.id}`), 200)).toEqual(p);
    expect((await t.req('GET', `${URL}?name=ipsec-1`)).body.ipsecpolicies).toHaveLength(1);
    expect((await t.req('GET', `${URL}?name=nope`)).body.ipsecpolicies).toHaveLength(0);
    const u = await ok(t.req('PUT', `${URL}/${p.id}`, { ipsecpolicy: { transform_protocol: 'ah', encapsulation_mode: 'transport', lifetime: { value: 600 } } }), 200);
    expect(u).toMatchObject({ transform_protocol: 'ah', encapsulation_mode: 'transport', lifetime: { units: 'seconds', value: 600 } });
    expect((await t.req('DELETE', `${URL}/${p.id}`)).status).toBe(204);
    const gone = await t.req('GET', `${URL}/${p.id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.NeutronError.type).toBe('IPsecPolicyNotFound');
  });

  it('accepts the older names for compatibility', async () => {
    const p = await ok(t.req('POST', URL, { ipsecpolicy: { auth_algorithm: 'sha1', encryption_algorithm: '3DES', pfs: 'group2' } }));
    expect(p).toMatchObject({ auth_algorithm: 'sha1', encryption_algorithm: '3des', pfs: 'group2' });
  });

  it.each([
    ['ah-esp (strongSwan cannot)', { transform_protocol: 'ah-esp' }, /ah-esp' is not supported/],
    ['an unknown transform protocol', { transform_protocol: 'gre' }, /transform_protocol/],
    ['an unknown encapsulation mode', { encapsulation_mode: 'tunnelled' }, /encapsulation_mode/],
    ['an unknown auth algorithm', { auth_algorithm: 'md5' }, /auth_algorithm/],
    ['an unknown encryption algorithm', { encryption_algorithm: 'blowfish' }, /encryption_algorithm/],
    ['an unknown pfs group', { pfs: 'group32' }, /pfs/],
    ['a lifetime under 60 s', { lifetime: { value: 10 } }, /at least 60/],
    ['a kilobytes lifetime', { lifetime: { units: 'kilobytes' } }, /kilobytes' is not supported/],
    ['an unknown field', { phase1_negotiation_mode: 'main' }, /unknown field.*phase1_negotiation_mode/],
  ])('rejects %s with 400 and writes nothing', async (_what, body, message) => {
    const res = await t.req('POST', URL, { ipsecpolicy: body });
    expect(res.status).toBe(400);
    expect(res.body.NeutronError.message).toMatch(message);
    expect((await t.req('GET', URL)).body.ipsecpolicies).toHaveLength(0);
  });

  it('rejects malformed bodies', async () => {
    expect((await t.req('POST', URL, '{"ipsecpolicy": [')).status).toBe(400);
    expect((await t.req('POST', URL, { ipsecpolicy: {}, extra: 1 })).status).toBe(400);
    expect((await t.req('POST', URL, { ipsecpolicy: 'esp' })).status).toBe(400);
  });

  it('keeps tenants apart: 404 for another tenant, never 403', async () => {
    const a = await t.tenantToken('tenant-a');
    const b = await t.tenantToken('tenant-b');
    const p = await ok(t.req('POST', URL, { ipsecpolicy: { name: 'a' } }, a));
    for (const [method, body] of [['GET', undefined], ['PUT', { ipsecpolicy: { name: 'x' } }], ['DELETE', undefined]] as const) {
      const res = await t.req(method, `${URL}/${p.id}`, body, b);
      expect(res.status).toBe(404);
      expect(res.body.NeutronError.type).toBe('IPsecPolicyNotFound');
    }
    expect((await t.req('GET', URL, undefined, b)).body.ipsecpolicies).toHaveLength(0);
    expect((await t.req('GET', URL, undefined, a)).body.ipsecpolicies).toHaveLength(1);
  });

  it('refuses to delete or change a policy a connection uses (409 IPsecPolicyInUse)', async () => {
    const w = await vpnWorld(t);
    const conn = await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token));
    const del = await t.req('DELETE', `${URL}/${w.ipsecId}`, undefined, w.token);
    expect(del.status).toBe(409);
    expect(del.body.NeutronError.type).toBe('IPsecPolicyInUse');
    expect((await t.req('PUT', `${URL}/${w.ipsecId}`, { ipsecpolicy: { pfs: 'group20' } }, w.token)).status).toBe(409);
    expect((await t.req('PUT', `${URL}/${w.ipsecId}`, { ipsecpolicy: { description: 'still fine' } }, w.token)).status).toBe(200);
    expect((await t.req('DELETE', `/v2.0/vpn/ipsec-site-connections/${conn.id}`, undefined, w.token)).status).toBe(204);
    expect((await t.req('DELETE', `${URL}/${w.ipsecId}`, undefined, w.token)).status).toBe(204);
  });
});
