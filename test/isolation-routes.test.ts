// The HTTP isolation matrix (issue 9): every route the app registers × {admin, tenant A, tenant B, no token, a host's
// own MQTT secret, the fleet token, the read-only telemetry token}, generated from app.routes — a new route is in the matrix without anyone adding
// it, and a route whose outcome fits no rule below fails the test until someone decides what it should be.
// Tenant A owns one object of every Neutron resource (the seed VPN); tenant B must not see or touch any of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedVpn, type Api } from '../functions/node/seed-vpn';
import { ADMIN_TOKEN, createTestApp, type TestApp } from './helpers/harness';
import { insertContainer, insertContainerGroup } from '../functions/services/hosts/test-fixtures';
import { ROUTES } from '../functions/http/openapi/routes';
import { createMetrics } from '../functions/node/metrics';
import { IngestBatcher } from '../functions/ingest/batcher';
import { ingestHttp } from '../functions/ingest/http';
import { createApp } from '../functions/app';

type Caller = 'admin' | 'tenantA' | 'tenantB' | 'none' | 'hostSecret' | 'fleetToken' | 'telemetryToken';
const CALLERS: Caller[] = ['admin', 'tenantA', 'tenantB', 'none', 'hostSecret', 'fleetToken', 'telemetryToken'];

/**
 * Routes anyone may call (no tenant data): the ones the OpenAPI registry documents as public — liveness, the API
 * and protocol documents, the dashboard's page and assets (it asks for a token before reading anything).
 * POST /v1/agent-events is public in the sense that it checks its own credential (the control credential or the
 * admin token): it is mounted here as the Worker mounts it, and every other caller gets 401 there.
 */
const PUBLIC = new Set(ROUTES.filter((r) => r.api === 'public' && r.path !== '/v1/agent-events')
  .map((r) => `${r.method.toUpperCase()} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`));
/** Routes the registry marks admin-only (the operator API, GET /metrics): a tenant's token gets 403. */
const ADMIN_ONLY = new Set(ROUTES.filter((r) => r.adminOnly).map((r) => `${r.method.toUpperCase()} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`));
/** What the read-only telemetry token may read (a Prometheus scrape); everything else is 401 for it. */
const TELEMETRY_READS = new Set(['GET /metrics']);
/** /v1 routes a tenant may use, for its own objects only (none today: the operator API is the admin's). */
const TENANT_V1 = new Set<string>([]);

let t: TestApp;
/** The app with every optional route mounted (POST /v1/agent-events, as the Worker mounts it). */
let app: ReturnType<typeof createApp>;
const SELF_AUTHENTICATED = new Set(['POST /v1/agent-events']);
const tokens = {} as Record<Caller, string | undefined>;
/** Tenant A's object per collection path (e.g. /v2.0/networks → id). */
const ownedByA = new Map<string, string>();
/** Operator objects (/v1/host-groups → id). */
const operatorIds = new Map<string, string>();

/** The collection a route's :id belongs to: /v2.0/routers/:id/add_router_interface → /v2.0/routers. */
const collectionOf = (path: string) => path.split('/:id')[0];
const singular: Record<string, string> = {
  '/v2.0/networks': 'network', '/v2.0/subnets': 'subnet', '/v2.0/routers': 'router', '/v2.0/vpn/ikepolicies': 'ikepolicy',
  '/v2.0/vpn/ipsecpolicies': 'ipsecpolicy', '/v2.0/vpn/vpnservices': 'vpnservice', '/v2.0/vpn/endpoint-groups': 'endpoint_group',
  '/v2.0/vpn/ipsec-site-connections': 'ipsec_site_connection',
};

function fill(path: string): string {
  const id = ownedByA.get(collectionOf(path)) ?? ({ '/v1/hosts': 'host0', '/v1/containers': 'c-1', '/v1/container-groups': 'cg-1', '/v1/routers': ownedByA.get('/v2.0/routers') } as Record<string, string | undefined>)[collectionOf(path)] ?? operatorIds.get(collectionOf(path)) ?? 'x-1';
  return path.replace(':id', id).replace(':alias', 'vpnaas').replace(':hostId', 'host0').replace(':portId', operatorIds.get('port') ?? 'p-1');
}

/** A body that is valid in shape for the route, so the outcome is about who asks, not what they send. */
function bodyFor(method: string, path: string): unknown {
  if (method === 'GET' || method === 'DELETE') return undefined;
  if (path.endsWith('_router_interface')) return { subnet_id: ownedByA.get('/v2.0/subnets') };
  const res = singular[collectionOf(path)];
  if (res && method === 'PUT') return { [res]: { name: 'renamed' } };
  return {};
}

beforeAll(async () => {
  t = await createTestApp();
  app = createApp(t.deps, { agentEvents: async (c) => (await ingestHttp(c, { hearingWindowMs: 10_000 })).response });
  tokens.admin = undefined; // the harness default
  tokens.tenantA = await t.tenantToken('tenant-a');
  tokens.tenantB = await t.tenantToken('tenant-b');
  tokens.none = '';
  tokens.fleetToken = t.deps.config.agentToken;
  tokens.telemetryToken = t.deps.config.telemetryToken;
  // GET /metrics served for real: its series name tenant A's connections and VPN services (issue 9).
  t.deps.metrics = createMetrics({ database: t.deps.database, ingestStats: () => new IngestBatcher(t.deps).stats() });
  tokens.hostSecret = (await t.req('POST', '/v1/hosts/host0/token')).body.token.token;
  // Tenant A's objects, made by the admin on A's behalf (tenant_id) — external network included.
  const asAdminForA: Api = (method, path, body) => t.req(method, path, method === 'POST' && body && typeof body === 'object'
    ? Object.fromEntries(Object.entries(body).map(([k, v]) => [k, { ...(v as object), tenant_id: 'tenant-a' }])) : body);
  await createSeedVpn(asAdminForA, 'isolation-psk');
  await asAdminForA('POST', '/v2.0/vpn/endpoint-groups', { endpoint_group: { name: 'eg', type: 'cidr', endpoints: ['10.9.0.0/24'] } });
  for (const [collection, res] of Object.entries(singular)) {
    const list = (await t.req('GET', collection)).body[`${res === 'ipsec_site_connection' ? 'ipsec_site_connections' : res === 'endpoint_group' ? 'endpoint_groups' : res === 'ikepolicy' ? 'ikepolicies' : res === 'ipsecpolicy' ? 'ipsecpolicies' : `${res}s`}`];
    const mine = list.filter((o: { tenant_id: string }) => o.tenant_id === 'tenant-a');
    ownedByA.set(collection, mine[mine.length - 1].id);
  }
  // Router interface ports (GET /v2.0/ports) belong to the router's tenant.
  ownedByA.set('/v2.0/ports', (await t.req('GET', '/v2.0/ports')).body.ports.find((p: { tenant_id: string }) => p.tenant_id === 'tenant-a').id);
  operatorIds.set('/v1/host-groups', (await t.req('POST', '/v1/host-groups', { name: 'hg' })).body.hostGroup.id);
  operatorIds.set('/v1/port-groups', (await t.req('POST', '/v1/port-groups', { name: 'pg' })).body.portGroup.id);
  operatorIds.set('port', (await t.req('GET', `/v1/routers/${ownedByA.get('/v2.0/routers')}/southbound`)).body.ports[0].id);
  await insertContainerGroup(t.deps.database.db, { id: 'cg-1' });
  await insertContainer(t.deps.database.db, { id: 'c-1', groupId: 'cg-1' });
});
afterAll(() => t?.close());

async function call(caller: Caller, method: string, path: string) {
  const body = bodyFor(method, path);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = caller === 'admin' ? ADMIN_TOKEN : tokens[caller];
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await app.request(fill(path), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

/** The one outcome each caller must get (a status; 'served': anything but 401/403/404; 'public': no auth asked). */
function expected(caller: Caller, method: string, path: string): number | 'served' | 'public' {
  const key = `${method} ${path}`;
  if (PUBLIC.has(key)) return 'public';
  if (SELF_AUTHENTICATED.has(key)) return caller === 'admin' ? 'served' : 401;
  if (caller === 'telemetryToken') return TELEMETRY_READS.has(key) ? 'served' : 401;
  if (caller === 'none' || caller === 'hostSecret' || caller === 'fleetToken') return 401;
  if (caller === 'admin') return 'served';
  if (path.startsWith('/v1/') || ADMIN_ONLY.has(key)) {
    if (!TENANT_V1.has(key)) return 403;
    return caller === 'tenantA' ? 'served' : 404;
  }
  // Neutron routes: B never sees A's object (404, never 403: existence is not leaked); collections are B's own.
  if (path.includes(':id')) return caller === 'tenantA' ? 'served' : 404;
  return 'served';
}

describe('HTTP isolation matrix (generated from app.routes)', () => {
  it('covers every route × caller with its exact outcome; tenant B\'s lists hold none of A\'s objects', async () => {
    const routes = [...new Map(app.routes.filter((r) => r.method !== 'ALL').map((r) => [`${r.method} ${r.path}`, r])).values()];
    expect(routes.length).toBeGreaterThan(60);
    // Every documented route is in the matrix, the ones only some runtimes mount included (agent-events).
    const covered = new Set(routes.map((r) => `${r.method} ${r.path}`));
    expect(ROUTES.map((r) => `${r.method.toUpperCase()} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`).filter((k) => !covered.has(k))).toEqual([]);
    const table: string[] = [];
    // Mutating routes last, deletes at the very end, so every caller meets A's objects as they were.
    const order = (m: string) => ({ GET: 0, POST: 1, PATCH: 1, PUT: 1, DELETE: 2 }[m] ?? 1);
    const runs = routes.sort((a, b) => order(a.method) - order(b.method));
    const failures: string[] = [];
    for (const r of runs) {
      // Admin and tenant A last: their writes (a delete) must not change what the others meet.
      for (const caller of ['none', 'hostSecret', 'fleetToken', 'telemetryToken', 'tenantB', 'tenantA', 'admin'] as Caller[]) {
        if (r.method === 'DELETE' && (caller === 'admin' || caller === 'tenantA')) continue; // would remove what later rows need
        const got = await call(caller, r.method, r.path);
        const want = expected(caller, r.method, r.path);
        const ok = want === 'served' ? ![401, 403, 404].includes(got.status) : want === 'public' ? ![401, 403].includes(got.status) : got.status === want;
        table.push(`${r.method} ${r.path} ${caller} ${got.status}`);
        if (!ok) failures.push(`${r.method} ${r.path} as ${caller}: ${got.status} (want ${want}) ${got.text.slice(0, 120)}`);
        // A refusal says nothing of what it guards (a 404 names only the id that was asked for).
        if ([401, 403].includes(got.status)) for (const id of ownedByA.values()) if (got.text.includes(id)) failures.push(`${r.method} ${r.path} as ${caller}: ${got.status} carries tenant A's ${id}`);
        if (caller === 'admin' && r.method === 'GET' && r.path === '/metrics' && !got.text.includes('"host0"')) {
          failures.push('GET /metrics as admin does not show host0: the matrix would not notice the series leaking');
        }
        if (r.path === '/metrics' && got.status !== 200 && got.text.includes('host0')) failures.push(`GET /metrics as ${caller}: ${got.status} carries the series`);
        if (caller === 'tenantB' && r.method === 'GET' && !r.path.includes(':')) {
          for (const id of ownedByA.values()) if (got.text.includes(id)) failures.push(`${r.path} as tenantB lists tenant A's ${id}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(CALLERS.length * routes.length).toBeGreaterThan(table.length - 1);
  }, 120_000);
});
