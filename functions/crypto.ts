// WebCrypto helpers (Workers and Node): PSK encryption at rest (AES-GCM) and token hashing (SHA-256).

const enc = new TextEncoder();
const dec = new TextDecoder();

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

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
