// Reading IPsec policies, tenant-scoped (another tenant's policy is "not found").
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { ipsecPolicies } from '../../db/schema';
import { visibleOr404 } from '../../http/auth';
import type { Auth } from '../../http/env';
import { ipsecPolicyView } from './view';
import { findById } from '../../db/prepared';

/** The row, if the caller may see it (404 otherwise): for a row read in a batch (functions/db/batch.ts). */
export const visibleIpsecPolicy = (auth: Auth, row: typeof ipsecPolicies.$inferSelect | undefined, id: string) => visibleOr404(auth, row, 'IPsecPolicy', id, 'IPsecPolicyNotFound');

export async function getIpsecPolicyRow(db: Db, auth: Auth, id: string) {
  return visibleIpsecPolicy(auth, await findById(db, ipsecPolicies, id), id);
}

export async function showIpsecPolicy(db: Db, auth: Auth, id: string) {
  return ipsecPolicyView(await getIpsecPolicyRow(db, auth, id));
}

export async function listIpsecPolicies(db: Db, auth: Auth) {
  const rows = auth.role === 'admin'
    ? await db.select().from(ipsecPolicies)
    : await db.select().from(ipsecPolicies).where(eq(ipsecPolicies.tenantId, auth.tenantId));
  return rows.map(ipsecPolicyView);
}
