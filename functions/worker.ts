// Cloudflare Workers entry: the same Hono app; the database is a libSQL server (sqld/Turso) named by bindings.
// Migrations are applied by `berth serve` (or drizzle-kit migrate) against that server, not by the Worker.
import { systemClock } from '../shared/clock';
import { cryptoIds } from '../shared/ids';
import { consoleLogger } from '../shared/logger';
import { createApp } from './app';
import { configFrom, parseEnv } from './config';
import { SecretBox } from './crypto';
import { openDatabase } from './db/client';
import { nullPublisher } from './deps';
import type { ExecutionContext } from 'hono';

type Bindings = Record<string, string | undefined>;

async function appFor(env: Bindings) {
  const parsed = parseEnv(env);
  if (!parsed.BERTH_ADMIN_TOKEN || !parsed.BERTH_SECRET_KEY || !parsed.BERTH_AGENT_TOKEN) {
    throw new Error('Workers need BERTH_ADMIN_TOKEN, BERTH_AGENT_TOKEN and BERTH_SECRET_KEY set as secrets');
  }
  const config = configFrom(parsed, { adminToken: parsed.BERTH_ADMIN_TOKEN, agentToken: parsed.BERTH_AGENT_TOKEN, secretKey: parsed.BERTH_SECRET_KEY });
  const database = await openDatabase({ url: config.dbUrl, authToken: config.dbAuthToken });
  return createApp({ database, clock: systemClock, ids: cryptoIds, logger: consoleLogger, config, publisher: nullPublisher, secrets: new SecretBox(config.secretKey) });
}

export default {
  async fetch(request: Request, env: Bindings, ctx: ExecutionContext): Promise<Response> {
    const app = await appFor(env);
    return app.fetch(request, env, ctx);
  },
};
