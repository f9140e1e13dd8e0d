// Reading routers, tenant-scoped (another tenant's router is "not found").
import { asc } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { routers } from '../../db/schema';
import { visibleOr404 } from '../../http/auth';
import type { Auth } from '../../http/env';
import { routerView, type RouterRow } from './view';
import { findById } from '../../db/prepared';

export async function getRouterRow(db: Db, auth: Auth, id: string): Promise<RouterRow> {
  const row = await findById(db, routers, id);
  return visibleOr404(auth, row, 'Router', id, 'RouterNotFound');
}

export async function showRouter(db: Db, auth: Auth, id: string) {
  return routerView(await getRouterRow(db, auth, id));
}

export async function listRouters(db: Db, auth: Auth) {
  const rows = await db.select().from(routers).orderBy(asc(routers.createdAt), asc(routers.id));
  return rows.filter((r) => auth.role === 'admin' || r.tenantId === auth.tenantId).map(routerView);
}
