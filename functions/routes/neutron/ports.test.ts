import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { ok } from '../../services/site-connections/test-kit';

describe('/v2.0/ports (read-only router interface ports)', () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('shows the ports add_router_interface made, filtered by device_id, to their tenant only', async () => {
    const a = await t.tenantToken('tenant-a');
    const b = await t.tenantToken('tenant-b');
    const net = await ok(t.req('POST', '/v2.0/networks', { network: { name: 'private' } }, a));
    const sub = await ok(t.req('POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: '10.9.0.0/24' } }, a));
    const router = await ok(t.req('POST', '/v2.0/routers', { router: { name: 'r' } }, a));
    const iface = await t.req('PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id }, a);
    expect(iface.status).toBe(200);
    const list = (await t.req('GET', `/v2.0/ports?device_id=${router.id}`, undefined, a)).body.ports;
    expect(list).toEqual([expect.objectContaining({
      id: iface.body.port_id, network_id: net.id, device_id: router.id, device_owner: 'network:router_interface',
      fixed_ips: [{ subnet_id: sub.id, ip_address: '10.9.0.1' }], tenant_id: 'tenant-a',
    })]);
    expect((await t.req('GET', `/v2.0/ports?device_id=other`, undefined, a)).body.ports).toEqual([]);
    expect((await t.req('GET', '/v2.0/ports', undefined, b)).body.ports).toEqual([]);
    const hidden = await t.req('GET', `/v2.0/ports/${iface.body.port_id}`, undefined, b);
    expect(hidden.status).toBe(404);
    expect(hidden.body.NeutronError.type).toBe('PortNotFound');
    expect((await t.req('POST', '/v2.0/ports', { port: { network_id: net.id } }, a)).status).toBe(404);
    await t.req('PUT', `/v2.0/routers/${router.id}/remove_router_interface`, { subnet_id: sub.id }, a);
    expect((await t.req('GET', '/v2.0/ports', undefined, a)).body.ports).toEqual([]);
  });
});
