// Cloudflare Workers entry: the serverless control plane (DESIGN section 1, "a pipeline of functions").
// fetch: the API, and POST /v1/agent-events (the broker's HTTP delivery); an API write that succeeded, or an ingest
// batch that calls for it, hands on to the pipeline (controller step, drains, relay: functions/worker/pipeline.ts)
// in ctx.waitUntil. scheduled: the cron sweep runs the same pipeline. Each invocation builds its own database
// client and app; the isolate keeps only the validated bindings and a round-trip counter (nothing that matters).
// Migrations are applied against the remote database before deploying (README, "Serverless").
import { systemClock } from '../shared/clock';
import { cryptoIds } from '../shared/ids';
import { consoleLogger } from '../shared/logger';
import { createApp, type App } from './app';
import { configFrom, parseEnv, type Config } from './config';
import { controlPassword, SecretBox } from './crypto';
import { openDatabase, RoundTrips } from './db/client';
import { nullPublisher, type Deps } from './deps';
import { ingestHttp } from './ingest/http';
import { InvocationPublisher } from './worker/publisher';
import { ingestStartsPipeline, pipelineDefaults, runPipeline } from './worker/pipeline';

type Bindings = Record<string, string | undefined>;

interface WaitUntil {
  waitUntil(p: Promise<unknown>): void;
}

interface Instance {
  deps: Deps;
  app: App;
  /** A fresh publisher for one pipeline run (null: no BERTH_MQTT_URL). */
  publisher: () => InvocationPublisher | null;
}

/** What an isolate may keep between invocations: validated bindings and derived secrets — data, no I/O objects. */
interface Settings {
  config: Config;
  password: string;
  roundTrips: RoundTrips;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
let cached: { key: string; settings: Promise<Settings> } | null = null;

/** The isolate's settings for these bindings (rebuilt when they change; a failed build is not kept). */
function settingsFor(env: Bindings): Promise<Settings> {
  const key = JSON.stringify(Object.entries(env).filter(([k, v]) => k.startsWith('BERTH_') && typeof v === 'string').sort());
  if (cached?.key === key) return cached.settings;
  const settings = readSettings(env);
  cached = { key, settings };
  settings.catch(() => { if (cached?.settings === settings) cached = null; });
  return settings;
}

async function readSettings(env: Bindings): Promise<Settings> {
  const parsed = parseEnv(env);
  if (!parsed.BERTH_ADMIN_TOKEN || !parsed.BERTH_SECRET_KEY || !parsed.BERTH_AGENT_TOKEN) {
    throw new Error('Workers need BERTH_ADMIN_TOKEN, BERTH_AGENT_TOKEN and BERTH_SECRET_KEY set as secrets');
  }
  const config = configFrom(parsed, { adminToken: parsed.BERTH_ADMIN_TOKEN, agentToken: parsed.BERTH_AGENT_TOKEN, secretKey: parsed.BERTH_SECRET_KEY });
  return { config, password: await controlPassword(config.adminToken), roundTrips: new RoundTrips() };
}

/**
 * One invocation's database and app. Never shared between invocations: workerd ties every I/O object (a fetch to
 * the database) to the request that made it, and Database queues writes of concurrent callers into one
 * transaction — a write queued by request B behind request A's transaction waits on A's I/O, which workerd
 * cancels as a hung request (seen under dev:worker: "The Workers runtime canceled this request because it
 * detected that your Worker's code had hung", after which the shared queue never ran again). Building both
 * costs well under a millisecond once the isolate is warm.
 */
async function instanceFor(env: Bindings): Promise<Instance> {
  const { config, password, roundTrips } = await settingsFor(env);
  const database = await openDatabase({ url: config.dbUrl, authToken: config.dbAuthToken, roundTrips });
  // The API itself publishes only best-effort telemetry (rebalance events): dropped here; container_events keep it.
  const deps: Deps = { database, clock: systemClock, ids: cryptoIds, logger: consoleLogger, config, publisher: nullPublisher, secrets: new SecretBox(config.secretKey) };
  deps.metrics = async () => `# HELP berth_db_round_trips_total HTTP requests this isolate sent to the database.\n# TYPE berth_db_round_trips_total counter\nberth_db_round_trips_total ${roundTrips.total}\n`;
  const publisher = () => (config.mqttUrl ? new InvocationPublisher(config.mqttUrl, password) : null);
  const o = pipelineDefaults();
  const app = createApp(deps, {
    agentEvents: async (c) => {
      const { response, outcome } = await ingestHttp(c, { hearingWindowMs: o.hearingWindowMs });
      if (ingestStartsPipeline(outcome)) c.executionCtx.waitUntil(pipeline({ deps, publisher }));
      return response;
    },
  });
  return { deps, app, publisher };
}

/** One pipeline pass with its own broker connection, closed before the invocation ends. */
async function pipeline(inst: Pick<Instance, 'deps' | 'publisher'>): Promise<void> {
  const publisher = inst.publisher();
  try {
    const r = await runPipeline(inst.deps, publisher);
    inst.deps.logger.debug({ ...r, relay: r.relay && { published: r.relay.published.length, failed: r.relay.failed.length }, connectMs: publisher?.connectMs }, 'pipeline pass');
  } finally {
    await publisher?.close();
  }
}

export default {
  async fetch(request: Request, env: Bindings, ctx: WaitUntil): Promise<Response> {
    // The ingest route schedules its own pass (only when due); every other successful write hands on at once.
    const inst = await instanceFor(env);
    const response = await inst.app.fetch(request, env, ctx as never);
    const path = new URL(request.url).pathname;
    if (MUTATING.has(request.method) && response.status < 400 && path !== '/v1/agent-events') ctx.waitUntil(pipeline(inst));
    return response;
  },

  async scheduled(_controller: unknown, env: Bindings, ctx: WaitUntil): Promise<void> {
    const inst = await instanceFor(env);
    ctx.waitUntil(pipeline(inst));
  },
};
