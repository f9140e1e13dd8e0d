// /v1/tokens (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function tokenRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
