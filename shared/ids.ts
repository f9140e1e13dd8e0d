// Identifier and random-value generation (WebCrypto: works on Node, Workers and in the agent).

export interface Ids {
  uuid(): string;
  /** A random locally administered unicast MAC address (aa:bb:cc:dd:ee:ff). */
  mac(): string;
  /** An opaque secret token, URL-safe. */
  token(): string;
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

export const cryptoIds: Ids = {
  uuid: () => crypto.randomUUID(),
  mac: () => {
    const b = crypto.getRandomValues(new Uint8Array(6));
    b[0] = (b[0] & 0xfe) | 0x02; // unicast, locally administered
    return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
  },
  token: () => hex(crypto.getRandomValues(new Uint8Array(24))),
};

/** Deterministic ids for tests: uuid-shaped, counting up. */
export function sequentialIds(prefix = '00000000'): Ids {
  let n = 0;
  return {
    uuid: () => `${prefix}-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`,
    mac: () => `fa:16:3e:00:00:${(++n % 256).toString(16).padStart(2, '0')}`,
    token: () => `token-${++n}`,
  };
}
