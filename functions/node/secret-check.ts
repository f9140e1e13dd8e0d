// Start-up check that BERTH_SECRET_KEY (or .berth/secret-key) decrypts the pre-shared keys already stored: a
// missing or wrong key would otherwise drop every connection from the desired state and tear running tunnels
// down (issue 10, "no silent loss"). Refuses to start instead, naming the key's source and what to do.
import { unlinkSync } from 'node:fs';
import { ipsecSiteConnections } from '../db/schema';
import type { Database } from '../db/client';
import type { SecretBox } from '../crypto';
import type { LoadedSecret } from './secrets';

/** How many stored PSKs are tried (any one that fails refuses the start). */
const SAMPLE = 5;

export async function checkSecretKey(database: Database, box: Pick<SecretBox, 'decrypt'>, key: LoadedSecret): Promise<void> {
  const rows = await database.db.select({ psk: ipsecSiteConnections.pskCiphertext }).from(ipsecSiteConnections).limit(SAMPLE);
  let failed = 0;
  for (const r of rows) await box.decrypt(r.psk).catch(() => { failed++; });
  if (failed === 0) return;
  if (key.generated) {
    // Do not leave a wrong key behind: the operator's fix is to put the original file back.
    try { unlinkSync(key.source); } catch { /* already gone */ }
    throw new Error(`${key.source} was missing, and the database holds pre-shared keys encrypted with another key: `
      + `refusing to start (a new key would drop every VPN connection). Put the original key back in ${key.source} `
      + `(from a backup) or set BERTH_SECRET_KEY to it`);
  }
  throw new Error(`the secret key from ${key.source} cannot decrypt ${failed} of ${rows.length} stored pre-shared keys: refusing `
    + `to start (every such VPN connection would be dropped). Put the original key back in ${key.source}`);
}
