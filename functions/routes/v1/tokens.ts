// /v1/tokens (admin only): issue a tenant token (shown once), list tokens without secrets, revoke one.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { requireAdmin } from '../../http/auth';
import { readBody } from '../../http/body';
import { listTokens } from '../../services/tokens/read';
import { createToken, revokeToken } from '../../services/tokens/write';
import { createTokenBody } from '../../services/tokens/schemas';

export function tokenRoutes() {
  const r = new Hono<AppEnv>();
  r.use('*', requireAdmin);
  r.get('/', async (c) => c.json({ tokens: await listTokens(c.var.deps.database.db) }));
  r.post('/', async (c) => {
    const body = await readBody(c, createTokenBody);
    return c.json({ token: await createToken(c.var.deps, body) }, 201);
  });
  r.delete('/:id', async (c) => {
    await revokeToken(c.var.deps, c.req.param('id'));
    return c.body(null, 204);
  });
  return r;
}
