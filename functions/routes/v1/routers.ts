// /v1/routers/{id}/southbound (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function routerSouthboundRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
