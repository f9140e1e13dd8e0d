// Issuing and revoking tenant API tokens. Only the SHA-256 of a token is stored; the token is shown once.
import { eq } from 'drizzle-orm';
import { badRequest, notFound } from '../../../shared/errors';
import type { Deps } from '../../deps';
import { apiTokens } from '../../db/schema';
import { sha256Hex } from '../../crypto';
import type { CreateTokenBody } from './schemas';
import { issuedTokenView, type ApiTokenRow } from './view';

export async function createToken(deps: Deps, body: CreateTokenBody) {
  // A tenant token for the admin's own tenant would let a tenant edit what the operator created as admin.
  if (body.tenantId === deps.config.adminTenantId) {
    throw badRequest(`tenantId '${body.tenantId}' is the admin's own tenant; use the admin token for it`);
  }
  const token = deps.ids.token();
  const row: ApiTokenRow = { id: deps.ids.uuid(), tokenHash: await sha256Hex(token), role: 'tenant', tenantId: body.tenantId, createdAt: deps.clock.now() };
  await deps.database.write((tx) => tx.insert(apiTokens).values(row));
  return issuedTokenView(row, token);
}

export async function revokeToken(deps: Deps, id: string) {
  await deps.database.write(async (tx) => {
    const removed = await tx.delete(apiTokens).where(eq(apiTokens.id, id)).returning({ id: apiTokens.id });
    if (removed.length === 0) throw notFound(`token ${id} not found`);
  });
}
