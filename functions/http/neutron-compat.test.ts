// Neutron compatibility through the real app: values Neutron's converters accept, and Neutron's list conventions
// (typed filters, OR of repeated parameters, sort_key/sort_dir, limit/marker/page_reverse with links).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { legacyConnectionBody, ok, vpnWorld, type VpnWorld } from '../services/site-connections/test-kit';

describe('Neutron converters', () => {
  let t: TestApp;
  let w: VpnWorld;
  beforeEach(async () => {
    t = await createTestApp();
    w = await vpnWorld(t);
  });
  afterEach(() => t.close());

  it('takes a single CIDR, "1400", "False" and dpd values as strings, as Neutron does', async () => {
    const c = await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', legacyConnectionBody(w, {
      peer_cidrs: '192.168.2.0/24', mtu: '1400', admin_state_up: 'False', dpd: { action: 'hold', interval: '10', timeout: '40' },
    }), w.token));
    expect(c).toMatchObject({ peer_cidrs: ['192.168.2.0/24'], mtu: 1400, admin_state_up: false, dpd: { action: 'hold', interval: 10, timeout: 40 } });
    const u = await ok(t.req('PUT', `/v2.0/vpn/ipsec-site-connections/${c.id}`, { ipsec_site_connection: { mtu: ' 1300 ', admin_state_up: 1, dpd: null } }, w.token), 200);
    expect(u).toMatchObject({ mtu: 1300, admin_state_up: true, dpd: { action: 'hold', interval: 10, timeout: 40 } });
  });

  it('converts booleans, integers and lists on every resource that has them', async () => {
    const net = await ok(t.req('POST', '/v2.0/networks', { network: { name: 'ext2', 'router:external': 'true', admin_state_up: 'yes' } }));
    expect(net).toMatchObject({ 'router:external': true, admin_state_up: true });
    const sub = await ok(t.req('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '198.18.0.0/24', ip_version: '4' } }));
    expect(sub.ip_version).toBe(4);
    const eg = await ok(t.req('POST', '/v2.0/vpn/endpoint-groups', { endpoint_group: { type: 'cidr', endpoints: '10.7.0.0/16' } }, w.token));
    expect(eg.endpoints).toEqual(['10.7.0.0/16']);
    const ike = await ok(t.req('POST', '/v2.0/vpn/ikepolicies', { ikepolicy: { lifetime: { units: 'seconds', value: '7200' } } }, w.token));
    expect(ike.lifetime).toEqual({ units: 'seconds', value: 7200 });
    const ipsec = await ok(t.req('POST', '/v2.0/vpn/ipsecpolicies', { ipsecpolicy: { lifetime: null } }, w.token));
    expect(ipsec.lifetime).toEqual({ units: 'seconds', value: 3600 });
    const vpn = await ok(t.req('PUT', `/v2.0/vpn/vpnservices/${w.serviceId}`, { vpnservice: { admin_state_up: 'off' } }, w.token), 200);
    expect(vpn.admin_state_up).toBe(false);
  });

  it.each([
    ['an mtu that is no integer', { mtu: '14.5' }, /mtu: '14.5' is not an integer/],
    ['a boolean that is no boolean', { admin_state_up: 'maybe' }, /admin_state_up: 'maybe' cannot be converted to boolean/],
    ['a dpd interval that is no integer', { dpd: { interval: 'often' } }, /dpd\.interval: 'often' is not an integer/],
    ['a list of the wrong things', { peer_cidrs: 42 }, /peer_cidrs/],
  ])('still refuses %s with 400 and writes nothing', async (_what, overrides, message) => {
    const res = await t.req('POST', '/v2.0/vpn/ipsec-site-connections', legacyConnectionBody(w, overrides), w.token);
    expect(res.status).toBe(400);
    expect(res.body.NeutronError).toMatchObject({ type: 'HTTPBadRequest' });
    expect(res.body.NeutronError.message).toMatch(message);
    expect((await t.req('GET', '/v2.0/vpn/ipsec-site-connections')).body.ipsec_site_connections).toEqual([]);
  });
});

describe('Neutron lists', () => {
  let t: TestApp;
  const URL = '/v2.0/vpn/ikepolicies'; // (shadows the global URL: links are parsed with globalThis.URL)
  let ids: Record<string, string>;
  beforeEach(async () => {
    t = await createTestApp();
    ids = {};
    for (const [name, pfs] of [['d', 'group14'], ['b', 'group5'], ['e', 'group14'], ['a', 'group19'], ['c', 'group5']]) {
      ids[name] = (await ok(t.req('POST', URL, { ikepolicy: { name, pfs } }))).id;
    }
  });
  afterEach(() => t.close());
  const names = (body: any) => body.ikepolicies.map((p: any) => p.name);

  it('filters by any attribute, a repeated parameter being an OR, values typed as the attribute', async () => {
    expect(names((await t.req('GET', `${URL}?pfs=group5&sort_key=name`)).body)).toEqual(['b', 'c']);
    expect(names((await t.req('GET', `${URL}?name=a&name=e&sort_key=name`)).body)).toEqual(['a', 'e']);
    expect(names((await t.req('GET', `${URL}?pfs=group5&name=b`)).body)).toEqual(['b']);
    expect((await t.req('GET', '/v2.0/networks?router:external=True')).body.networks).toEqual([]);
    expect((await t.req('GET', '/v2.0/networks?admin_state_up=maybe')).status).toBe(400);
    const unknown = await t.req('GET', `${URL}?colour=red`);
    expect(unknown.status).toBe(400);
    expect(unknown.body.NeutronError.message).toMatch(/\[colour\] is invalid attribute for filtering/);
  });

  it('sorts by sort_key/sort_dir pairs and selects fields', async () => {
    expect(names((await t.req('GET', `${URL}?sort_key=name&sort_dir=desc`)).body)).toEqual(['e', 'd', 'c', 'b', 'a']);
    const two = (await t.req('GET', `${URL}?sort_key=pfs&sort_dir=asc&sort_key=name&sort_dir=desc&fields=name&fields=pfs`)).body.ikepolicies;
    expect(two).toEqual([
      { name: 'e', pfs: 'group14' }, { name: 'd', pfs: 'group14' }, { name: 'a', pfs: 'group19' }, { name: 'c', pfs: 'group5' }, { name: 'b', pfs: 'group5' },
    ]);
    for (const bad of ['sort_key=lifetime', 'sort_key=nope', 'sort_key=name&sort_dir=up', 'sort_key=name&sort_key=id&sort_dir=asc']) {
      expect((await t.req('GET', `${URL}?${bad}`)).status, bad).toBe(400);
    }
  });

  it('pages with limit and marker, forwards and backwards, with next and previous links', async () => {
    const first = (await t.req('GET', `${URL}?sort_key=name&limit=2`)).body;
    expect(names(first)).toEqual(['a', 'b']);
    expect(first.ikepolicies_links.map((l: any) => l.rel)).toEqual(['next']);
    const next = new globalThis.URL(first.ikepolicies_links[0].href);
    expect(next.searchParams.get('marker')).toBe(ids.b);
    const second = (await t.req('GET', next.pathname + next.search)).body;
    expect(names(second)).toEqual(['c', 'd']);
    expect(second.ikepolicies_links.map((l: any) => l.rel)).toEqual(['next', 'previous']);
    const prev = new globalThis.URL(second.ikepolicies_links.find((l: any) => l.rel === 'previous').href);
    expect(prev.searchParams.get('page_reverse')).toBe('True');
    const back = (await t.req('GET', prev.pathname + prev.search)).body;
    expect(names(back)).toEqual(['a', 'b']);
    expect(back.ikepolicies_links.map((l: any) => l.rel)).toEqual(['next']);
    const last = (await t.req('GET', `${URL}?sort_key=name&limit=2&marker=${ids.d}`)).body;
    expect(names(last)).toEqual(['e']);
    expect(last.ikepolicies_links.map((l: any) => l.rel)).toEqual(['previous']);
    expect((await t.req('GET', `${URL}?limit=0`)).body.ikepolicies).toHaveLength(5);
    expect((await t.req('GET', `${URL}?limit=-1`)).status).toBe(400);
    expect((await t.req('GET', `${URL}?limit=2&marker=no-such-id`)).status).toBe(400);
  });
});
