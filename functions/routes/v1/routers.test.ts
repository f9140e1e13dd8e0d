import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { seedTopology, type SeedTopology } from '../../../test/helpers/fixtures';
import { syncRouter } from '../../translator/sync';
import { insertConnection, insertVpnService } from '../../translator/testing';

describe('GET /v1/routers/{id}/southbound', () => {
  let t: TestApp;
  let seed: SeedTopology;
  beforeEach(async () => {
    t = await createTestApp();
    seed = await seedTopology(t.deps.database.db);
  });
  afterEach(() => t.close());

  it('shows a router without VPN: its interface port and nothing else', async () => {
    const res = await t.req('GET', `/v1/routers/${seed.routerId}/southbound`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      ports: [{
        id: expect.any(String), routerId: seed.routerId, kind: 'router_interface', subnetId: seed.localSubnetId, address: '192.168.1.1',
        prefixLen: 24, mac: expect.any(String), interfaceName: null, hostId: null, serviceContainerId: null,
      }],
      routes: [], chains: [], rules: [],
    });
  });

  it('lists every object in a stable order, the same on every read', async () => {
    const svc = await insertVpnService(t.deps.database.db, { tenantId: seed.tenantId, routerId: seed.routerId, subnetId: seed.localSubnetId });
    await insertConnection(t.deps.database.db, { tenantId: seed.tenantId, vpnServiceId: svc, peerCidrs: ['192.168.9.0/24', '192.168.2.0/24'] });
    await t.deps.database.write((tx) => syncRouter(tx, t.deps, seed.routerId));
    const first = (await t.req('GET', `/v1/routers/${seed.routerId}/southbound`)).body;
    expect(first.ports.map((p: { kind: string }) => p.kind)).toEqual(['router_interface', 'service']);
    expect(first.routes.map((r: { origin: string; dstCidr: string }) => `${r.origin} ${r.dstCidr}`)).toEqual([
      'ipsec 192.168.2.0/24', 'ipsec 192.168.9.0/24', 'local 169.254.0.1/32', 'vpn-link 169.254.0.0/30',
    ]);
    expect(first.rules.map((r: { nwProto: number; tpDst: number | null }) => [r.nwProto, r.tpDst])).toEqual([[50, null], [17, 500], [17, 4500]]);
    expect((await t.req('GET', `/v1/routers/${seed.routerId}/southbound`)).body).toEqual(first);
  });

  it.each([
    ['a tenant, even the owner', 'tenant', 403, 'FORBIDDEN'],
    ['a bad token', 'bad', 401, 'UNAUTHENTICATED'],
  ])('refuses %s', async (_what, who, status, code) => {
    const token = who === 'tenant' ? await t.tenantToken(seed.tenantId) : 'nope';
    const res = await t.req('GET', `/v1/routers/${seed.routerId}/southbound`, undefined, token);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
  });

  it('answers 404 for an unknown router', async () => {
    const res = await t.req('GET', '/v1/routers/no-such-router/southbound');
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', message: 'Router no-such-router could not be found.' });
  });
});
