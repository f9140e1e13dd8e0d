import { describe, expect, it } from 'vitest';
import { sequentialIds } from '../../shared/ids';
import { cidrVersion, ipVersionOf } from '../../shared/model/net';
import { planRouter } from './plan';
import { diff, hostsToMark, isEmptyDiff } from './diff';
import type { RouterSnapshot, RuleRow, Southbound } from './types';

const NOW = 1_700_000_000_000;
const empty = (): Southbound => ({ ports: [], routes: [], chains: [], rules: [], groups: [], containers: [], services: [{ id: 'svc', externalV4Ip: null, externalV6Ip: null }] });

function snapshot(o: Partial<RouterSnapshot> = {}): RouterSnapshot {
  return {
    now: NOW,
    router: { id: 'r1', tenantId: 't1', gatewayFixedIps: [{ subnet_id: 'ext', ip_address: '1.0.0.2' }], availabilityZoneHints: [] },
    usedCidrs: ['192.168.1.1/24', '1.0.0.0/24'],
    hostGroups: [],
    connections: [{ id: 'c1', peerAddress: '1.0.0.3', localCidrs: ['192.168.1.0/24'], peerCidrs: ['192.168.2.0/24'] }],
    foreignRules: [],
    current: empty(),
    ...o,
  };
}

/** Plans s, then re-plans against the result as the new current state (what a second sync would see). */
function converge(s: RouterSnapshot, ids = sequentialIds('aaaaaaaa')) {
  const desired = planRouter(s, ids);
  return { desired, next: (o: Partial<RouterSnapshot> = {}) => snapshot({ ...s, current: desired, ...o }) };
}

describe('planRouter', () => {
  it('translates the seed example', () => {
    const d = planRouter(snapshot(), sequentialIds('aaaaaaaa'));
    const port = d.ports[0];
    expect(d.ports).toEqual([{
      id: port.id, tenantId: 't1', routerId: 'r1', kind: 'service', subnetId: null, address: '169.254.0.1', prefixLen: 30,
      mac: port.mac, interfaceName: 'vpn-aaaaaaaa', hostId: null, serviceContainerId: d.containers[0].id, createdAt: NOW,
    }]);
    expect(port.mac).toMatch(/^fa:16:3e:/);
    expect(d.routes.map((r) => [r.origin, r.srcCidr, r.dstCidr, r.nextHopPortId, r.nextHopGateway, r.ipsecSiteConnectionId])).toEqual([
      ['vpn-link', '0.0.0.0/0', '169.254.0.0/30', port.id, null, null],
      ['local', '0.0.0.0/0', '169.254.0.1/32', port.id, null, null],
      ['ipsec', '192.168.1.0/24', '192.168.2.0/24', port.id, '169.254.0.2', 'c1'],
    ]);
    expect(d.chains).toEqual([{ id: d.chains[0].id, routerId: 'r1', name: 'local-redirect', createdAt: NOW }]);
    expect(d.rules.map((r) => [r.action, r.nwDstIp, r.nwProto, r.tpDst, r.targetPortId, r.owner, r.position, r.chainId])).toEqual([
      ['REDIRECT', '1.0.0.2', 50, null, port.id, 'vpn', 0, d.chains[0].id],
      ['REDIRECT', '1.0.0.2', 17, 500, port.id, 'vpn', 1, d.chains[0].id],
      ['REDIRECT', '1.0.0.2', 17, 4500, port.id, 'vpn', 2, d.chains[0].id],
    ]);
    expect(d.groups).toEqual([{ id: d.groups[0].id, policy: 'least', hostGroupId: null, portGroupId: null, antiAffinity: false, routerId: 'r1', createdAt: NOW }]);
    expect(d.containers[0]).toMatchObject({
      groupId: d.groups[0].id, portId: port.id, serviceType: 'IPSEC', configurationId: 'r1', interfaceName: 'vpn-aaaaaaaa',
      schedulerState: 'DOWN', status: null, hostId: null,
    });
    expect(d.services).toEqual([{ id: 'svc', externalV4Ip: '1.0.0.2', externalV6Ip: null }]);
  });

  // The four family combinations of Neutron VPNaaS (inner = local/peer CIDRs, outer = peer address and gateway).
  const V6_LINK = 'fd62:6572:7468:4000:8000::2';
  const V6_CONTAINER = 'fd62:6572:7468:4000:8000::3';
  const dual = [{ subnet_id: 'ext', ip_address: '1.0.0.2' }, { subnet_id: 'ext6', ip_address: '2001:db8:1::2' }];
  it.each([
    ['v4 in v4', dual, '1.0.0.3', ['192.168.1.0/24'], ['192.168.2.0/24'], [
      ['vpn-link', '0.0.0.0/0', '169.254.0.0/30', null], ['local', '0.0.0.0/0', '169.254.0.1/32', null],
      ['ipsec', '192.168.1.0/24', '192.168.2.0/24', '169.254.0.2'],
    ], '1.0.0.2'],
    ['v6 in v6', dual, '2001:db8:1::3', ['2001:db8:a::/64'], ['2001:db8:b::/64'], [
      ['vpn-link', '0.0.0.0/0', '169.254.0.0/30', null], ['local', '0.0.0.0/0', '169.254.0.1/32', null],
      ['vpn-link', '::/0', `${V6_LINK}/127`, null], ['local', '::/0', `${V6_LINK}/128`, null],
      ['ipsec', '2001:db8:a::/64', '2001:db8:b::/64', V6_CONTAINER],
    ], '2001:db8:1::2'],
    ['v6 in v4', [dual[0]], '1.0.0.3', ['2001:db8:a::/64'], ['2001:db8:b::/64'], [
      ['vpn-link', '0.0.0.0/0', '169.254.0.0/30', null], ['local', '0.0.0.0/0', '169.254.0.1/32', null],
      ['vpn-link', '::/0', `${V6_LINK}/127`, null], ['local', '::/0', `${V6_LINK}/128`, null],
      ['ipsec', '2001:db8:a::/64', '2001:db8:b::/64', V6_CONTAINER],
    ], '1.0.0.2'],
    ['v4 in v6', [dual[1]], '2001:db8:1::3', ['192.168.1.0/24'], ['192.168.2.0/24'], [
      ['vpn-link', '0.0.0.0/0', '169.254.0.0/30', null], ['local', '0.0.0.0/0', '169.254.0.1/32', null],
      ['vpn-link', '::/0', `${V6_LINK}/127`, null], ['local', '::/0', `${V6_LINK}/128`, null],
      ['ipsec', '192.168.1.0/24', '192.168.2.0/24', '169.254.0.2'],
    ], '2001:db8:1::2'],
  ])('%s: links, routes via a next hop of their own family, REDIRECTs to the outer gateway', (_what, gatewayFixedIps, peerAddress, localCidrs, peerCidrs, routes, redirectIp) => {
    const d = planRouter(snapshot({
      router: { ...snapshot().router, gatewayFixedIps },
      connections: [{ id: 'c1', peerAddress, localCidrs, peerCidrs }],
    }), sequentialIds('aaaaaaaa'));
    expect(d.routes.map((r) => [r.origin, r.srcCidr, r.dstCidr, r.nextHopGateway])).toEqual(routes);
    for (const r of d.routes) {
      expect(cidrVersion(r.srcCidr)).toBe(cidrVersion(r.dstCidr));
      if (r.nextHopGateway) expect(ipVersionOf(r.nextHopGateway)).toBe(cidrVersion(r.dstCidr));
    }
    expect(d.rules.map((r) => [r.nwDstIp, r.nwProto, r.tpDst])).toEqual([[redirectIp, 50, null], [redirectIp, 17, 500], [redirectIp, 17, 4500]]);
  });

  it('a router with IPv4 and IPv6 peers gets both links and REDIRECTs for both gateway addresses; the IPv6 link stays put', () => {
    const v4 = { id: 'c1', peerAddress: '1.0.0.3', localCidrs: ['192.168.1.0/24'], peerCidrs: ['192.168.2.0/24'] };
    const v6 = { id: 'c2', peerAddress: '2001:db8:1::3', localCidrs: ['2001:db8:a::/64'], peerCidrs: ['2001:db8:b::/64'] };
    const { desired, next } = converge(snapshot({ router: { ...snapshot().router, gatewayFixedIps: dual }, connections: [v4] }));
    expect(desired.routes.some((r) => cidrVersion(r.dstCidr) === 6)).toBe(false);
    const s2 = next({ connections: [v4, v6] });
    const both = planRouter(s2, sequentialIds('bbbbbbbb'));
    const d = diff(desired, both);
    // Adding the IPv6 connection adds the IPv6 link, its route and three rules: nothing of IPv4 moves.
    expect(d.routes.update).toEqual([]);
    expect(d.routes.delete).toEqual([]);
    expect(d.routes.create.map((r) => [r.origin, r.dstCidr, r.nextHopGateway])).toEqual([
      ['vpn-link', `${V6_LINK}/127`, null], ['local', `${V6_LINK}/128`, null], ['ipsec', '2001:db8:b::/64', V6_CONTAINER],
    ]);
    expect(d.rules.update).toEqual([]);
    expect(d.rules.create.map((r) => [r.nwDstIp, r.nwProto, r.tpDst, r.position])).toEqual([
      ['2001:db8:1::2', 50, null, 3], ['2001:db8:1::2', 17, 500, 4], ['2001:db8:1::2', 17, 4500, 5],
    ]);
    // Re-planned (say after the port's row was re-read), the IPv6 link keeps its address: it comes from its route.
    const again = planRouter(snapshot({ ...s2, current: both }), { uuid: () => 'new-id', mac: () => 'new-mac' });
    expect(isEmptyDiff(diff(both, again))).toBe(true);
    // Dropping the IPv6 connection removes the IPv6 link and rules again.
    const back = diff(both, planRouter(snapshot({ ...s2, current: both, connections: [v4] }), sequentialIds('cccccccc')));
    expect(back.routes.delete).toHaveLength(3);
    expect(back.rules.delete).toHaveLength(3);
  });

  it('two routers\' containers get different IPv6 links (from their port ids)', () => {
    const plan = (prefix: string) => planRouter(snapshot({
      router: { ...snapshot().router, gatewayFixedIps: dual },
      connections: [{ id: 'c1', peerAddress: '2001:db8:1::3', localCidrs: ['2001:db8:a::/64'], peerCidrs: ['2001:db8:b::/64'] }],
    }), { uuid: () => `${prefix}-${crypto.randomUUID().slice(9)}`, mac: () => 'fa:16:3e:00:00:01' });
    const links = Array.from({ length: 50 }, (_, i) => plan(String(i).padStart(8, '0')).routes.find((r) => r.origin === 'vpn-link' && r.dstCidr.includes(':'))!.dstCidr);
    expect(new Set(links).size).toBe(50);
  });

  it('re-planning its own result changes nothing and allocates no id', () => {
    const { desired, next } = converge(snapshot());
    let calls = 0;
    const counting = { uuid: () => `x-${++calls}`, mac: () => `m-${++calls}` };
    const again = planRouter(next(), counting);
    expect(calls).toBe(0);
    expect(isEmptyDiff(diff(desired, again))).toBe(true);
  });

  it('one route per same-family (local × peer) pair; a changed peer list adds and deletes, keeping the rest', () => {
    const twoByTwo = { id: 'c1', peerAddress: '1.0.0.3', localCidrs: ['192.168.1.0/24', '10.1.0.0/16'], peerCidrs: ['192.168.2.0/24', '172.16.0.0/12', '2001:db8::/64'] };
    const { desired, next } = converge(snapshot({ connections: [twoByTwo] }));
    expect(desired.routes.filter((r) => r.origin === 'ipsec').map((r) => `${r.srcCidr}>${r.dstCidr}`)).toEqual([
      '192.168.1.0/24>192.168.2.0/24', '192.168.1.0/24>172.16.0.0/12', '10.1.0.0/16>192.168.2.0/24', '10.1.0.0/16>172.16.0.0/12',
    ]);
    const changed = next({ connections: [{ ...twoByTwo, peerCidrs: ['192.168.2.0/24', '192.168.3.0/24'] }] });
    const d = diff(changed.current, planRouter(changed, sequentialIds('bbbbbbbb')));
    expect(d.routes.update).toEqual([]);
    expect(d.routes.create.map((r) => `${r.srcCidr}>${r.dstCidr}`)).toEqual(['192.168.1.0/24>192.168.3.0/24', '10.1.0.0/16>192.168.3.0/24']);
    const gone = desired.routes.filter((r) => r.dstCidr === '172.16.0.0/12').map((r) => r.id);
    expect(d.routes.delete.sort()).toEqual(gone.sort());
    expect(isEmptyDiff({ ...d, routes: { create: [], update: [], delete: [] } })).toBe(true);
  });

  it('a second connection reuses the port, container and rules', () => {
    const { desired, next } = converge(snapshot());
    const s2 = next({ connections: [...snapshot().connections, { id: 'c2', peerAddress: '1.0.0.3', localCidrs: ['192.168.1.0/24'], peerCidrs: ['192.168.9.0/24'] }] });
    const d = diff(desired, planRouter(s2, sequentialIds('cccccccc')));
    expect(d.routes.create).toMatchObject([{ ipsecSiteConnectionId: 'c2', dstCidr: '192.168.9.0/24', nextHopPortId: desired.ports[0].id, nextHopGateway: '169.254.0.2' }]);
    expect(isEmptyDiff({ ...d, routes: { create: [], update: [], delete: [] } })).toBe(true);
  });

  it.each([
    ['v4 to another v4', [{ subnet_id: 'ext', ip_address: '1.0.0.9' }], '1.0.0.9', { externalV4Ip: '1.0.0.9', externalV6Ip: null }],
    ['v6 only', [{ subnet_id: 'ext6', ip_address: '2001:db8::9' }], '2001:db8::9', { externalV4Ip: null, externalV6Ip: '2001:db8::9' }],
    ['v4 and v6 (v4 wins)', [{ subnet_id: 'ext6', ip_address: '2001:db8::9' }, { subnet_id: 'ext', ip_address: '1.0.0.7' }], '1.0.0.7', { externalV4Ip: '1.0.0.7', externalV6Ip: '2001:db8::9' }],
  ])('a gateway change (%s) rewrites the rules in place and the services', (_what, gatewayFixedIps, ruleIp, ips) => {
    const { desired, next } = converge(snapshot());
    const s2 = next({ router: { ...snapshot().router, gatewayFixedIps } });
    const d = diff(desired, planRouter(s2, sequentialIds('dddddddd')));
    expect(d.rules.update).toEqual(desired.rules.map((r) => ({ id: r.id, set: { nwDstIp: ruleIp } })));
    expect(d.services.update).toEqual([{ id: 'svc', set: Object.fromEntries(Object.entries(ips).filter(([k, v]) => desired.services[0][k as 'externalV4Ip'] !== v)) }]);
    expect(isEmptyDiff({ ...d, rules: { create: [], update: [], delete: [] }, services: { create: [], update: [], delete: [] } })).toBe(true);
  });

  it.each([
    ['no other rules: chain goes too', [], 0],
    ['another owner\'s rule: chain stays', [{ owner: 'fw', position: 7 }], 1],
  ])('deleting the last connection removes everything of the VPN (%s)', (_what, others, chainsLeft) => {
    const { desired } = converge(snapshot());
    const foreignRules = others.map((o, i) => ({ ...desired.rules[0], id: `foreign-${i}`, ...o }) as RuleRow);
    const s2 = snapshot({ current: desired, foreignRules, connections: [] });
    const d = diff(desired, planRouter(s2, sequentialIds('eeeeeeee')));
    expect(d.ports.delete).toEqual([desired.ports[0].id]);
    expect(d.routes.delete).toHaveLength(3);
    expect(d.rules.delete).toHaveLength(3);
    expect(d.containers.delete).toEqual([desired.containers[0].id]);
    expect(d.groups.delete).toEqual([desired.groups[0].id]);
    expect(d.chains.delete).toHaveLength(1 - chainsLeft);
    expect(d.services.update).toEqual([]);
  });

  it('places new rules after rules already in a pre-existing chain', () => {
    const chain = { id: 'ch', routerId: 'r1', name: 'local-redirect', createdAt: 1 };
    const foreign = { id: 'f', chainId: 'ch', position: 4, action: 'REDIRECT', nwDstIp: '1.0.0.2', nwProto: 6, tpDst: 22, targetPortId: 'p', owner: 'fw', createdAt: 1 };
    const d = planRouter(snapshot({ current: { ...empty(), chains: [chain] }, foreignRules: [foreign] }), sequentialIds());
    expect(d.chains).toEqual([chain]);
    expect(d.rules.map((r) => [r.chainId, r.position])).toEqual([['ch', 5], ['ch', 6], ['ch', 7]]);
  });

  it.each([
    [['zone-x', 'az2', 'az1'], 'hg2'],
    [['zone-x'], null],
    [[], null],
  ])('availability_zone_hints %j pick host group %s', (hints, want) => {
    const s = snapshot({ router: { ...snapshot().router, availabilityZoneHints: hints }, hostGroups: [{ id: 'hg1', name: 'az1' }, { id: 'hg2', name: 'az2' }] });
    expect(planRouter(s, sequentialIds()).groups[0].hostGroupId).toBe(want);
  });

  it.each([
    ['link-local pool exhausted', { usedCidrs: ['169.254.0.0/16'] }, /No free link-local \/30 in 169\.254\.0\.0\/16 .* router r1/],
    ['no external IP', { router: { ...snapshot().router, gatewayFixedIps: [] } }, /Router r1 has no external gateway IP/],
  ])('refuses with CONFLICT when %s', (_what, o, message) => {
    expect(() => planRouter(snapshot(o), sequentialIds())).toThrow(message);
    try { planRouter(snapshot(o), sequentialIds()); } catch (e) { expect((e as { code: string }).code).toBe('CONFLICT'); }
  });

  it('with no connections and no gateway, only the services are touched', () => {
    const s = snapshot({ connections: [], router: { ...snapshot().router, gatewayFixedIps: [] }, current: { ...empty(), services: [{ id: 'svc', externalV4Ip: '1.0.0.2', externalV6Ip: null }] } });
    const d = diff(s.current, planRouter(s, sequentialIds()));
    expect(d.services.update).toEqual([{ id: 'svc', set: { externalV4Ip: null } }]);
    expect(isEmptyDiff({ ...d, services: { create: [], update: [], delete: [] } })).toBe(true);
  });

  it('marks the container\'s host, if it has one', () => {
    const { desired } = converge(snapshot());
    expect(hostsToMark(desired)).toEqual([]);
    expect(hostsToMark({ ...desired, containers: [{ ...desired.containers[0], hostId: 'host0' }] })).toEqual(['host0']);
  });
});
