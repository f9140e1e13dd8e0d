// /openapi.json and /docs in workerd: the Worker serves the document and Swagger UI's assets from its own bundle
// (swagger-ui-dist as text modules), never from a CDN.
import { SELF } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';

describe('/openapi.json and /docs (workerd)', () => {
  it('serves the OpenAPI document without a token', async () => {
    const res = await SELF.fetch('https://berth.test/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths).toHaveProperty('/v2.0/vpn/ipsec-site-connections/{id}');
  });

  it('serves the reference page and every asset it references', async () => {
    const html = await (await SELF.fetch('https://berth.test/docs')).text();
    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]).filter((u) => u.startsWith('/docs/'));
    expect(refs).toEqual(expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/init.js']));
    for (const ref of refs.filter((r) => !r.endsWith('.png'))) {
      const res = await SELF.fetch(`https://berth.test${ref}`);
      expect(res.status, ref).toBe(200);
      expect((await res.text()).length, ref).toBeGreaterThan(50);
    }
    expect(await (await SELF.fetch('https://berth.test/docs/swagger-ui-bundle.js')).text()).toContain('SwaggerUIBundle');
  });
});
