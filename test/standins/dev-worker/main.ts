// `npm run dev:worker`: the serverless control plane on this machine. The only process of berth's that decides
// anything is the Worker under `wrangler dev --local` (workerd). Everything else here is a STAND-IN for a managed
// service of a production deployment, and says so in its log line:
//   - sqld/Turso          → the test-only libSQL HTTP endpoint (test/standins/libsql-http) over BERTH_DB_URL's file
//   - the MQTT broker     → the embedded aedes broker with berth's ACL (TCP for agents, WebSocket for the Worker)
//   - the broker's HTTP delivery (EMQX webhook / data integration) → `berth bridge` (functions/node/bridge.ts)
//   - the Cron Trigger    → a timer calling /__scheduled (crons never fire by themselves under wrangler dev)
// Same BERTH_* variables as `npm start`, so agents connect to it exactly as to `npm start`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cryptoIds } from '../../../shared/ids';
import { configFrom, parseEnv, type Config } from '../../../functions/config';
import { openDatabase } from '../../../functions/db/client';
import { startBridge } from '../../../functions/node/bridge';
import { startEmbeddedBroker } from '../../../functions/node/broker';
import { allCredentials, databaseCredentialStore } from '../../../functions/services/hosts/credentials';
import { createNodeLogger } from '../../../functions/node/logger';
import { applyMigrations } from '../../../functions/node/migrate';
import { controlPassword } from '../../../functions/node/mqtt';
import { secretFromFileOrNew, secretPaths, stateDirFor } from '../../../functions/node/secrets';
import { startLibsqlHttpStandIn } from '../libsql-http/server';
import { PROJECT_DIR, startWranglerDev } from './wrangler';

export const DEV_WORKER_HELP = `usage: npm run dev:worker [-- --cron-ms MS]

Runs berth's serverless control plane locally: the Worker under wrangler dev --local (workerd), and stand-ins
for the managed services around it (a libSQL HTTP endpoint over BERTH_DB_URL's file, the embedded MQTT broker,
berth bridge as the broker's HTTP delivery, a timer for the cron trigger). No berth process that makes
decisions runs besides the Worker. Agents connect as to npm start: npm run agent -- --host-id h1 --driver sim

environment (as npm start): BERTH_PORT (8787), BERTH_HOST (127.0.0.1), BERTH_MQTT_PORT (1883),
BERTH_DB_URL (file:.berth/berth.db), BERTH_ADMIN_TOKEN, BERTH_AGENT_TOKEN, BERTH_SECRET_KEY,
BERTH_TELEMETRY_TOKEN (else the generated files beside the database, shared with npm start),
BERTH_HOST_DEAD_AFTER_MS (2000), BERTH_MAX_BODY_BYTES, BERTH_HOST_APPROVAL (auto), BERTH_MQTT_TLS_CERT/_KEY

flags:
  --cron-ms MS   how often the cron stand-in calls scheduled() (default 60000, as the "* * * * *" trigger;
                 [BERTH_DEV_CRON_MS])
  -h, --help     this text`;

/**
 * The Worker's bindings: where the stand-ins listen, the three secrets, and the deployment settings npm start also
 * reads (BERTH_HOST_DEAD_AFTER_MS, BERTH_MAX_BODY_BYTES), so one environment means the same on both.
 */
export function workerBindings(config: Config, at: { dbUrl: string; dbToken: string; mqttWsUrl: string }): Record<string, string> {
  return {
    BERTH_DB_URL: at.dbUrl, BERTH_DB_AUTH_TOKEN: at.dbToken, BERTH_MQTT_URL: at.mqttWsUrl,
    BERTH_ADMIN_TOKEN: config.adminToken, BERTH_AGENT_TOKEN: config.agentToken, BERTH_SECRET_KEY: config.secretKey,
    BERTH_MAX_BODY_BYTES: String(config.maxBodyBytes),
    ...(config.hostDeadAfterMs ? { BERTH_HOST_DEAD_AFTER_MS: String(config.hostDeadAfterMs) } : {}),
  };
}

export async function runDevWorker(argv: string[], rawEnv: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { 'cron-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (e) {
    console.error(`dev:worker: ${(e as Error).message}\n(see: npm run dev:worker -- --help)`);
    return 2;
  }
  if (values.help) {
    console.log(DEV_WORKER_HELP);
    return 0;
  }
  const cronText = values['cron-ms'] ?? rawEnv.BERTH_DEV_CRON_MS ?? '60000';
  const cronMs = Number(cronText);
  if (!/^\d+$/.test(cronText) || cronMs < 100 || cronMs > 3_600_000) {
    console.error('dev:worker: --cron-ms must be a whole number of ms in 100..3600000');
    return 2;
  }
  const env = parseEnv(rawEnv);
  if (!env.BERTH_DB_URL.startsWith('file:')) {
    console.error('dev:worker: BERTH_DB_URL must be a file: URL (the libSQL stand-in serves that file over HTTP)');
    return 2;
  }
  const stateDir = stateDirFor(env.BERTH_DB_URL);
  mkdirSync(stateDir, { recursive: true });
  const paths = secretPaths(stateDir);
  const config = configFrom(env, {
    adminToken: secretFromFileOrNew(env.BERTH_ADMIN_TOKEN, paths.adminToken),
    agentToken: secretFromFileOrNew(env.BERTH_AGENT_TOKEN, paths.agentToken),
    secretKey: secretFromFileOrNew(env.BERTH_SECRET_KEY, paths.secretKey),
  });
  const logger = createNodeLogger('berth-dev-worker');
  const scratch = mkdtempSync(join(tmpdir(), 'berth-dev-worker-'));
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.splice(0).reverse()) await s().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    const dbPath = config.dbUrl.slice('file:'.length);
    const dbToken = cryptoIds.token();
    const db = await startLibsqlHttpStandIn({ path: isAbsolute(dbPath) ? dbPath : resolve(dbPath), authToken: dbToken });
    stops.push(() => db.close());
    logger.info({ url: db.url, file: dbPath }, 'stand-in for sqld/Turso: test-only libSQL HTTP endpoint (Hrana over HTTP) listening');
    const migrator = await openDatabase({ url: db.url, authToken: dbToken });
    await applyMigrations(migrator);
    migrator.close();
    logger.info({}, 'stand-in for sqld/Turso: migrations applied over HTTP');

    const control = await controlPassword(config.adminToken);
    // The managed broker's auth reads berth's host credentials (EMQX: its HTTP/SQL authentication; here the database).
    const credDb = await openDatabase({ url: db.url, authToken: dbToken });
    stops.push(async () => credDb.close());
    const hosts = databaseCredentialStore(credDb, () => ({ now: Date.now(), approval: config.hostApproval ?? 'auto' }));
    const broker = await startEmbeddedBroker({
      host: config.host, port: config.mqttPort, logger, wsPort: 0,
      // The read-only telemetry consumer (user `telemetry`) gets in as on npm start's broker.
      credentials: { agentToken: config.agentToken, controlPassword: control, telemetryToken: secretFromFileOrNew(env.BERTH_TELEMETRY_TOKEN, paths.telemetryToken), hosts },
      tls: config.mqttTls, allCredentials: () => allCredentials(credDb.db),
    });
    stops.push(() => broker.close());
    logger.info({ url: broker.url, wsUrl: broker.wsUrl }, 'stand-in for the managed MQTT broker: embedded aedes with berth ACL (agents: TCP; the Worker: WebSocket)');

    const worker = await startWranglerDev({
      host: config.host,
      port: config.port,
      scratchDir: scratch,
      vars: workerBindings(config, { dbUrl: db.url, dbToken, mqttWsUrl: broker.wsUrl! }),
      onOutput: (line) => process.stdout.write(`[workerd] ${line}\n`),
    });
    stops.push(() => worker.stop());
    worker.process.once('exit', (code, signal) => {
      logger.error({ code, signal }, 'wrangler dev (the Worker) exited: dev:worker stops');
      void stopAll().then(() => process.exit(1));
    });
    logger.info({ url: worker.url, pid: worker.process.pid }, 'the Worker (functions/worker.ts) runs under wrangler dev --local (workerd): the only part that decides');

    const bridge = await startBridge({ mqttUrl: broker.url, ingestUrl: `${worker.url}/v1/agent-events`, controlPassword: control, shared: false, logger });
    stops.push(() => bridge.close());
    logger.info({ ingestUrl: `${worker.url}/v1/agent-events` }, "stand-in for the broker's HTTP delivery (EMQX webhook): berth bridge forwarding agent topics");

    const cron = setInterval(() => {
      fetch(`${worker.url}/__scheduled?cron=*+*+*+*+*`).then((r) => r.arrayBuffer()).catch((e) => logger.warn({ err: (e as Error).message }, 'stand-in for the Cron Trigger: /__scheduled failed'));
    }, cronMs);
    stops.push(async () => clearInterval(cron));
    logger.info({ everyMs: cronMs }, 'stand-in for the Cron Trigger: calling /__scheduled');
    logger.info({ url: worker.url, mqttUrl: broker.url, projectDir: PROJECT_DIR }, 'dev:worker ready');
  } catch (e) {
    logger.error({ err: (e as Error).message }, 'dev:worker could not start');
    await stopAll();
    return 1;
  }
  const stop = async () => {
    await stopAll();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  return -1;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runDevWorker(process.argv.slice(2)).then((code) => { if (code >= 0) process.exit(code); });
}
