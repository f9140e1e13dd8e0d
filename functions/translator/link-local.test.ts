import { describe, expect, it } from 'vitest';
import { networkCidr } from '../../shared/model/net';
import { allocateLinkLocal, allocateLinkV6 } from './link-local';
import { canonicalCidr, resolveConnectionCidrs, routePairs } from './cidrs';

describe('allocateLinkLocal', () => {
  it.each([
    ['nothing used', [], '169.254.0.0/30', '169.254.0.1', '169.254.0.2'],
    ['only unrelated subnets', ['192.168.1.1/24', '1.0.0.0/24', '2001:db8::1/64'], '169.254.0.0/30', '169.254.0.1', '169.254.0.2'],
    ['an interface on 169.254.0.0/30', ['169.254.0.1/30'], '169.254.0.4/30', '169.254.0.5', '169.254.0.6'],
    ['unsorted neighbours', ['169.254.0.4/30', '169.254.0.9/32', '169.254.0.0/30'], '169.254.0.12/30', '169.254.0.13', '169.254.0.14'],
    ['the first /24 taken', ['169.254.0.77/24'], '169.254.1.0/30', '169.254.1.1', '169.254.1.2'],
    ['a /31 inside the second /30', ['169.254.0.0/30', '169.254.0.6/31'], '169.254.0.8/30', '169.254.0.9', '169.254.0.10'],
    ['all but the last /30', ['169.254.0.0/17', '169.254.128.0/18', '169.254.192.0/19', '169.254.224.0/20', '169.254.240.0/21',
      '169.254.248.0/22', '169.254.252.0/23', '169.254.254.0/24', '169.254.255.0/25', '169.254.255.128/26',
      '169.254.255.192/27', '169.254.255.224/28', '169.254.255.240/29', '169.254.255.248/30'], '169.254.255.252/30', '169.254.255.253', '169.254.255.254'],
  ])('%s → %s', (_what, used, cidr, routerAddress, containerAddress) => {
    expect(allocateLinkLocal(used)).toEqual({ cidr, routerAddress, containerAddress });
  });

  it.each([[['169.254.0.0/16']], [['169.254.0.1/16']], [['169.0.0.0/8']], [['0.0.0.0/0']]])('none free when %j is used', (used) => {
    expect(allocateLinkLocal(used)).toBeUndefined();
  });

  it.each([
    ['169.254.0.5', 30, '169.254.0.4/30'],
    ['169.254.0.1', 32, '169.254.0.1/32'],
    ['192.168.1.77', 24, '192.168.1.0/24'],
    ['2001:db8::5', 64, '2001:db8::/64'],
  ])('networkCidr(%s, %d) = %s', (addr, len, want) => expect(networkCidr(addr, len)).toBe(want));
});

describe('allocateLinkV6', () => {
  const ID = '5e1f2a3b-9c8d-4e7f-a6b5-c4d3e2f1a0b9';
  it.each([
    ['nothing used', ID, [], 'fd62:6572:7468:4e7f:a6b5:c4d3:e2f1:a0b8'],
    ['unrelated subnets', ID, ['2001:db8::/32', 'fd00::/16', '10.0.0.0/8'], 'fd62:6572:7468:4e7f:a6b5:c4d3:e2f1:a0b8'],
    ['the /127 taken by a tenant subnet', ID, ['fd62:6572:7468:4e7f:a6b5:c4d3:e2f1:a0b9/128'], 'fd62:6572:7468:4e7f:a6b5:c4d3:e2f1:a0ba'],
    ['an odd last digit is rounded down (the router side is even)', 'aaaaaaaa-0000-4000-8000-000000000003', [], 'fd62:6572:7468:4000:8000::2'],
    ['a short id is padded', 'p7', [], 'fd62:6572:7468::6'],
  ])('%s', (_what, id, used, routerAddress) => {
    const slot = allocateLinkV6(id, used)!;
    expect(slot.routerAddress).toBe(routerAddress);
    expect(slot.cidr).toBe(`${routerAddress}/127`);
    expect(slot.containerAddress).toBe(routerAddress.replace(/[0-9a-f]+$/, (h) => (parseInt(h, 16) + 1).toString(16)));
  });

  it('none free when the tenant uses all of berth\'s /48', () => {
    expect(allocateLinkV6(ID, ['fd62:6572:7468::/48'])).toBeUndefined();
  });
});

describe('connection CIDRs', () => {
  const subnetCidrs = new Map([['s1', '192.168.1.0/24'], ['s2', '10.1.0.0/16'], ['s6', '2001:DB8:1::/64']]);
  const groups = new Map([
    ['local', { id: 'local', type: 'subnet', endpoints: ['s1', 's2', 'missing'] }],
    ['peer', { id: 'peer', type: 'cidr', endpoints: ['192.168.2.0/24', '192.168.2.0/24', '172.16.0.0/12'] }],
    ['local6', { id: 'local6', type: 'subnet', endpoints: ['s6'] }],
  ]);
  const conn = (o: Partial<{ peerCidrs: string[]; localEpGroupId: string | null; peerEpGroupId: string | null }>) =>
    ({ id: 'c', peerAddress: '1.0.0.3', peerCidrs: [], localEpGroupId: null, peerEpGroupId: null, ...o });

  it.each([
    ['legacy', conn({ peerCidrs: ['192.168.2.0/24'] }), 's1', ['192.168.1.0/24'], ['192.168.2.0/24']],
    ['endpoint groups', conn({ localEpGroupId: 'local', peerEpGroupId: 'peer' }), null, ['192.168.1.0/24', '10.1.0.0/16'], ['192.168.2.0/24', '172.16.0.0/12']],
    ['IPv6, canonicalised', conn({ localEpGroupId: 'local6', peerCidrs: ['2001:DB8:2::/64'] }), null, ['2001:db8:1::/64'], ['2001:db8:2::/64']],
    ['unknown group', conn({ localEpGroupId: 'nope', peerEpGroupId: 'peer' }), null, [], ['192.168.2.0/24', '172.16.0.0/12']],
  ])('%s', (_what, c, subnetId, localCidrs, peerCidrs) => {
    expect(resolveConnectionCidrs(c, { subnetId }, groups, subnetCidrs)).toEqual({ id: 'c', peerAddress: '1.0.0.3', localCidrs, peerCidrs });
  });

  it('pairs every local with every peer of the same family', () => {
    expect(routePairs(['192.168.1.0/24', '2001:db8:1::/64'], ['192.168.2.0/24', '10.0.0.0/8', '2001:db8:2::/64'])).toEqual([
      ['192.168.1.0/24', '192.168.2.0/24'], ['192.168.1.0/24', '10.0.0.0/8'], ['2001:db8:1::/64', '2001:db8:2::/64'],
    ]);
    expect(routePairs([], ['10.0.0.0/8'])).toEqual([]);
    expect(canonicalCidr('10.0.0.1/8')).toBeUndefined();
  });
});
