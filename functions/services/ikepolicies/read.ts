// Reading IKE policies, tenant-scoped (another tenant's policy is "not found").
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { ikePolicies } from '../../db/schema';
import { visibleOr404 } from '../../http/auth';
import type { Auth } from '../../http/env';
import { ikePolicyView } from './view';
import { findById } from '../../db/prepared';

/** The row, if the caller may see it (404 otherwise): for a row read in a batch (functions/db/batch.ts). */
export const visibleIkePolicy = (auth: Auth, row: typeof ikePolicies.$inferSelect | undefined, id: string) => visibleOr404(auth, row, 'IKEPolicy', id, 'IKEPolicyNotFound');

export async function getIkePolicyRow(db: Db, auth: Auth, id: string) {
  return visibleIkePolicy(auth, await findById(db, ikePolicies, id), id);
}

export async function showIkePolicy(db: Db, auth: Auth, id: string) {
  return ikePolicyView(await getIkePolicyRow(db, auth, id));
}

export async function listIkePolicies(db: Db, auth: Auth) {
  const rows = auth.role === 'admin'
    ? await db.select().from(ikePolicies)
    : await db.select().from(ikePolicies).where(eq(ikePolicies.tenantId, auth.tenantId));
  return rows.map(ikePolicyView);
}
