// Reading networks, tenant-scoped.
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { networks, subnets } from '../../db/schema';
import { visibleOr404 } from '../../http/auth';
import type { Auth } from '../../http/env';
import { networkView } from './view';
import { findById } from '../../db/prepared';

export async function getNetworkRow(db: Db, auth: Auth, id: string) {
  const row = await findById(db, networks, id);
  // A tenant may also see (and attach to) external networks of others, as in Neutron.
  if (row && row.routerExternal) return row;
  return visibleOr404(auth, row, 'Network', id, 'NetworkNotFound');
}

export async function showNetwork(db: Db, auth: Auth, id: string) {
  const row = await getNetworkRow(db, auth, id);
  const subs = await db.select({ id: subnets.id }).from(subnets).where(eq(subnets.networkId, id));
  return networkView(row, subs.map((s) => s.id));
}

export async function listNetworks(db: Db, auth: Auth) {
  const rows = await db.select().from(networks);
  const visible = rows.filter((r) => auth.role === 'admin' || r.tenantId === auth.tenantId || r.routerExternal);
  const subs = visible.length ? await db.select({ id: subnets.id, networkId: subnets.networkId }).from(subnets).where(inArray(subnets.networkId, visible.map((v) => v.id))) : [];
  return visible.map((n) => networkView(n, subs.filter((s) => s.networkId === n.id).map((s) => s.id)));
}
