// `berth serve`: the embedded default — HTTP API on BERTH_HOST:BERTH_PORT over a libSQL file database,
// creating .berth/ and its generated secrets on first start.
import { mkdirSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import { systemClock } from '../../shared/clock';
import { cryptoIds } from '../../shared/ids';
import { createApp } from '../app';
import { configFrom, parseEnv, type Config } from '../config';
import { SecretBox } from '../crypto';
import { openDatabase, type Database } from '../db/client';
import { nullPublisher, type Deps } from '../deps';
import { createNodeLogger } from './logger';
import { applyMigrations } from './migrate';
import { secretFromFileOrNew, secretPaths, stateDirFor } from './secrets';

export interface RunningServer {
  deps: Deps;
  url: string;
  close(): Promise<void>;
}

export async function startServer(rawEnv: Record<string, string | undefined> = process.env): Promise<RunningServer> {
  const env = parseEnv(rawEnv);
  const stateDir = stateDirFor(env.BERTH_DB_URL);
  mkdirSync(stateDir, { recursive: true });
  const paths = secretPaths(stateDir);
  const config: Config = configFrom(env, {
    adminToken: secretFromFileOrNew(env.BERTH_ADMIN_TOKEN, paths.adminToken),
    agentToken: secretFromFileOrNew(env.BERTH_AGENT_TOKEN, paths.agentToken),
    secretKey: secretFromFileOrNew(env.BERTH_SECRET_KEY, paths.secretKey),
  });
  const logger = createNodeLogger('berth');
  const database: Database = await openDatabase({ url: config.dbUrl, authToken: config.dbAuthToken });
  await applyMigrations(database);
  const deps: Deps = { database, clock: systemClock, ids: cryptoIds, logger, config, publisher: nullPublisher, secrets: new SecretBox(config.secretKey) };
  const app = createApp(deps);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host}:${port}`;
  logger.info({ url, db: config.dbUrl, adminTokenFile: env.BERTH_ADMIN_TOKEN ? undefined : paths.adminToken }, 'berth serving');
  return {
    deps,
    url,
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      database.close();
    },
  };
}
