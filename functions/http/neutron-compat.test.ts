// Neutron compatibility through the real app: values Neutron's converters accept, and Neutron's list conventions
// (typed filters, OR of repeated parameters, sort_key/sort_dir, limit/marker/page_reverse with links).
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { connectionBody, legacyConnectionBody, ok, PSK, vpnWorld, type VpnWorld } from '../services/site-connections/test-kit';

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

// The same list conventions on every VPNaaS resource (they share neutron-resource.ts, which this proves rather than
// assumes): fields=, a filter by an attribute, sorting both ways, paging with links both ways, unknown filters 400.
describe('Neutron lists on every VPNaaS resource', () => {
  let t: TestApp;
  let w: VpnWorld;
  beforeAll(async () => {
    t = await createTestApp();
    w = await vpnWorld(t);
    await ok(t.req('POST', '/v2.0/vpn/ikepolicies', { ikepolicy: { name: 'ike-2', pfs: 'group19' } }, w.token));
    await ok(t.req('POST', '/v2.0/vpn/ipsecpolicies', { ipsecpolicy: { name: 'ipsec-2', pfs: 'group19' } }, w.token));
    await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token));
    await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', legacyConnectionBody(w), w.token));
  });
  afterAll(() => t.close());
  const get = (path: string) => t.req('GET', path, undefined, w.token);
  const pathOf = (href: string) => { const u = new globalThis.URL(href); return u.pathname + u.search; };

  it.each([
    ['vpn/ikepolicies', 'ikepolicies', 'pfs'],
    ['vpn/ipsecpolicies', 'ipsecpolicies', 'pfs'],
    ['vpn/vpnservices', 'vpnservices', 'router_id'],
    ['vpn/endpoint-groups', 'endpoint_groups', 'type'],
    ['vpn/ipsec-site-connections', 'ipsec_site_connections', 'vpnservice_id'],
  ])('%s: fields, filters, sorting, paging with links', async (path, plural, attr) => {
    const url = `/v2.0/${path}`;
    const all = (await get(`${url}?sort_key=name`)).body[plural] as any[];
    expect(all.length).toBeGreaterThanOrEqual(2);
    const names = all.map((x) => x.name);
    expect(names).toEqual([...names].sort());

    expect((await get(`${url}?fields=id&fields=name`)).body[plural]).toEqual(expect.arrayContaining(all.map((x) => ({ id: x.id, name: x.name }))));
    expect((await get(`${url}?fields=id,name`)).body[plural].every((x: any) => Object.keys(x).sort().join() === 'id,name')).toBe(true);
    const [a, b] = all;
    expect((await get(`${url}?name=${encodeURIComponent(b.name)}`)).body[plural].map((x: any) => x.id)).toEqual([b.id]);
    const byAttr = (await get(`${url}?${attr}=${encodeURIComponent(a[attr] ?? '')}`)).body[plural] as any[];
    expect(byAttr.map((x) => x.id)).toContain(a.id);
    expect(byAttr.every((x) => x[attr] === a[attr])).toBe(true);
    expect((await get(`${url}?sort_key=name&sort_dir=desc`)).body[plural].map((x: any) => x.name)).toEqual([...names].reverse());

    const first = (await get(`${url}?sort_key=name&limit=1`)).body;
    expect(first[plural].map((x: any) => x.id)).toEqual([a.id]);
    expect(first[`${plural}_links`].map((l: any) => l.rel)).toEqual(['next']);
    const second = (await get(pathOf(first[`${plural}_links`][0].href))).body;
    expect(second[plural].map((x: any) => x.id)).toEqual([b.id]);
    const previous = second[`${plural}_links`].find((l: any) => l.rel === 'previous');
    expect(new globalThis.URL(previous.href).searchParams.get('page_reverse')).toBe('True');
    expect((await get(pathOf(previous.href))).body[plural].map((x: any) => x.id)).toEqual([a.id]);

    expect((await get(`${url}?colour=red`)).status).toBe(400);
    expect((await get(`${url}?limit=1&marker=no-such-id`)).status).toBe(400);
  });

  it('never filters on a secret', async () => {
    const r = await get(`/v2.0/vpn/ipsec-site-connections?psk=${encodeURIComponent(PSK)}`);
    expect(r.status).toBe(400);
    expect(r.text).not.toContain(PSK);
  });
});
