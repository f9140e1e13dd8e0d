// WebCrypto helpers (Workers and Node): PSK encryption at rest (AES-GCM) and token hashing (SHA-256).

const enc = new TextEncoder();
const dec = new TextDecoder();

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (s: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', enc.encode(text)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * The control plane's credential for the broker and for HTTP ingest (username berth-control on the broker;
 * `Authorization: Bearer <it>` on POST /v1/agent-events): derived from the admin token, so there is no extra
 * secret to manage, and it grants nothing of the API.
 */
export const controlPassword = (adminToken: string): Promise<string> => sha256Hex(`${adminToken}:mqtt`);

/** Compares in time independent of where the strings differ (a guessed token learns nothing from timing). */
export function sameSecret(a: string, b: string): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0);
  return diff === 0;
}

/** Encrypts/decrypts secrets with a key derived (SHA-256) from BERTH_SECRET_KEY. */
export class SecretBox {
  private keyPromise: Promise<CryptoKey>;

  constructor(secret: string) {
    this.keyPromise = crypto.subtle
      .digest('SHA-256', enc.encode(secret))
      .then((raw) => crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']));
  }

  /** Returns "v1:<iv b64>:<ciphertext b64>". */
  async encrypt(plaintext: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ct = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await this.keyPromise, enc.encode(plaintext)));
    return `v1:${b64(iv)}:${b64(ct)}`;
  }

  async decrypt(sealed: string): Promise<string> {
    const [v, iv, ct] = sealed.split(':');
    if (v !== 'v1' || !iv || !ct) throw new Error('unrecognised secret format');
    const pt = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: unb64(iv) }, await this.keyPromise, unb64(ct));
    return dec.decode(pt);
  }
}

/**
 * A salted hash of a host's MQTT secret in Mosquitto's password_file format `$7$<iterations>$<salt b64>$<hash b64>`
 * (PBKDF2-HMAC-SHA512, 64 bytes, 12-byte salt): the embedded broker verifies against it and `berth mqtt-acl passwd`
 * hands it to Mosquitto unchanged — one stored hash for both brokers, never the secret (issue 9).
 */
export async function hashSecret(secret: string, iterations = 1000, salt = crypto.getRandomValues(new Uint8Array(12))): Promise<string> {
  return `$7$${iterations}$${b64(salt)}$${b64(await pbkdf2Sha512(secret, salt, iterations))}`;
}

/** True when secret matches a `$7$` hash; false for anything malformed (never throws). */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const m = /^\$7\$(\d{1,7})\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(stored);
  if (!m || Number(m[1]) < 1) return false;
  const got = b64(await pbkdf2Sha512(secret, unb64(m[2]), Number(m[1])));
  return sameSecret(got, m[3]);
}

async function pbkdf2Sha512(secret: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', enc.encode(secret), 'PBKDF2', false, ['deriveBits']);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-512', salt, iterations }, key, 512));
}

/**
 * Compares two secrets without leaking where they differ or how long the expected one is: both are hashed first
 * (SHA-256, fixed length), then compared in constant time.
 */
export async function sameSecretHashed(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256Hex(given), sha256Hex(expected)]);
  return sameSecret(a, b);
}
