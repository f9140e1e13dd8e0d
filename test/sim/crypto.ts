// WebCrypto answers on the libuv thread pool, i.e. after a real-time delay the fake clock cannot see, which would
// make a seed's run depend on the machine's load. The simulation swaps in synchronous equivalents (node:crypto):
// SHA-256 digests and the SecretBox's AES-GCM, same formats, resolved at once.
import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { SecretBox } from '../../functions/crypto';
import type { Rng } from './rng';

/** Replaces crypto.subtle.digest (SHA-256 only: all berth uses) until the returned function is called. */
export function syncDigest(): () => void {
  const subtle = globalThis.crypto.subtle;
  Object.defineProperty(subtle, 'digest', {
    configurable: true, writable: true,
    value: async (alg: string | { name: string }, data: ArrayBuffer | ArrayBufferView) => {
      const name = typeof alg === 'string' ? alg : alg.name;
      if (name !== 'SHA-256') throw new Error(`simulation digest: ${name} not supported`);
      const bytes = ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);
      const d = createHash('sha256').update(bytes).digest();
      return d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength);
    },
  });
  return () => { delete (subtle as { digest?: unknown }).digest; };
}

/** A SecretBox ("v1:<iv>:<ciphertext+tag>", AES-256-GCM under SHA-256(secret)) computed synchronously. */
export function syncSecretBox(secret: string, rng: Rng): SecretBox {
  const key = createHash('sha256').update(secret).digest();
  const box = Object.create(SecretBox.prototype) as SecretBox;
  Object.assign(box, {
    async encrypt(plaintext: string) {
      const iv = Buffer.from(Array.from({ length: 12 }, () => rng.int(0, 255)));
      const c = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([c.update(plaintext, 'utf8'), c.final(), c.getAuthTag()]);
      return `v1:${iv.toString('base64')}:${ct.toString('base64')}`;
    },
    async decrypt(sealed: string) {
      const [v, iv, ct] = sealed.split(':');
      if (v !== 'v1' || !iv || !ct) throw new Error('unrecognised secret format');
      const raw = Buffer.from(ct, 'base64');
      const d = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      d.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([d.update(raw.subarray(0, raw.length - 16)), d.final()]).toString('utf8');
    },
  });
  return box;
}
