// /v2.0/vpn/ipsecpolicies (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function ipsecPolicyRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
