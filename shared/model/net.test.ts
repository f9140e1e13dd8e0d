import { describe, expect, it } from 'vitest';
import { cidrContains, cidrsOverlap, firstHost, isIpAddress, parseCidr } from './net';

describe('net helpers', () => {
  it.each([
    ['192.168.1.0/24', { address: '192.168.1.0', prefix: 24, version: 4 }],
    ['2001:db8::/64', { address: '2001:db8::', prefix: 64, version: 6 }],
    ['192.168.1.1/24', undefined],
    ['192.168.1.0/33', undefined],
    ['1/8', undefined],
    ['banana', undefined],
  ])('parseCidr(%s)', (input, want) => expect(parseCidr(input)).toEqual(want));

  it.each([
    ['1.0.0.3', true],
    ['::1', true],
    ['1', false],
    ['0x1.2.3.4', false],
    ['999.1.1.1', false],
  ])('isIpAddress(%s)', (input, want) => expect(isIpAddress(input)).toBe(want));

  it('overlap and containment', () => {
    expect(cidrsOverlap('169.254.0.0/30', '169.254.0.0/16')).toBe(true);
    expect(cidrsOverlap('169.254.0.4/30', '169.254.0.0/30')).toBe(false);
    expect(cidrsOverlap('10.0.0.0/8', '2001:db8::/32')).toBe(false);
    expect(cidrContains('192.168.1.0/24', '192.168.1.7')).toBe(true);
    expect(cidrContains('192.168.1.0/24', '192.168.2.7')).toBe(false);
    expect(firstHost('192.168.1.0/24')).toBe('192.168.1.1');
    expect(firstHost('2001:db8::/64')).toBe('2001:db8::1');
  });
});
