// The desired-document builder on its own: derived MACs, and what is left out (and why) when rows are incomplete.
import { describe, expect, it } from 'vitest';
import { zDesiredState } from '../../shared/protocol/messages';
import { buildDesired, containerMac } from './build';
import { connection, input, now } from './test-fixtures';

describe('containerMac', () => {
  it('is a stable, locally administered unicast MAC, different per port', () => {
    const macs = ['a', 'b', '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002'].map(containerMac);
    for (const m of macs) expect(m).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(new Set(macs).size).toBe(macs.length);
    expect(containerMac('a')).toBe(macs[0]);
  });
});

describe('buildDesired', () => {
  it('builds a valid document; the container takes .2 of the port /30', () => {
    const { doc, omitted } = buildDesired('host0', 2, 9, [input(1)]);
    expect(omitted).toEqual([]);
    expect(zDesiredState.safeParse(doc).success).toBe(true);
    expect(doc).toMatchObject({ v: 1, hostId: 'host0', epoch: 2, generation: 9 });
    expect(doc.containers[0].config.port).toMatchObject({ address: '169.254.0.6', routerAddress: '169.254.0.5', routerMac: 'fa:16:3e:00:00:01' });
  });

  it('an IPv6 link route gives the container its IPv6 side (the odd address of the /127); link routes are not VPN routes', () => {
    const route = (origin: string, srcCidr: string, dstCidr: string, nextHopGateway: string | null) => ({
      id: `${origin}-${dstCidr}`, routerId: 'r-1', srcCidr, dstCidr, nextHopPortId: '00000000-0000-4000-8000-000000000001', nextHopGateway, origin, ipsecSiteConnectionId: origin === 'ipsec' ? 'conn-1' : null, createdAt: now,
    });
    const routes = [
      route('vpn-link', '0.0.0.0/0', '169.254.0.4/30', null),
      route('vpn-link', '::/0', 'fd62:6572:7468:4000:8000::/127', null),
      route('ipsec', '2001:db8:a::/64', '2001:db8:b::/64', 'fd62:6572:7468:4000:8000::1'),
    ];
    const { doc, omitted } = buildDesired('host0', 0, 1, [input(1, { routes, router: { id: 'r-1', gatewayFixedIps: [{ subnet_id: 's6', ip_address: '2001:db8:1::2' }] } })]);
    expect(omitted).toEqual([]);
    const cfg = doc.containers[0].config;
    expect(cfg.portV6).toEqual({ address: 'fd62:6572:7468:4000:8000::1', prefixLen: 127, routerAddress: 'fd62:6572:7468:4000:8000::' });
    expect(cfg.externalIp).toEqual({ v4: null, v6: '2001:db8:1::2' });
    expect(cfg.routes).toEqual([{ srcCidr: '2001:db8:a::/64', dstCidr: '2001:db8:b::/64', nextHopGateway: 'fd62:6572:7468:4000:8000::1' }]);
    expect(buildDesired('host0', 0, 1, [input(1)]).doc.containers[0].config).not.toHaveProperty('portV6');
  });

  it('a disabled service disables its connections; kilobyte lifetimes fall back to 3600 s', () => {
    const { doc } = buildDesired('host0', 0, 1, [input(1, { connections: [connection('k')] })]);
    const c = doc.containers[0].config.connections[0];
    expect(c.adminStateUp).toBe(false);
    expect(c.ike.lifetimeSeconds).toBe(3600);
    expect(c.ipsec.lifetimeSeconds).toBe(7200);
  });

  it('leaves out what it cannot build and says why, keeping the rest of the host', () => {
    const { doc, omitted } = buildDesired('host0', 0, 1, [
      input(1, { port: undefined }),
      input(2, { connections: [connection(undefined)] }),
      input(3),
      input(4, { port: { ...input(4).port!, interfaceName: 'vpn-00000003' } }),
    ]);
    expect(doc.containers.map((c) => c.id)).toEqual(['c-2', 'c-3']);
    expect(doc.containers[0].config.connections).toEqual([]);
    expect(omitted).toEqual([
      { containerId: 'c-1', detail: 'its port is missing' },
      { containerId: 'c-2', connectionId: 'conn-1', detail: expect.stringContaining('pre-shared key') },
      { containerId: 'c-4', detail: expect.stringContaining('vpn-00000003') },
    ]);
  });
});
