import { describe, expect, it } from 'vitest';
import { addressOffset, firstFreeHost, hostRange, isHostAddress } from '../../../shared/model/net';
import { allocationPools } from './view';

describe('address helpers behind subnet pools and gateway allocation', () => {
  it.each([
    ['1.0.0.0/24', { first: '1.0.0.1', last: '1.0.0.254' }],
    ['10.0.0.0/31', { first: '10.0.0.0', last: '10.0.0.1' }],
    ['10.0.0.5/32', { first: '10.0.0.5', last: '10.0.0.5' }],
    ['2001:db8::/64', { first: '2001:db8::1', last: '2001:db8::ffff:ffff:ffff:ffff' }],
    ['2001:db8::/127', { first: '2001:db8::', last: '2001:db8::1' }],
  ])('hostRange(%s)', (cidr, want) => expect(hostRange(cidr)).toEqual(want));

  it.each([
    ['1.0.0.0/24', '1.0.0.254', true],
    ['1.0.0.0/24', '1.0.0.255', false],
    ['1.0.0.0/24', '1.0.0.0', false],
    ['1.0.0.0/24', '1.0.1.1', false],
    ['1.0.0.0/24', '::1', false],
  ])('isHostAddress(%s, %s)', (cidr, ip, want) => expect(isHostAddress(cidr, ip)).toBe(want));

  it.each([
    ['1.0.0.0/30', [], '1.0.0.1'],
    ['1.0.0.0/30', ['1.0.0.1'], '1.0.0.2'],
    ['1.0.0.0/30', ['1.0.0.1', '1.0.0.2'], undefined],
    ['2001:db8::/64', ['2001:db8::1'], '2001:db8::2'],
  ])('firstFreeHost(%s, %j)', (cidr, used, want) => expect(firstFreeHost(cidr, new Set(used))).toBe(want));

  it('addressOffset stays inside the address space', () => {
    expect(addressOffset('1.0.0.9', -1)).toBe('1.0.0.8');
    expect(addressOffset('1.0.0.255', 1)).toBe('1.0.1.0');
    expect(addressOffset('255.255.255.255', 1)).toBeUndefined();
    expect(addressOffset('0.0.0.0', -1)).toBeUndefined();
  });

  it.each([
    ['192.168.1.0/24', '192.168.1.1', [{ start: '192.168.1.2', end: '192.168.1.254' }]],
    ['192.168.1.0/24', '192.168.1.254', [{ start: '192.168.1.1', end: '192.168.1.253' }]],
    ['192.168.1.0/24', '192.168.1.100', [{ start: '192.168.1.1', end: '192.168.1.99' }, { start: '192.168.1.101', end: '192.168.1.254' }]],
    ['192.168.1.0/24', null, [{ start: '192.168.1.1', end: '192.168.1.254' }]],
    ['10.0.0.0/32', '10.0.0.0', []],
  ])('allocationPools(%s, gateway %s)', (cidr, gateway, want) => expect(allocationPools(cidr, gateway)).toEqual(want));
});
