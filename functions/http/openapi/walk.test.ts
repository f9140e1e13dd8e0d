// Walks the OpenAPI document: calls every documented path of the app with a real request against a real
// database, and checks the answer has the documented success status and matches the documented response schema
// (the same zod schema the document is generated from). A route with no step here fails the test.
import Ajv2020 from 'ajv/dist/2020';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { ports } from '../../db/schema/southbound';
import { nodeDocsAssets } from '../../node/docs-assets';
import { insertContainer, insertContainerGroup, insertHost } from '../../services/hosts/test-fixtures';
import { connectionBody, vpnWorld, type VpnWorld } from '../../services/site-connections/test-kit';
import { errorStatuses } from './registry';
import { OPTIONAL_ROUTES, ROUTES } from './routes';

/** Ids made along the walk (created by earlier steps). */
type Ids = Record<string, string>;
interface Step { path: (ids: Ids) => string; body?: (ids: Ids, w: VpnWorld) => unknown; save?: (body: any, ids: Ids) => void }

const n = '/v2.0';
/** In walk order: creates, reads, updates, then deletes (children before parents). Keyed "method /documented/path". */
const STEPS: [string, Step][] = [
  ['post /v2.0/networks', { path: () => `${n}/networks`, body: () => ({ network: { name: 'walk', admin_state_up: 'true' } }), save: (b, i) => { i.net = b.network.id; } }],
  ['post /v2.0/subnets', { path: () => `${n}/subnets`, body: (i) => ({ subnet: { network_id: i.net, cidr: '10.50.0.0/24', ip_version: '4' } }), save: (b, i) => { i.sub = b.subnet.id; } }],
  ['post /v2.0/routers', { path: () => `${n}/routers`, body: () => ({ router: { name: 'walk' } }), save: (b, i) => { i.router = b.router.id; } }],
  ['put /v2.0/routers/{id}/add_router_interface', { path: (i) => `${n}/routers/${i.router}/add_router_interface`, body: (i) => ({ subnet_id: i.sub }) }],
  ['put /v2.0/routers/{id}/remove_router_interface', { path: (i) => `${n}/routers/${i.router}/remove_router_interface`, body: (i) => ({ subnet_id: i.sub }) }],
  ['post /v2.0/vpn/ikepolicies', { path: () => `${n}/vpn/ikepolicies`, body: () => ({ ikepolicy: { name: 'walk' } }), save: (b, i) => { i.ike = b.ikepolicy.id; } }],
  ['post /v2.0/vpn/ipsecpolicies', { path: () => `${n}/vpn/ipsecpolicies`, body: () => ({ ipsecpolicy: { name: 'walk' } }), save: (b, i) => { i.ipsec = b.ipsecpolicy.id; } }],
  ['post /v2.0/vpn/vpnservices', { path: () => `${n}/vpn/vpnservices`, body: (_i, w) => ({ vpnservice: { router_id: w.topo.routerId } }), save: (b, i) => { i.vpn = b.vpnservice.id; } }],
  ['post /v2.0/vpn/endpoint-groups', { path: () => `${n}/vpn/endpoint-groups`, body: () => ({ endpoint_group: { type: 'cidr', endpoints: '10.60.0.0/16' } }), save: (b, i) => { i.eg = b.endpoint_group.id; } }],
  ['post /v2.0/vpn/ipsec-site-connections', { path: () => `${n}/vpn/ipsec-site-connections`, body: (_i, w) => connectionBody(w), save: (b, i) => { i.conn = b.ipsec_site_connection.id; } }],
  ['get /v2.0/ports', { path: () => `${n}/ports?device_id=ROUTER` }],
  ['get /v2.0/ports/{id}', { path: () => `${n}/ports/PORT` }],
  ['get /v2.0/extensions', { path: () => `${n}/extensions` }],
  ['get /v2.0/extensions/{alias}', { path: () => `${n}/extensions/vpnaas` }],
  ['post /v1/host-groups', { path: () => '/v1/host-groups', body: () => ({ name: 'walk' }), save: (b, i) => { i.hg = b.hostGroup.id; } }],
  ['post /v1/port-groups', { path: () => '/v1/port-groups', body: () => ({ name: 'walk' }), save: (b, i) => { i.pg = b.portGroup.id; } }],
  ['post /v1/tokens', { path: () => '/v1/tokens', body: () => ({ tenantId: 'walker' }), save: (b, i) => { i.token = b.token.id; } }],
  ['put /v1/host-groups/{id}/hosts/{hostId}', { path: (i) => `/v1/host-groups/${i.hg}/hosts/host0` }],
  ['put /v1/port-groups/{id}/ports/{portId}', { path: (i) => `/v1/port-groups/${i.pg}/ports/PORT` }],
  ['post /v1/hosts/{id}/token', { path: () => '/v1/hosts/host2/token' }],
  ['post /v1/hosts/{id}/drain', { path: () => '/v1/hosts/host1/drain', body: () => ({ maxParallel: 1 }) }],
  ['post /v1/rebalance', { path: () => '/v1/rebalance', body: () => ({ dryRun: true }) }],
  ...(['networks', 'subnets', 'routers', 'vpn/ikepolicies', 'vpn/ipsecpolicies', 'vpn/vpnservices', 'vpn/endpoint-groups', 'vpn/ipsec-site-connections'] as const)
    .flatMap((res): [string, Step][] => {
      const id = { networks: 'net', subnets: 'sub', routers: 'router', 'vpn/ikepolicies': 'ike', 'vpn/ipsecpolicies': 'ipsec', 'vpn/vpnservices': 'vpn', 'vpn/endpoint-groups': 'eg', 'vpn/ipsec-site-connections': 'conn' }[res];
      const singular = { networks: 'network', subnets: 'subnet', routers: 'router', 'vpn/ikepolicies': 'ikepolicy', 'vpn/ipsecpolicies': 'ipsecpolicy', 'vpn/vpnservices': 'vpnservice', 'vpn/endpoint-groups': 'endpoint_group', 'vpn/ipsec-site-connections': 'ipsec_site_connection' }[res];
      return [
        [`get /v2.0/${res}`, { path: () => `${n}/${res}?sort_key=name&limit=1` }],
        [`get /v2.0/${res}/{id}`, { path: (i) => `${n}/${res}/${i[id]}` }],
        [`put /v2.0/${res}/{id}`, { path: (i) => `${n}/${res}/${i[id]}`, body: () => ({ [singular]: { name: 'walked' } }) }],
      ];
    }),
  ['get /v1/hosts', { path: () => '/v1/hosts' }],
  ['get /v1/hosts/{id}', { path: () => '/v1/hosts/host0' }],
  ['patch /v1/hosts/{id}', { path: () => '/v1/hosts/host0', body: () => ({ containerWeight: 2 }) }],
  ['get /v1/hosts/{id}/drain', { path: () => '/v1/hosts/host1/drain' }],
  ['get /v1/host-groups', { path: () => '/v1/host-groups' }],
  ['get /v1/host-groups/{id}', { path: (i) => `/v1/host-groups/${i.hg}` }],
  ['patch /v1/host-groups/{id}', { path: (i) => `/v1/host-groups/${i.hg}`, body: () => ({ name: 'walked' }) }],
  ['get /v1/port-groups', { path: () => '/v1/port-groups' }],
  ['get /v1/port-groups/{id}', { path: (i) => `/v1/port-groups/${i.pg}` }],
  ['patch /v1/port-groups/{id}', { path: (i) => `/v1/port-groups/${i.pg}`, body: () => ({ name: 'walked' }) }],
  ['get /v1/container-groups', { path: () => '/v1/container-groups' }],
  ['get /v1/container-groups/{id}', { path: () => '/v1/container-groups/cg-walk' }],
  ['patch /v1/container-groups/{id}', { path: () => '/v1/container-groups/cg-walk', body: () => ({ policy: 'least' }) }],
  ['get /v1/containers', { path: () => '/v1/containers?hostId=host0' }],
  ['get /v1/containers/{id}', { path: () => '/v1/containers/c-walk' }],
  ['get /v1/containers/{id}/events', { path: () => '/v1/containers/c-walk/events' }],
  ['get /v1/containers/{id}/explain', { path: () => '/v1/containers/c-walk/explain' }],
  ['put /v1/containers/{id}/host', { path: () => '/v1/containers/c-walk/host', body: () => ({ hostId: 'host0' }) }],
  ['delete /v1/containers/{id}/host', { path: () => '/v1/containers/c-walk/host' }],
  ['get /v1/tokens', { path: () => '/v1/tokens' }],
  ['get /v1/routers/{id}/southbound', { path: (_i) => '/v1/routers/ROUTER/southbound' }],
  ['get /v1/events', { path: () => '/v1/events?since=0' }],
  ['get /v1/topology', { path: () => '/v1/topology' }],
  ['get /', { path: () => '/' }],
  ['get /dashboard/app.js', { path: () => '/dashboard/app.js' }],
  ['get /dashboard/app.css', { path: () => '/dashboard/app.css' }],
  ['get /asyncapi.json', { path: () => '/asyncapi.json' }],
  ['get /healthz', { path: () => '/healthz' }],
  ['get /metrics', { path: () => '/metrics' }],
  ['get /openapi.json', { path: () => '/openapi.json' }],
  ['get /docs', { path: () => '/docs' }],
  ['get /docs/{file}', { path: () => '/docs/swagger-ui.css' }],
  ['delete /v2.0/vpn/ipsec-site-connections/{id}', { path: (i) => `${n}/vpn/ipsec-site-connections/${i.conn}` }],
  ['delete /v2.0/vpn/endpoint-groups/{id}', { path: (i) => `${n}/vpn/endpoint-groups/${i.eg}` }],
  ['delete /v2.0/vpn/vpnservices/{id}', { path: (i) => `${n}/vpn/vpnservices/${i.vpn}` }],
  ['delete /v2.0/vpn/ikepolicies/{id}', { path: (i) => `${n}/vpn/ikepolicies/${i.ike}` }],
  ['delete /v2.0/vpn/ipsecpolicies/{id}', { path: (i) => `${n}/vpn/ipsecpolicies/${i.ipsec}` }],
  ['delete /v2.0/routers/{id}', { path: (i) => `${n}/routers/${i.router}` }],
  ['delete /v2.0/subnets/{id}', { path: (i) => `${n}/subnets/${i.sub}` }],
  ['delete /v2.0/networks/{id}', { path: (i) => `${n}/networks/${i.net}` }],
  ['delete /v1/host-groups/{id}/hosts/{hostId}', { path: (i) => `/v1/host-groups/${i.hg}/hosts/host0` }],
  ['delete /v1/host-groups/{id}', { path: (i) => `/v1/host-groups/${i.hg}` }],
  ['delete /v1/port-groups/{id}/ports/{portId}', { path: (i) => `/v1/port-groups/${i.pg}/ports/PORT` }],
  ['delete /v1/port-groups/{id}', { path: (i) => `/v1/port-groups/${i.pg}` }],
  ['delete /v1/tokens/{id}', { path: (i) => `/v1/tokens/${i.token}` }],
  ['delete /v1/hosts/{id}', { path: () => '/v1/hosts/dead0' }],
];

describe('walking /openapi.json', () => {
  let t: TestApp;
  let w: VpnWorld;
  let portId: string;
  beforeAll(async () => {
    t = await createTestApp();
    w = await vpnWorld(t);
    const db = t.deps.database.db;
    const now = Date.now();
    await insertHost(db, 'host0', { alive: true, lastHeartbeatAt: now });
    await insertHost(db, 'host1', { alive: true, lastHeartbeatAt: now });
    await insertHost(db, 'dead0', { alive: false });
    await insertContainerGroup(db, { id: 'cg-walk' });
    await insertContainer(db, { id: 'c-walk', groupId: 'cg-walk', hostId: 'host0', status: 'RUNNING', schedulerState: 'UP' });
    const [port] = await db.select({ id: ports.id }).from(ports).where(eq(ports.kind, 'router_interface')).limit(1);
    portId = port.id;
    t.deps.metrics = async () => 'berth_walk 1\n';
    t.deps.docsAssets = nodeDocsAssets();
  });
  afterAll(() => t.close());

  it('has a step for every documented route the app serves', () => {
    const stepped = new Set(STEPS.map(([k]) => k));
    const missing = ROUTES.map((r) => `${r.method} ${r.path}`).filter((k) => !stepped.has(k) && !OPTIONAL_ROUTES.has(k));
    expect(missing, 'add a step for these to STEPS in functions/http/openapi/walk.test.ts').toEqual([]);
  });

  it('calls each path and gets the documented status and response shape', async () => {
    const ids: Ids = {};
    const doc = (await t.req('GET', '/openapi.json')).body;
    const ajv = new Ajv2020({ strict: false });
    const byKey = new Map(ROUTES.map((r) => [`${r.method} ${r.path}`, r]));
    for (const [k, step] of STEPS) {
      const route = byKey.get(k);
      expect(route, `${k} is walked but not documented`).toBeDefined();
      const path = step.path(ids).replace('ROUTER', w.topo.routerId).replace('PORT', portId);
      const body = step.body?.(ids, w);
      const res = await t.req(route!.method.toUpperCase(), path, body);
      expect(res.status, `${k} → ${res.text.slice(0, 300)}`).toBe(route!.status);
      if (route!.response) {
        const parsed = route!.response.safeParse(res.body);
        expect(parsed.success, `${k}: the answer does not match its zod schema: ${parsed.error?.message}`).toBe(true);
        // …and the JSON Schema the served document gives for it (what a generated client would check).
        const [method, docPath] = k.split(' ');
        const schema = doc.paths[docPath][method].responses[route!.status].content['application/json'].schema;
        const valid = ajv.validate(schema, res.body);
        expect(valid, `${k}: the answer does not match /openapi.json: ${ajv.errorsText()}`).toBe(true);
      }
      step.save?.(res.body, ids);
    }
  });

  it('answers an unknown id on every {id} path with a documented error status and error body', async () => {
    const unknown: Ids = new Proxy({}, { get: () => 'no-such-id' });
    const byKey = new Map(ROUTES.map((r) => [`${r.method} ${r.path}`, r]));
    for (const [k, step] of STEPS) {
      const route = byKey.get(k)!;
      // The host token route creates the host record when it is unknown (DESIGN section 8): no error to expect.
      if (!route.path.includes('{') || k === 'post /v1/hosts/{id}/token') continue;
      const path = step.path(unknown).replace('ROUTER', 'no-such-router').replace('PORT', 'no-such-port').replace(/host[01]|dead0|c-walk|cg-walk|vpnaas|swagger-ui\.css/, 'no-such-id');
      const res = await t.req(route.method.toUpperCase(), path, step.body?.(unknown, w));
      expect(errorStatuses(route), `${k} → ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
      expect(res.body, k).toHaveProperty(route.api === 'neutron' ? 'NeutronError.type' : 'error.code');
    }
  });
});
