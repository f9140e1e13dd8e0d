// /v1/port-groups (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function portGroupRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
