// /v2.0/vpn/endpoint-groups (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function endpointGroupRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
