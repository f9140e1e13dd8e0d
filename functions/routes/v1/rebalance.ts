// POST /v1/rebalance (admin only): {dryRun = true, maxMoves = 10} → {moves: [{containerId, from, to, reason}], dryRun}.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { requireAdmin } from '../../http/auth';
import { readOptionalBody } from '../../http/body';
import { rebalance, rebalanceBody } from '../../services/rebalance/rebalance';
import { timersFor } from '../../controller/types';

export function rebalanceRoutes() {
  const r = new Hono<AppEnv>();
  r.use('*', requireAdmin);
  r.post('/', async (c) => {
    // No body means the defaults: a dry run of at most 10 moves.
    const body = await readOptionalBody(c, rebalanceBody);
    return c.json(await rebalance(c.var.deps, body, timersFor(c.var.deps.config)));
  });
  return r;
}
