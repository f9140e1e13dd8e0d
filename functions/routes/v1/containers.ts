// /v1/containers (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function containerRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
