// Neutron VPNaaS algorithm names → strongSwan proposal keywords (pure). An unknown name is a configuration error
// the agent reports (FAILED), never a silently weaker proposal.
import { DriverError } from '../contract';

/** Neutron encryption_algorithm → strongSwan; AEAD ciphers (ccm/gcm) carry their own integrity. */
const ENCRYPTION: Record<string, { name: string; aead: boolean }> = {
  '3des': { name: '3des', aead: false },
  'aes-128': { name: 'aes128', aead: false },
  'aes-192': { name: 'aes192', aead: false },
  'aes-256': { name: 'aes256', aead: false },
  'aes-128-ctr': { name: 'aes128ctr', aead: false },
  'aes-192-ctr': { name: 'aes192ctr', aead: false },
  'aes-256-ctr': { name: 'aes256ctr', aead: false },
};
for (const bits of [128, 192, 256]) {
  for (const mode of ['ccm', 'gcm']) {
    for (const icv of [8, 12, 16]) ENCRYPTION[`aes-${bits}-${mode}-${icv}`] = { name: `aes${bits}${mode}${icv}`, aead: true };
  }
}

/** Neutron auth_algorithm → strongSwan integrity algorithm (and, for IKE, the PRF keyword). */
const INTEGRITY: Record<string, { integ: string; prf: string }> = {
  md5: { integ: 'md5', prf: 'prfmd5' },
  sha1: { integ: 'sha1', prf: 'prfsha1' },
  sha256: { integ: 'sha256', prf: 'prfsha256' },
  sha384: { integ: 'sha384', prf: 'prfsha384' },
  sha512: { integ: 'sha512', prf: 'prfsha512' },
  'aes-xcbc': { integ: 'aesxcbc', prf: 'prfaesxcbc' },
  'aes-cmac': { integ: 'aescmac', prf: 'prfaescmac' },
};

/** Neutron pfs groupN → strongSwan DH group keyword (RFC 3526 / 5114 / 5903 / 7027 / 8031 numbering). */
const DH_GROUPS: Record<string, string> = {
  group1: 'modp768', group2: 'modp1024', group5: 'modp1536', group14: 'modp2048', group15: 'modp3072',
  group16: 'modp4096', group17: 'modp6144', group18: 'modp8192', group19: 'ecp256', group20: 'ecp384',
  group21: 'ecp521', group22: 'modp1024s160', group23: 'modp2048s224', group24: 'modp2048s256', group25: 'ecp192',
  group26: 'ecp224', group27: 'ecp224bp', group28: 'ecp256bp', group29: 'ecp384bp', group30: 'ecp512bp',
  group31: 'curve25519', group32: 'curve448',
};

function lookup<T>(table: Record<string, T>, key: string, what: string): T {
  const v = Object.hasOwn(table, key) ? table[key] : undefined;
  if (v === undefined) throw new DriverError('FAILED', `unsupported ${what} '${key}' (known: ${Object.keys(table).join(', ')})`);
  return v;
}

export const dhGroup = (pfs: string) => lookup(DH_GROUPS, pfs, 'PFS group');

/** IKE proposal: encryption-integrity-prf-dh (AEAD: encryption-prf-dh). */
export function ikeProposal(p: { encryptionAlgorithm: string; authAlgorithm: string; pfs: string }): string {
  const enc = lookup(ENCRYPTION, p.encryptionAlgorithm, 'IKE encryption algorithm');
  const auth = lookup(INTEGRITY, p.authAlgorithm, 'IKE auth algorithm');
  const dh = dhGroup(p.pfs);
  return enc.aead ? `${enc.name}-${auth.prf}-${dh}` : `${enc.name}-${auth.integ}-${auth.prf}-${dh}`;
}

/** ESP proposal: encryption-integrity-dh (AEAD: encryption-dh); the DH group gives PFS on rekeying. */
export function espProposal(p: { encryptionAlgorithm: string; authAlgorithm: string; pfs: string }): string {
  const enc = lookup(ENCRYPTION, p.encryptionAlgorithm, 'IPsec encryption algorithm');
  const auth = lookup(INTEGRITY, p.authAlgorithm, 'IPsec auth algorithm');
  const dh = dhGroup(p.pfs);
  return enc.aead ? `${enc.name}-${dh}` : `${enc.name}-${auth.integ}-${dh}`;
}

/** AH proposal: integrity-dh. */
export function ahProposal(p: { authAlgorithm: string; pfs: string }): string {
  return `${lookup(INTEGRITY, p.authAlgorithm, 'IPsec auth algorithm').integ}-${dhGroup(p.pfs)}`;
}
