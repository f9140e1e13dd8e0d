// GET /v1/topology (admin only): the virtual layer in one answer, for the dashboard (shared/model/topology.ts).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { requireAdmin } from '../../http/auth';
import { readTopology } from '../../services/topology/read';
import { topologyResponse } from '../../../shared/model/topology';

export { topologyResponse };

export function topologyRoutes() {
  const r = new Hono<AppEnv>();
  r.use('*', requireAdmin);
  r.get('/', async (c) => c.json(await readTopology(c.var.deps.database.db)));
  return r;
}
