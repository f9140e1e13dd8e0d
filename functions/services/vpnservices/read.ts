// Reading VPN services, tenant-scoped (another tenant's service is "not found").
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { vpnServices } from '../../db/schema';
import { visibleOr404 } from '../../http/auth';
import type { Auth } from '../../http/env';
import { vpnServiceView } from './view';
import { findById } from '../../db/prepared';

/** The row, if the caller may see it (404 otherwise): for a row read in a batch (functions/db/batch.ts). */
export const visibleVpnService = (auth: Auth, row: typeof vpnServices.$inferSelect | undefined, id: string) => visibleOr404(auth, row, 'VPNService', id, 'VPNServiceNotFound');

export async function getVpnServiceRow(db: Db, auth: Auth, id: string) {
  return visibleVpnService(auth, await findById(db, vpnServices, id), id);
}

export async function showVpnService(db: Db, auth: Auth, id: string) {
  return vpnServiceView(await getVpnServiceRow(db, auth, id));
}

export async function listVpnServices(db: Db, auth: Auth) {
  const rows = auth.role === 'admin'
    ? await db.select().from(vpnServices)
    : await db.select().from(vpnServices).where(eq(vpnServices.tenantId, auth.tenantId));
  return rows.map(vpnServiceView);
}
