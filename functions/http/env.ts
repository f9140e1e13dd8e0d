// The typed Hono environment shared by every route: deps, the caller's identity and the request id.
import type { Context, Hono } from 'hono';
import type { Deps } from '../deps';

export interface Auth {
  role: 'admin' | 'tenant';
  /** The caller's tenant (for admin: config.adminTenantId). */
  tenantId: string;
}

export interface AppEnv {
  Variables: { deps: Deps; auth: Auth; requestId: string };
}

export type AppContext = Context<AppEnv>;
export type AppHono = Hono<AppEnv>;
