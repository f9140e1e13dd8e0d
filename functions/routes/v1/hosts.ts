// /v1/hosts (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function hostRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
