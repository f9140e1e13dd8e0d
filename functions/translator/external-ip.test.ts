import { describe, expect, it } from 'vitest';
import { externalIpsOf } from './external-ip';

describe('externalIpsOf', () => {
  it.each([
    [[], { v4: null, v6: null }],
    [[{ ip_address: '1.0.0.2' }], { v4: '1.0.0.2', v6: null }],
    [[{ ip_address: '2001:db8::5' }, { ip_address: '1.0.0.2' }, { ip_address: '1.0.0.9' }], { v4: '1.0.0.2', v6: '2001:db8::5' }],
  ])('%j → %j', (ips, want) => expect(externalIpsOf(ips)).toEqual(want));
});
