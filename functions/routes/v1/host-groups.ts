// /v1/host-groups (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function hostGroupRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
