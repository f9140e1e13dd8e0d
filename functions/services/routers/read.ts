// Reading routers, tenant-scoped (another tenant's router is "not found").
import { asc } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { routers } from '../../db/schema';
import { visibleOr404 } from '../../http/auth';
import type { Auth } from '../../http/env';
import { routerView, type RouterRow } from './view';
import { findById } from '../../db/prepared';

/** The row, if the caller may see it (404 otherwise): for a row read in a batch (functions/db/batch.ts). */
export const visibleRouter = (auth: Auth, row: RouterRow | undefined, id: string): RouterRow => visibleOr404(auth, row, 'Router', id, 'RouterNotFound');

export async function getRouterRow(db: Db, auth: Auth, id: string): Promise<RouterRow> {
  return visibleRouter(auth, await findById(db, routers, id), id);
}

export async function showRouter(db: Db, auth: Auth, id: string) {
  return routerView(await getRouterRow(db, auth, id));
}

export async function listRouters(db: Db, auth: Auth) {
  const rows = await db.select().from(routers).orderBy(asc(routers.createdAt), asc(routers.id));
  return rows.filter((r) => auth.role === 'admin' || r.tenantId === auth.tenantId).map(routerView);
}
