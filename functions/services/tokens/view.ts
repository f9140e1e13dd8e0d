// API tokens as the operator API shows them: never the secret or its hash (the secret is returned once, at creation).
import type { apiTokens } from '../../db/schema';
import { isoTime } from '../../../shared/clock';

export type ApiTokenRow = typeof apiTokens.$inferSelect;

export const tokenView = (t: ApiTokenRow) => ({
  id: t.id,
  tenantId: t.tenantId,
  role: t.role,
  createdAt: isoTime(t.createdAt),
});

export type TokenView = ReturnType<typeof tokenView>;

/** The answer to POST /v1/tokens: the only time the token itself is ever shown. */
export const issuedTokenView = (t: ApiTokenRow, token: string) => ({ id: t.id, tenantId: t.tenantId, role: t.role, token });
