// Cloudflare Workers entry: the serverless control plane (DESIGN section 1, "a pipeline of functions").
// fetch: the API, and POST /v1/agent-events (the broker's HTTP delivery); an API write that succeeded, or an ingest
// batch that calls for it, hands on to the pipeline (controller step, drains, relay: functions/worker/pipeline.ts)
// in ctx.waitUntil; an ingest batch's accepted tunnel reports are republished for telemetry consumers there too. scheduled: the cron sweep runs the same pipeline.
// Per isolate, keyed by the bindings, only what is pure is cached: the parsed config, the derived control
// credential and the Hono app (building it costs ~10 ms). Each invocation opens its own database client (no network
// until the first query; workerd forbids one request's I/O objects — an open transaction's stream — in another)
// and its own broker connection. Nothing that matters lives in the isolate.
// Migrations are applied against the remote database before deploying (README, "Serverless").
import { systemClock } from '../shared/clock';
import { cryptoIds } from '../shared/ids';
import { consoleLogger } from '../shared/logger';
import { createApp, type App } from './app';
import { workerDocsAssets } from './worker/docs-assets';
import { configFrom, parseEnv, type Config } from './config';
import { controlPassword, SecretBox } from './crypto';
import { openDatabase } from './db/client';
import { nullPublisher, type Deps } from './deps';
import type { AppContext } from './http/env';
import { ingestHttp } from './ingest/http';
import { publishTunnelTelemetry } from './ingest/telemetry';
import type { TunnelTelemetry } from '../shared/protocol/messages';
import { InvocationPublisher } from './worker/publisher';
import { ingestStartsPipeline, pipelineDefaults, runPipeline } from './worker/pipeline';

type Bindings = Record<string, string | undefined>;

interface WaitUntil {
  waitUntil(p: Promise<unknown>): void;
}

interface Instance {
  config: Config;
  /** The control credential (broker password, ingest bearer). */
  password: string;
  app: App;
}

/** What an invocation passes the cached app as its env: its own deps. */
interface InvocationEnv {
  berthDeps: Deps;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const AGENT_EVENTS = '/v1/agent-events';
/** The response header that says how many database round trips the request itself took (benchmarks). */
// Not exported: workerd takes every named export of the main module for an entrypoint (a string breaks start-up).
const ROUND_TRIPS_HEADER = 'x-berth-db-round-trips';
let cached: { key: string; instance: Instance } | null = null;

/**
 * The isolate's instance for these bindings (rebuilt when they change; a failed build is not kept). The built
 * value is cached, never the promise of it: a promise made in one request and awaited by another is one of the
 * I/O objects workerd ties to its request ("Cannot perform I/O on behalf of a different request"; the runtime
 * then cancelled the waiting request as hung). Two requests arriving before the first build ends each build one.
 */
async function instanceFor(env: Bindings): Promise<Instance> {
  const key = JSON.stringify(Object.entries(env).filter(([k, v]) => k.startsWith('BERTH_') && typeof v === 'string').sort());
  if (cached?.key === key) return cached.instance;
  const instance = await build(env);
  cached = { key, instance };
  return instance;
}

async function build(env: Bindings): Promise<Instance> {
  const parsed = parseEnv(env);
  if (!parsed.BERTH_ADMIN_TOKEN || !parsed.BERTH_SECRET_KEY || !parsed.BERTH_AGENT_TOKEN) {
    throw new Error('Workers need BERTH_ADMIN_TOKEN, BERTH_AGENT_TOKEN and BERTH_SECRET_KEY set as secrets');
  }
  const config = configFrom(parsed, { adminToken: parsed.BERTH_ADMIN_TOKEN, agentToken: parsed.BERTH_AGENT_TOKEN, secretKey: parsed.BERTH_SECRET_KEY });
  const password = await controlPassword(config.adminToken);
  const o = pipelineDefaults(config);
  const depsOf = (c: AppContext) => (c.env as unknown as InvocationEnv).berthDeps;
  const instance: Instance = { config, password, app: undefined as unknown as App };
  instance.app = createApp(undefined as unknown as Deps, {
    depsOf,
    agentEvents: async (c) => {
      const { response, outcome } = await ingestHttp(c, { hearingWindowMs: o.hearingWindowMs });
      const pass = ingestStartsPipeline(outcome);
      if (pass || outcome.telemetry.length > 0) c.executionCtx.waitUntil(pipeline(instance, depsOf(c), { telemetry: outcome.telemetry, pass }));
      return response;
    },
  });
  return instance;
}

/** This invocation's deps: its own database client (and, in the pipeline, its own broker connection). */
async function invocationDeps(inst: Instance): Promise<Deps> {
  const database = await openDatabase({ url: inst.config.dbUrl, authToken: inst.config.dbAuthToken });
  // The API publishes only best-effort telemetry (rebalance events): dropped here; container_events keep it.
  const deps: Deps = { database, clock: systemClock, ids: cryptoIds, logger: consoleLogger, config: inst.config, publisher: nullPublisher, secrets: new SecretBox(inst.config.secretKey), docsAssets: workerDocsAssets };
  return deps;
}

/**
 * What an invocation hands on, over its own broker connection (closed before the invocation ends): an ingest batch's
 * tunnel telemetry (published exactly as berth serve's ingest does: functions/ingest/telemetry.ts), then, unless
 * `pass` is false, one pipeline pass.
 */
async function pipeline(inst: Instance, deps: Deps, o: { telemetry?: readonly TunnelTelemetry[]; pass?: boolean } = {}): Promise<void> {
  const publisher = inst.config.mqttUrl ? new InvocationPublisher(inst.config.mqttUrl, inst.password) : null;
  try {
    if (publisher && o.telemetry?.length) await publishTunnelTelemetry(publisher, o.telemetry, deps.logger);
    if (o.pass === false) return;
    const r = await runPipeline(deps, publisher);
    deps.logger.debug({ ...r, relay: r.relay && { published: r.relay.published.length, failed: r.relay.failed.length }, connectMs: publisher?.connectMs }, 'pipeline pass');
  } finally {
    await publisher?.close();
  }
}

export default {
  async fetch(request: Request, env: Bindings, ctx: WaitUntil): Promise<Response> {
    const inst = await instanceFor(env);
    const deps = await invocationDeps(inst);
    const invocationEnv: InvocationEnv = { berthDeps: deps };
    const response = await inst.app.fetch(request, invocationEnv, ctx as never);
    const res = new Response(response.body, response);
    res.headers.set(ROUND_TRIPS_HEADER, String(deps.database.roundTrips.total));
    // The ingest route schedules its own pass (only when due); every other successful write hands on at once.
    if (MUTATING.has(request.method) && response.status < 400 && new URL(request.url).pathname !== AGENT_EVENTS) ctx.waitUntil(pipeline(inst, deps));
    return res;
  },

  async scheduled(_controller: unknown, env: Bindings, ctx: WaitUntil): Promise<void> {
    const inst = await instanceFor(env);
    ctx.waitUntil(pipeline(inst, await invocationDeps(inst)));
  },
};
