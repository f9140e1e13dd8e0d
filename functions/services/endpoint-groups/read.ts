// Reading endpoint groups, tenant-scoped (another tenant's group is "not found").
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { endpointGroups } from '../../db/schema';
import { visibleOr404 } from '../../http/auth';
import type { Auth } from '../../http/env';
import { endpointGroupView } from './view';
import { findById } from '../../db/prepared';

/** The row, if the caller may see it (404 otherwise): for a row read in a batch (functions/db/batch.ts). */
export const visibleEndpointGroup = (auth: Auth, row: typeof endpointGroups.$inferSelect | undefined, id: string) => visibleOr404(auth, row, 'Endpoint group', id, 'VPNEndpointGroupNotFound');

export async function getEndpointGroupRow(db: Db, auth: Auth, id: string) {
  return visibleEndpointGroup(auth, await findById(db, endpointGroups, id), id);
}

export async function showEndpointGroup(db: Db, auth: Auth, id: string) {
  return endpointGroupView(await getEndpointGroupRow(db, auth, id));
}

export async function listEndpointGroups(db: Db, auth: Auth) {
  const rows = auth.role === 'admin'
    ? await db.select().from(endpointGroups)
    : await db.select().from(endpointGroups).where(eq(endpointGroups.tenantId, auth.tenantId));
  return rows.map(endpointGroupView);
}
