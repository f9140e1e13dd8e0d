// /v2.0/vpn/ipsec-site-connections (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function siteConnectionRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
