// Reading IKE policies, tenant-scoped (another tenant's policy is "not found").
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { ikePolicies } from '../../db/schema';
import { visibleOr404 } from '../../http/auth';
import type { Auth } from '../../http/env';
import { ikePolicyView } from './view';
import { findById } from '../../db/prepared';

export async function getIkePolicyRow(db: Db, auth: Auth, id: string) {
  const row = await findById(db, ikePolicies, id);
  return visibleOr404(auth, row, 'IKEPolicy', id, 'IKEPolicyNotFound');
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
