// Reading subnets, tenant-scoped: a tenant sees its own subnets and those of external networks.
import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { networks, subnets } from '../../db/schema';
import { canSee, visibleOr404 } from '../../http/auth';
import type { Auth } from '../../http/env';
import { notFound } from '../../../shared/errors';
import { subnetView, type SubnetRow } from './view';
import { findById } from '../../db/prepared';

const subnetNotFound = (id: string) => notFound(`Subnet ${id} could not be found.`, 'SubnetNotFound');

/** The subnet if the caller may see it (own, or on an external network — as its network is visible); else 404. */
export async function getSubnetRow(db: Db, auth: Auth, id: string): Promise<SubnetRow> {
  const row = await findById(db, subnets, id);
  if (row && !canSee(auth, row.tenantId)) {
    const [net] = await db.select({ external: networks.routerExternal }).from(networks).where(eq(networks.id, row.networkId)).limit(1);
    if (net?.external) return row;
  }
  return visibleOr404(auth, row, 'Subnet', id, 'SubnetNotFound');
}

/** The subnet if the caller owns it (admin: any) — for changes and for attaching it to a router. */
export async function getOwnSubnetRow(db: Db, auth: Auth, id: string): Promise<SubnetRow> {
  const row = await getSubnetRow(db, auth, id);
  if (!canSee(auth, row.tenantId)) throw subnetNotFound(id);
  return row;
}

export async function showSubnet(db: Db, auth: Auth, id: string) {
  return subnetView(await getSubnetRow(db, auth, id));
}

export async function listSubnets(db: Db, auth: Auth) {
  const rows = await db.select().from(subnets).orderBy(asc(subnets.createdAt), asc(subnets.id));
  if (auth.role === 'admin') return rows.map(subnetView);
  const foreignNets = [...new Set(rows.filter((r) => r.tenantId !== auth.tenantId).map((r) => r.networkId))];
  const external = new Set(
    foreignNets.length
      ? (await db.select({ id: networks.id, ext: networks.routerExternal }).from(networks).where(inArray(networks.id, foreignNets))).filter((n) => n.ext).map((n) => n.id)
      : [],
  );
  return rows.filter((r) => r.tenantId === auth.tenantId || external.has(r.networkId)).map(subnetView);
}
