import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { createSeedVpn } from '../../node/seed-vpn';
import { topologyResponse } from '../../../shared/model/topology';

describe('GET /v1/topology', () => {
  let t: TestApp;
  beforeEach(async () => { t = await createTestApp(); });
  afterEach(() => t.close());

  it('shows the seed VPN: router, gateway, subnet, service, connection with its peer CIDRs, and the container — no PSK', async () => {
    expect((await t.req('GET', '/v1/topology')).body).toEqual({ routers: [] });
    const seed = await createSeedVpn((m, p, b) => t.req(m, p, b));
    const { status, body, text } = await t.req('GET', '/v1/topology');
    expect(status).toBe(200);
    expect(topologyResponse.parse(body)).toEqual(body);
    expect(body.routers).toHaveLength(1);
    const r = body.routers[0];
    expect(r).toMatchObject({
      id: seed.routerId, name: 'mercury-router',
      gateway: { networkName: 'public', ips: ['1.0.0.2'] },
      subnets: [{ cidr: '192.168.1.0/24', gatewayIp: '192.168.1.1' }],
      vpnServices: [{ id: seed.vpnServiceId, name: 'mercury', externalIp: '1.0.0.2', connections: [{ name: 'to-venus', peerAddress: '1.0.0.3', peerCidrs: ['192.168.2.0/24'] }] }],
      container: { hostId: null, schedulerState: 'DOWN' },
    });
    expect(text).not.toContain('s3cret-demo-psk');
    expect(text).not.toMatch(/psk/i);
  });

  it('is for operators only', async () => {
    expect((await t.req('GET', '/v1/topology', undefined, await t.tenantToken('t1'))).status).toBe(403);
  });
});
