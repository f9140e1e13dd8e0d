// The registry is complete (every app route is documented, nothing documented is missing from the app) and the
// document it makes is valid OpenAPI 3.1, served at /openapi.json; /docs serves Swagger UI from the package.
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { nodeDocsAssets } from '../../node/docs-assets';
import { buildOpenApi } from './document';
import { openApiPath } from './registry';
import { OPTIONAL_ROUTES, ROUTES } from './routes';

const key = (method: string, path: string) => `${method.toLowerCase()} ${path}`;

describe('the OpenAPI registry', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(() => t.close());

  it('documents every route the app serves', () => {
    const registered = new Set(ROUTES.map((r) => key(r.method, r.path)));
    const served = [...new Set(t.app.routes.filter((r) => r.method !== 'ALL').map((r) => key(r.method, openApiPath(r.path))))];
    const missing = served.filter((k) => !registered.has(k));
    const hint = (k: string) => {
      const [method, path] = k.split(' ');
      return `  ${k.toUpperCase().split(' ')[0]} ${path}: add to ROUTES in functions/http/openapi/routes.ts\n` +
        `    { method: '${method}', path: '${path}', api: '${path.startsWith('/v2.0') ? 'neutron' : path.startsWith('/v1') ? 'operator' : 'public'}', summary: '…', ` +
        `request: <the zod schema the handler validates its body with, if any>, response: <zod schema of the answer>, status: <success status>, errors: [<other statuses>] },\n` +
        `    and a step for it in functions/http/openapi/walk.test.ts`;
    };
    expect(missing, `routes served but not in the OpenAPI registry:\n${missing.map(hint).join('\n')}`).toEqual([]);
  });

  it('lists no route the app lacks (except those only some runtimes mount)', () => {
    const served = new Set(t.app.routes.map((r) => key(r.method, openApiPath(r.path))));
    const stale = ROUTES.map((r) => key(r.method, r.path)).filter((k) => !served.has(k) && !OPTIONAL_ROUTES.has(k));
    expect(stale, 'registered in functions/http/openapi/routes.ts but not served by createApp: remove them or mount them').toEqual([]);
  });

  it('makes a valid OpenAPI 3.1 document, served at /openapi.json without a token', async () => {
    const doc = buildOpenApi();
    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)?.slice(0, 2000)).toEqual([]);
    expect(result.valid).toBe(true);
    const res = await t.app.request('/openapi.json');
    expect(res.status).toBe(200);
    const served = await res.json();
    expect(served.openapi).toBe('3.1.0');
    expect(Object.keys(served.paths)).toEqual(expect.arrayContaining(['/v2.0/vpn/ipsec-site-connections/{id}', '/v1/hosts/{id}/drain']));
  });

  it('documents a request with the schema that validates it, converters and defaults included', () => {
    const doc = buildOpenApi() as any;
    const create = doc.paths['/v2.0/vpn/ipsec-site-connections'].post;
    const body = create.requestBody.content['application/json'].schema.properties.ipsec_site_connection;
    expect(body.required).toEqual(expect.arrayContaining(['vpnservice_id', 'ikepolicy_id', 'ipsecpolicy_id', 'peer_address', 'peer_id', 'psk']));
    expect(body.properties.mtu).toMatchObject({ type: 'integer', maximum: 65535 });
    expect(body.properties.mtu.description).toMatch(/convert_to_int/);
    expect(body.properties.initiator.enum).toEqual(['bi-directional', 'response-only']);
    expect(body.additionalProperties).toBe(false);
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '404', '409']));
    expect(create.responses['400'].content['application/json'].schema.$ref).toBe('#/components/schemas/NeutronError');
    const list = doc.paths['/v2.0/vpn/ipsec-site-connections'].get;
    expect(list.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['fields', 'sort_key', 'sort_dir', 'limit', 'marker', 'page_reverse']));
    const drain = doc.paths['/v1/hosts/{id}/drain'].post;
    expect(drain.requestBody.required).toBe(false);
    expect(drain.responses['403'].content['application/json'].schema.$ref).toBe('#/components/schemas/OperatorError');
  });

  it('documents berth\'s status_reason on the objects whose status can be ERROR for a reason berth knows', () => {
    const doc = buildOpenApi() as any;
    for (const [path, key] of [['/v2.0/vpn/ipsec-site-connections/{id}', 'ipsec_site_connection'], ['/v2.0/vpn/vpnservices/{id}', 'vpnservice']]) {
      const view = doc.paths[path].get.responses['200'].content['application/json'].schema.properties[key];
      expect(view.required).toContain('status_reason');
      expect(view.properties.status_reason.description).toMatch(/ERROR.*Never holds a secret/);
    }
  });

  it('serves /docs and its assets from the swagger-ui-dist package, with no CDN', async () => {
    t.deps.docsAssets = nodeDocsAssets();
    const page = await t.app.request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(refs.every((u) => u.startsWith('/')), refs.join(' ')).toBe(true);
    for (const ref of refs) {
      const res = await t.app.request(ref);
      expect(res.status, ref).toBe(200);
      expect((await res.arrayBuffer()).byteLength, ref).toBeGreaterThan(20);
    }
    const js = await (await t.app.request('/docs/swagger-ui-bundle.js')).text();
    expect(js).toContain('SwaggerUIBundle');
    expect((await t.app.request('/docs/package.json')).status).toBe(404);
    expect((await t.app.request('/docs/..%2Fpackage.json')).status).toBe(404);
    t.deps.docsAssets = undefined;
    expect(await (await t.app.request('/docs')).text()).toMatch(/href="\/openapi.json"/);
  });
});
