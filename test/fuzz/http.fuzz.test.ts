// Fuzzing the HTTP API: every route of the Hono route table (so a new route is covered the day it is added), with
// generated path parameters, query strings, bodies and tokens. No answer may be ≥ 500, and every rejection (4xx)
// must leave the database exactly as it was.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/harness';
import { vpnWorld, type VpnWorld } from '../../functions/services/site-connections/test-kit';
import { insertHost } from '../../functions/services/hosts/test-fixtures';
import { dumpDatabase, fuzzRuns } from './dump';

let t: TestApp;
let w: VpnWorld;
let ids: string[];
let routes: { method: string; path: string }[];

beforeAll(async () => {
  t = await createTestApp();
  w = await vpnWorld(t);
  await insertHost(t.deps.database.db, 'host0', { alive: true, lastSeenAt: Date.now() });
  ids = [w.topo.routerId, w.topo.localSubnetId, w.topo.localNetworkId, w.topo.externalNetworkId, w.ikeId, w.ipsecId, w.serviceId, w.localGroupId, w.peerGroupId, 'host0'];
  const seen = new Set<string>();
  routes = t.app.routes.filter((r) => r.method !== 'ALL').filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`));
});
afterAll(() => t?.close());

const weird = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', '..', '%', '%00', '\n', 'null', '-1', '0', '1e309', '[]', '{}', "' OR 1=1 --", '../../etc/passwd', 'a'.repeat(300), '2001:db8::5%x', '\u202e'),
);
const pathParam = () => fc.oneof(fc.constantFrom(...ids), weird);

/** A body: random JSON, a resource-shaped object with random fields, or bytes that are not JSON at all. */
const resourceKeys = ['network', 'subnet', 'router', 'ikepolicy', 'ipsecpolicy', 'vpnservice', 'endpoint_group', 'ipsec_site_connection', 'subnet_id', 'host', 'name', 'hostId', 'cordoned'];
const arbitraries = () => {
const fieldValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), pathParam(), fc.ipV4(), fc.ipV6(), fc.constantFrom('10.0.0.0/24', '::/0', '1.2.3.4/33', true, false, null, -1, 2 ** 53));
const body = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.dictionary(fc.constantFrom(...resourceKeys), fc.dictionary(fc.oneof(fc.constantFrom('name', 'id', 'tenant_id', 'router_id', 'subnet_id', 'network_id', 'cidr', 'ip_version', 'psk', 'peer_address', 'peer_id', 'peer_cidrs', 'endpoints', 'type', 'vpnservice_id', 'ikepolicy_id', 'ipsecpolicy_id', 'admin_state_up', 'mtu', 'external_gateway_info', 'router:external', 'lifetime', 'dpd', 'local_ep_group_id', 'peer_ep_group_id', 'initiator'), fc.string({ maxLength: 12 })), fieldValue, { maxKeys: 8 }), { maxKeys: 2 }).map((o) => JSON.stringify(o)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constant(undefined),
);
const query = fc.dictionary(fc.oneof(fc.constantFrom('fields', 'limit', 'marker', 'sort_key', 'sort_dir', 'page_reverse', 'tenant_id', 'name', 'id', 'host', 'status'), fc.string({ maxLength: 10 })), fc.oneof(weird, fc.constantFrom(...ids)), { maxKeys: 4 });
return { body, query };
};

describe('HTTP fuzzing (every route in the route table)', () => {
  it('answers every generated request below 500, and a rejection changes nothing', async () => {
    expect(routes.length).toBeGreaterThan(50);
    const runs = fuzzRuns(800);
    let cases = 0;
    const statuses = new Map<number, number>();
    const { body, query } = arbitraries();
    const request = fc.record({
      route: fc.constantFrom(...routes),
      params: fc.array(pathParam(), { minLength: 3, maxLength: 3 }),
      query,
      body,
      contentType: fc.constantFrom('application/json', 'application/json', 'text/plain', ''),
      token: fc.constantFrom('admin', 'admin', 'admin', 'tenant', 'garbage', 'none'),
    });
    const tenant = await t.tenantToken(w.topo.tenantId);
    await fc.assert(fc.asyncProperty(request, async (r) => {
      cases++;
      let i = 0;
      const path = r.route.path.replace(/:[A-Za-z]+/g, () => encodeURIComponent(r.params[i++]));
      const qs = new URLSearchParams(r.query).toString();
      const headers: Record<string, string> = {};
      if (r.token !== 'none') headers.authorization = `Bearer ${r.token === 'admin' ? 'admin-token-for-tests-0123456789' : r.token === 'tenant' ? tenant : 'x'.repeat(20)}`;
      if (r.contentType) headers['content-type'] = r.contentType;
      const before = await dumpDatabase(t.deps.database);
      const res = await t.app.request(`${path}${qs ? `?${qs}` : ''}`, { method: r.route.method, headers, body: r.route.method === 'GET' ? undefined : r.body });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      expect(res.status, `${r.route.method} ${path}?${qs} → ${res.status} ${text.slice(0, 300)}`).toBeLessThan(500);
      if (res.status >= 400) expect(await dumpDatabase(t.deps.database), `${r.route.method} ${path} → ${res.status} changed the database`).toBe(before);
    }), { numRuns: runs, seed: Number(process.env.BERTH_FUZZ_SEED ?? 20261204) });
    console.log(`http fuzz: ${cases} cases over ${routes.length} routes; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(cases).toBe(runs);
  }, 600_000);
});
