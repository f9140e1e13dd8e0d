import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';

describe('/v2.0/subnets tenancy', () => {
  let t: TestApp;
  let a: string;
  let b: string;
  beforeEach(async () => {
    t = await createTestApp();
    a = await t.tenantToken('tenant-a');
    b = await t.tenantToken('tenant-b');
  });
  afterEach(() => t.close());

  it('keeps tenants apart with 404s, never 403s', async () => {
    const net = (await t.req('POST', '/v2.0/networks', { network: { name: 'a-net' } }, a)).body.network.id;
    const sub = await t.req('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '10.0.0.0/24' } }, a);
    expect(sub.status).toBe(201);
    expect(sub.body.subnet.tenant_id).toBe('tenant-a');
    const id = sub.body.subnet.id;
    for (const [method, body] of [['GET', undefined], ['PUT', { subnet: { name: 'x' } }], ['DELETE', undefined]] as const) {
      const res = await t.req(method, `/v2.0/subnets/${id}`, body, b);
      expect(res.status).toBe(404);
      expect(res.body.NeutronError.type).toBe('SubnetNotFound');
    }
    expect((await t.req('GET', '/v2.0/subnets', undefined, b)).body.subnets).toEqual([]);
    const onOthers = await t.req('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '10.1.0.0/24' } }, b);
    expect(onOthers.status).toBe(404);
    expect(onOthers.body.NeutronError.type).toBe('NetworkNotFound');
    expect((await t.req('GET', `/v2.0/subnets/${id}`, undefined, a)).status).toBe(200);
  });

  it('shows external subnets to every tenant but lets only the owner change them or add more', async () => {
    const pub = (await t.req('POST', '/v2.0/networks', { network: { name: 'public', 'router:external': true } })).body.network.id;
    const ext = (await t.req('POST', '/v2.0/subnets', { subnet: { network_id: pub, cidr: '1.0.0.0/24' } })).body.subnet.id;
    expect((await t.req('GET', '/v2.0/subnets', undefined, b)).body.subnets.map((s: any) => s.id)).toEqual([ext]);
    expect((await t.req('GET', `/v2.0/subnets/${ext}`, undefined, b)).status).toBe(200);
    expect((await t.req('PUT', `/v2.0/subnets/${ext}`, { subnet: { name: 'mine' } }, b)).status).toBe(404);
    expect((await t.req('DELETE', `/v2.0/subnets/${ext}`, undefined, b)).status).toBe(404);
    expect((await t.req('POST', '/v2.0/subnets', { subnet: { network_id: pub, cidr: '2.0.0.0/24' } }, b)).status).toBe(403);
  });

  it('lets only an admin create for another tenant; an admin on a tenant network creates for its owner', async () => {
    const net = (await t.req('POST', '/v2.0/networks', { network: { name: 'a-net' } }, a)).body.network.id;
    const forged = await t.req('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '10.0.0.0/24', tenant_id: 'tenant-b' } }, a);
    expect(forged.status).toBe(400);
    expect((await t.req('GET', '/v2.0/subnets')).body.subnets).toEqual([]);
    const byAdmin = await t.req('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '10.0.0.0/24' } });
    expect(byAdmin.body.subnet.tenant_id).toBe('tenant-a');
    const named = await t.req('POST', '/v2.0/subnets', { subnet: { network_id: net, cidr: '10.1.0.0/24', project_id: 'tenant-c' } });
    expect(named.body.subnet).toMatchObject({ tenant_id: 'tenant-c', project_id: 'tenant-c' });
  });
});
