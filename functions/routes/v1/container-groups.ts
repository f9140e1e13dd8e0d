// /v1/container-groups (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function containerGroupRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
