// /v2.0/vpn/ikepolicies (stub: to be implemented).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';

export function ikePolicyRoutes() {
  const r = new Hono<AppEnv>();
  return r;
}
