// /v1/routers/{id}/southbound (admin only): what the translator wrote for a router.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { requireAdmin } from '../../http/auth';
import { routerSouthbound } from '../../translator/southbound-read';

export function routerSouthboundRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/:id/southbound', requireAdmin, async (c) => c.json(await routerSouthbound(c.var.deps.database.db, c.req.param('id'))));
  return r;
}
