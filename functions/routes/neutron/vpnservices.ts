// /v2.0/vpn/vpnservices (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function vpnServiceRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
