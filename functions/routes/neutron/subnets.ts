// /v2.0/subnets (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function subnetRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
