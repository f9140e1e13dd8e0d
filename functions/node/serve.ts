// `berth serve`: the embedded default — HTTP API on BERTH_HOST:BERTH_PORT over a libSQL file database,
// creating .berth/ and its generated secrets on first start; the MQTT side (embedded broker unless
// BERTH_MQTT_URL is set, the control client, ingest) and the periodic tick (the leased controller, relay).
import { readFileSync } from 'node:fs';
import { serve, type ServerType } from '@hono/node-server';
import { systemClock } from '../../shared/clock';
import { cryptoIds } from '../../shared/ids';
import { createApp } from '../app';
import { configFrom, parseEnv, type Config } from '../config';
import { SecretBox } from '../crypto';
import type { Database } from '../db/client';
import { openNodeDatabase } from './database';
import type { Deps } from '../deps';
import { IngestBatcher } from '../ingest/batcher';
import { markAllHostsDirty } from '../relay/relay';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker';
import { subscribeIngest } from './ingest-subscriber';
import { LivenessGate } from '../ingest/liveness-gate';
import { CONTROLLER_LEASE_TTL_MS } from '../controller/tick';
import { createNodeLogger } from './logger';
import { createMetrics } from './metrics';
import { createNodeObserver } from './observer';
import { Registry } from 'prom-client';
import { nodeDocsAssets } from './docs-assets';
import { connectControl, controlPassword, MqttPublisher } from './mqtt';
import { startTick } from './tick';
import { applyMigrations } from './migrate';
import { loadSecret, secretFromFileOrNew, secretPaths, stateDirFor } from './secrets';
import { checkSecretKey } from './secret-check';
import { allCredentials, databaseCredentialStore } from '../services/hosts/credentials';
import { makeStateDir, restrictDatabaseFiles } from './state-dir';

export interface RunningServer {
  deps: Deps;
  url: string;
  /** The broker agents connect to (the embedded one, or BERTH_MQTT_URL). */
  mqttUrl: string;
  ingest: IngestBatcher;
  broker?: EmbeddedBroker;
  close(): Promise<void>;
}

export async function startServer(rawEnv: Record<string, string | undefined> = process.env): Promise<RunningServer> {
  const env = parseEnv(rawEnv);
  const stateDir = stateDirFor(env.BERTH_DB_URL);
  makeStateDir(stateDir);
  if (Boolean(env.BERTH_MQTT_TLS_CERT) !== Boolean(env.BERTH_MQTT_TLS_KEY)) throw new Error('BERTH_MQTT_TLS_CERT and BERTH_MQTT_TLS_KEY go together: set both (PEM files) or neither');
  const paths = secretPaths(stateDir);
  const secretKey = loadSecret(env.BERTH_SECRET_KEY, paths.secretKey, 'BERTH_SECRET_KEY');
  const config: Config = configFrom(env, {
    adminToken: secretFromFileOrNew(env.BERTH_ADMIN_TOKEN, paths.adminToken),
    agentToken: secretFromFileOrNew(env.BERTH_AGENT_TOKEN, paths.agentToken),
    secretKey: secretKey.value,
    telemetryToken: secretFromFileOrNew(env.BERTH_TELEMETRY_TOKEN, paths.telemetryToken), // functions/node/telemetry-acl.ts, GET /metrics
  });
  const logger = createNodeLogger('berth');
  // A bug that escapes every handler still ends the process (its state may be broken; a supervisor restarts it,
  // and nothing that matters lives only in memory) — but in the JSON log with its stack, not only on stderr.
  const fatal = (kind: string) => (e: unknown) => {
    logger.error({ err: (e as Error)?.message ?? String(e), stack: (e as Error)?.stack }, `${kind}: berth serve exits`);
    process.exit(1);
  };
  process.on('uncaughtException', fatal('uncaught exception'));
  process.on('unhandledRejection', fatal('unhandled rejection'));
  const database: Database = await openNodeDatabase({ url: config.dbUrl, authToken: config.dbAuthToken });
  await applyMigrations(database);
  restrictDatabaseFiles(config.dbUrl);
  const secrets = new SecretBox(config.secretKey);
  try {
    await checkSecretKey(database, secrets, secretKey);
  } catch (e) {
    database.close();
    throw e;
  }

  const credentials = {
    agentToken: config.agentToken,
    controlPassword: await controlPassword(config.adminToken),
    telemetryToken: config.telemetryToken,
    hosts: databaseCredentialStore(database, () => ({ now: systemClock.now(), approval: config.hostApproval ?? 'auto' })),
  };
  const tls = config.mqttTls;
  const broker = config.mqttUrl ? undefined : await startEmbeddedBroker({
    host: config.host, port: config.mqttPort, credentials, logger, tls, allCredentials: () => allCredentials(database.db),
  });
  const mqttUrl = config.mqttUrl ?? broker!.url;
  const mqttClient = connectControl(mqttUrl, credentials.controlPassword, logger, broker && tls ? readFileSync(tls.certFile) : undefined);
  // Hosts are judged silent only while we can hear them: connected to the broker for at least hostDeadAfter.
  let hearingSince: number | null = null;
  mqttClient.on('connect', () => { hearingSince = systemClock.now(); });
  mqttClient.on('close', () => { hearingSince = null; });
  const deps: Deps = { database, clock: systemClock, ids: cryptoIds, logger, config, publisher: new MqttPublisher(mqttClient), secrets };
  deps.credentialChanged = (hostId) => {
    broker?.recheck(hostId).catch((e) => logger.error({ err: String((e as Error)?.message ?? e) }, 'cannot re-check a host credential'));
  };
  // On an external broker every replica hears every host; only the lease holder applies liveness (issue 12).
  const liveness = broker ? undefined : new LivenessGate(CONTROLLER_LEASE_TTL_MS, systemClock.now);
  const ingest = new IngestBatcher(deps, { liveness });
  const registry = new Registry();
  deps.observer = createNodeObserver(registry);
  deps.metrics = createMetrics({ database, ingestStats: () => ingest.stats(), registry });
  deps.docsAssets = nodeDocsAssets();
  subscribeIngest(mqttClient, ingest, { shared: broker === undefined })
    .catch((e) => logger.error({ err: String((e as Error)?.message ?? e) }, 'cannot subscribe to agent topics'));
  // Every (re)connect of the control client republishes every host: the embedded broker keeps retained messages
  // in memory only, and an external broker that restarted may have lost them (issue 10: no silent loss).
  mqttClient.on('connect', () => {
    markAllHostsDirty(deps).catch((e) => logger.error({ err: String((e as Error)?.message ?? e) }, 'cannot mark hosts for republishing'));
  });
  if (broker) await markAllHostsDirty(deps);
  const tick = startTick(deps, { hearingSince: () => hearingSince, liveness });

  const app = createApp(deps);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = `http://${config.host}:${port}`;
  logger.info({ url, mqtt: mqttUrl, db: config.dbUrl, adminTokenFile: env.BERTH_ADMIN_TOKEN ? undefined : paths.adminToken }, 'berth serving');
  return {
    deps,
    url,
    mqttUrl,
    ingest,
    broker,
    close: async () => {
      const closed = new Promise<void>((r) => server.close(() => r()));
      // Event streams (GET /v1/events, the dashboard) never end by themselves: give in-flight requests a moment,
      // then cut whatever is still open so a stop is not held up by a browser tab.
      const cut = setTimeout(() => { if ('closeAllConnections' in server) server.closeAllConnections(); }, 1000);
      await closed;
      clearTimeout(cut);
      await tick.stop();
      await ingest.flush();
      await mqttClient.endAsync();
      await broker?.close();
      database.close();
    },
  };
}
