// Authentication: `Authorization: Bearer <t>` or `X-Auth-Token: <t>`; the admin token from config, tenant tokens
// by SHA-256 hash in api_tokens. Tenancy helpers: a tenant sees only its own rows (others' are "not found").
import { eq } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import { AppError, notFound } from '../../shared/errors';
import { apiTokens } from '../db/schema';
import { sameSecretHashed, sha256Hex } from '../crypto';
import type { AppEnv, Auth } from './env';

const bearer = (h: string | undefined) => (h && /^Bearer\s+/i.test(h) ? h.replace(/^Bearer\s+/i, '').trim() : undefined);
const tokenOf = (c: { req: { header(name: string): string | undefined } }) => bearer(c.req.header('authorization')) ?? c.req.header('x-auth-token')?.trim();

export const authenticate = createMiddleware<AppEnv>(async (c, next) => {
  const token = tokenOf(c);
  if (!token) throw new AppError('UNAUTHENTICATED', 'missing token: send Authorization: Bearer <token> or X-Auth-Token');
  const { config, database } = c.var.deps;
  let auth: Auth | undefined;
  // Both sides hashed first: the comparison takes the same time whatever the admin token's length (issue 9).
  if (await sameSecretHashed(token, config.adminToken)) {
    auth = { role: 'admin', tenantId: config.adminTenantId };
  } else {
    const [row] = await database.db.select().from(apiTokens).where(eq(apiTokens.tokenHash, await sha256Hex(token))).limit(1);
    if (row) auth = { role: row.role === 'admin' ? 'admin' : 'tenant', tenantId: row.tenantId ?? config.adminTenantId };
  }
  if (!auth) throw new AppError('UNAUTHENTICATED', 'invalid token');
  c.set('auth', auth);
  await next();
});

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (c.var.auth.role !== 'admin') throw new AppError('FORBIDDEN', 'this operation needs the admin role');
  await next();
});

/**
 * GET /metrics (issue 9): the admin token, or the read-only telemetry token (BERTH_TELEMETRY_TOKEN: what a Prometheus
 * scrape carries, so the scraper holds no key to the API). The series name hosts, tenants' connections and VPN
 * services: no token is 401, a tenant's token 403.
 */
export const authenticateScrape = createMiddleware<AppEnv>(async (c, next) => {
  const token = tokenOf(c);
  const telemetry = c.var.deps.config.telemetryToken;
  if (token && telemetry && (await sameSecretHashed(token, telemetry))) return next();
  await authenticate(c, async () => { await requireAdmin(c, next); });
});

/** True when the caller may see a row owned by tenantId. */
export const canSee = (auth: Auth, tenantId: string) => auth.role === 'admin' || auth.tenantId === tenantId;

/** Returns the row if the caller may see it, else throws NOT_FOUND (never 403: existence is not leaked). */
export function visibleOr404<T extends { tenantId: string }>(auth: Auth, row: T | undefined, what: string, id: string, type?: string): T {
  if (!row || !canSee(auth, row.tenantId)) throw notFound(`${what} ${id} could not be found.`, type);
  return row;
}

/** The tenant a create acts for: a tenant always itself; an admin may name tenant_id/project_id. */
export function owningTenant(auth: Auth, body: { tenant_id?: string; project_id?: string }): string {
  const named = body.tenant_id ?? body.project_id;
  if (auth.role === 'tenant') {
    if (named !== undefined && named !== auth.tenantId) throw new AppError('BAD_REQUEST', 'a tenant may only create objects for its own tenant_id');
    return auth.tenantId;
  }
  return named ?? auth.tenantId;
}
