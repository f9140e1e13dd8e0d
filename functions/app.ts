// createApp(deps): the whole HTTP API as one Hono app — middleware, error mapping and the route list.
import { Hono } from 'hono';
import { routePath } from 'hono/route';
import { AppError } from '../shared/errors';
import type { Deps } from './deps';
import type { AppContext, AppEnv } from './http/env';
import { authenticate, authenticateScrape } from './http/auth';
import { httpStatus, neutronBody, operatorBody, toAppError } from './http/errors';
import { neutronRoutes } from './routes/neutron';
import { operatorRoutes } from './routes/v1';
import { dashboardRoutes } from './dashboard';
import { secondsSince } from './observe';
import { docsRoutes } from './http/openapi/docs-page';
import { asyncApiDocument } from '../shared/protocol/asyncapi';

export interface AppOptions {
  /**
   * POST /v1/agent-events (HTTP ingest, functions/ingest/http.ts), where a runtime has no broker connection of its
   * own (Workers). It authenticates itself (the control credential), so it sits before the API's token check.
   */
  agentEvents?: (c: AppContext) => Promise<Response>;
  /**
   * The deps of this request, where they cannot be shared between requests (Workers: I/O objects such as a database
   * client's open transaction belong to the request that made them). Default: the deps given to createApp.
   */
  depsOf?: (c: AppContext) => Deps;
}

export function createApp(deps: Deps, opts: AppOptions = {}) {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const d = opts.depsOf?.(c as unknown as AppContext) ?? deps;
    c.set('deps', d);
    c.set('requestId', c.req.header('x-request-id')?.slice(0, 64) || d.ids.uuid());
    const start = performance.now();
    await next();
    c.header('x-request-id', c.var.requestId);
    if (d.observer) {
      // The pattern of the route that answered ('/v1/containers/:id'); a wildcard only means nothing matched.
      const route = routePath(c, -1);
      d.observer.httpRequest({ method: c.req.method, route: route.endsWith('*') ? 'unmatched' : route, status: c.res.status, seconds: secondsSince(start) });
    }
  });

  app.get('/healthz', async (c) => {
    try {
      await c.var.deps.database.client.execute('SELECT 1');
      return c.json({ status: 'ok' });
    } catch {
      return c.json({ status: 'unavailable', reason: 'database not answering' }, 503);
    }
  });

  // Behind a token (issue 9): the series carry host, connection and VPN service ids of every tenant. Prometheus
  // scrapes with the read-only BERTH_TELEMETRY_TOKEN (or the admin token); /healthz stays public.
  app.get('/metrics', authenticateScrape, async (c) => {
    const { metrics } = c.var.deps;
    if (!metrics) throw new AppError('NOT_FOUND', 'this runtime exposes no metrics');
    return c.text(await metrics(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
  });

  app.route('/', dashboardRoutes());
  app.route('/', docsRoutes());
  // The MQTT protocol's AsyncAPI document (issue 11), built once from the protocol's zod schemas; public like /healthz.
  let asyncApi: string | undefined;
  app.get('/asyncapi.json', (c) => c.body(asyncApi ??= JSON.stringify(asyncApiDocument()), 200, { 'content-type': 'application/json; charset=utf-8' }));

  if (opts.agentEvents) app.post('/v1/agent-events', opts.agentEvents);
  app.use('/v2.0/*', authenticate);
  app.use('/v1/*', authenticate);
  app.route('/v2.0', neutronRoutes());
  app.route('/v1', operatorRoutes());

  app.notFound((c) => {
    const err = new AppError('NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`);
    return c.req.path.startsWith('/v2.0') ? c.json(neutronBody(err), 404) : c.json(operatorBody(err, c.var.requestId ?? ''), 404);
  });

  app.onError((e, c) => {
    const err = toAppError(e);
    const requestId = c.var.requestId ?? '';
    if (err.code === 'INTERNAL') (c.var.deps ?? deps).logger.error({ requestId, err: String((e as Error)?.stack ?? e) }, 'request failed');
    const status = httpStatus(err.code);
    return c.req.path.startsWith('/v2.0') ? c.json(neutronBody(err), status) : c.json(operatorBody(err, requestId), status);
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
