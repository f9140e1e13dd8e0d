// Reading IPsec site connections, tenant-scoped (another tenant's connection is "not found").
import { eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { ipsecSiteConnections } from '../../db/schema';
import { visibleOr404 } from '../../http/auth';
import type { Auth } from '../../http/env';
import { siteConnectionView } from './view';
import { findById } from '../../db/prepared';

export async function getSiteConnectionRow(db: Db, auth: Auth, id: string) {
  const row = await findById(db, ipsecSiteConnections, id);
  return visibleOr404(auth, row, 'ipsec_site_connection', id, 'IPsecSiteConnectionNotFound');
}

export async function showSiteConnection(db: Db, auth: Auth, id: string) {
  return siteConnectionView(await getSiteConnectionRow(db, auth, id));
}

export async function listSiteConnections(db: Db, auth: Auth) {
  const rows = auth.role === 'admin'
    ? await db.select().from(ipsecSiteConnections)
    : await db.select().from(ipsecSiteConnections).where(eq(ipsecSiteConnections.tenantId, auth.tenantId));
  return rows.map(siteConnectionView);
}
