// /v2.0/routers, add_router_interface, remove_router_interface (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function routerRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
