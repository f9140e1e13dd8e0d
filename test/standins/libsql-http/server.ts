// TEST STAND-IN for sqld/Turso: Hrana over HTTP (JSON, versions 2 and 3) in front of a local libSQL file, so
// @libsql/client's HTTP path (the one a Worker uses) can run against a real engine here, where no sqld can be
// installed. Never shipped as a berth feature; nothing in functions/ imports it.
//
// Endpoints: GET /v2, GET /v3 (version probes: 200), GET /v3-protobuf (404: JSON only, so clients fall back),
// POST /v2/pipeline, POST /v3/pipeline, GET /health. Each pipeline runs on a stream (one SQLite connection);
// the response's baton names the stream for the next request and changes on every response; a stream idle
// longer than idleMs is closed and its open transaction rolled back.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Sqlite from 'libsql';
import { Stream } from './stream';
import { HranaError, protocolError } from './values';

export interface LibsqlHttpStandInOptions {
  /** Path of the database file (created if missing; WAL mode). */
  path: string;
  host?: string;
  port?: number;
  /** When set, every request must carry `Authorization: Bearer <authToken>`. */
  authToken?: string;
  /** Streams idle this long are closed (default 10 s, as sqld). */
  idleMs?: number;
  /** How long a statement waits for a lock held by another stream before failing with SQLITE_BUSY (default 5 s). */
  busyWaitMs?: number;
}

export interface LibsqlHttpStandIn {
  url: string;
  port: number;
  /** Pipelines served so far (one per HTTP round trip of a client). */
  readonly pipelines: number;
  openStreams(): number;
  close(): Promise<void>;
}

const MAX_BODY = 16 * 1024 * 1024;
const V3_ONLY = new Set(['get_autocommit']);

type StreamRequest = { type?: unknown; stmt?: unknown; batch?: unknown; sql?: unknown; sql_id?: unknown };

export async function startLibsqlHttpStandIn(opts: LibsqlHttpStandInOptions): Promise<LibsqlHttpStandIn> {
  const idleMs = opts.idleMs ?? 10_000;
  const busyWaitMs = opts.busyWaitMs ?? 5_000;
  const init = new Sqlite(opts.path);
  init.exec('PRAGMA journal_mode=WAL');
  init.close();

  const idle: InstanceType<typeof Sqlite>[] = [];
  const byBaton = new Map<string, Stream>();
  let pipelines = 0;

  const openStream = () => {
    const connect = () => new Sqlite(opts.path);
    return new Stream(idle.pop() ?? connect(), busyWaitMs, connect);
  };
  const endStream = (s: Stream) => {
    s.reset();
    if (!s.tainted && !s.conn.inTransaction && idle.length < 8) idle.push(s.conn);
    else s.conn.close();
  };
  const sweep = setInterval(() => {
    const now = Date.now();
    for (const [baton, s] of byBaton) {
      if (now - s.lastUsed > idleMs) {
        byBaton.delete(baton);
        endStream(s);
      }
    }
  }, Math.min(1000, idleMs)).unref();

  async function runOne(stream: Stream, r: StreamRequest, version: 2 | 3): Promise<Record<string, unknown>> {
    if (!r || typeof r !== 'object' || typeof r.type !== 'string') throw protocolError('each request needs a string "type"');
    if (version === 2 && V3_ONLY.has(r.type)) throw protocolError(`${r.type} needs Hrana 3 (POST /v3/pipeline)`);
    switch (r.type) {
      case 'execute':
        return { type: 'execute', result: await stream.execute(r.stmt as never) };
      case 'batch':
        return { type: 'batch', result: await stream.batch(r.batch as never) };
      case 'sequence':
        await stream.sequence(r);
        return { type: 'sequence' };
      case 'describe':
        return { type: 'describe', result: stream.describe(r) };
      case 'store_sql':
        stream.storeSql(r.sql_id, r.sql);
        return { type: 'store_sql' };
      case 'close_sql':
        stream.closeSql(r.sql_id);
        return { type: 'close_sql' };
      case 'get_autocommit':
        return { type: 'get_autocommit', is_autocommit: stream.isAutocommit };
      case 'close':
        return { type: 'close' };
      default:
        throw protocolError(`unknown request type ${JSON.stringify(r.type)}`);
    }
  }

  async function pipeline(body: unknown, version: 2 | 3) {
    if (!body || typeof body !== 'object' || !Array.isArray((body as { requests?: unknown }).requests)) {
      throw protocolError('the body must be {"baton": string|null, "requests": [...]}');
    }
    const { baton, requests } = body as { baton?: unknown; requests: StreamRequest[] };
    let stream: Stream;
    if (baton === undefined || baton === null) stream = openStream();
    else {
      const found = typeof baton === 'string' ? byBaton.get(baton) : undefined;
      if (!found) throw new HranaError('the baton is unknown or its stream expired', 'STREAM_EXPIRED', 400);
      byBaton.delete(baton as string);
      stream = found;
    }
    pipelines++;
    const results: unknown[] = [];
    let closed = false;
    for (const r of requests) {
      if (closed) {
        results.push({ type: 'error', error: { message: 'the stream is closed', code: 'STREAM_CLOSED' } });
        continue;
      }
      try {
        results.push({ type: 'ok', response: await runOne(stream, r, version) });
        if (r.type === 'close') closed = true;
      } catch (e) {
        if (e instanceof HranaError && e.status) {
          endStream(stream);
          throw e;
        }
        results.push({ type: 'error', error: (e instanceof HranaError ? e : new HranaError(String(e), 'INTERNAL')).toProto() });
      }
    }
    if (closed) {
      endStream(stream);
      return { baton: null, base_url: null, results };
    }
    const next = randomBytes(18).toString('base64url');
    stream.lastUsed = Date.now();
    byBaton.set(next, stream);
    return { baton: next, base_url: null, results };
  }

  const authorised = (req: IncomingMessage) => {
    if (!opts.authToken) return true;
    const got = Buffer.from(req.headers.authorization ?? '');
    const want = Buffer.from(`Bearer ${opts.authToken}`);
    return got.length === want.length && timingSafeEqual(got, want);
  };

  const server: Server = createServer({ noDelay: true, keepAlive: true }, (req, res) => {
    void handle(req, res).catch((e) => send(res, 500, { message: String(e), code: 'INTERNAL' }));
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/health') return send(res, 200, { ok: true });
    if (!authorised(req)) return send(res, 401, { message: 'missing or wrong bearer token', code: 'UNAUTHORIZED' });
    if (req.method === 'GET' && (path === '/v2' || path === '/v3')) return send(res, 200, { version: path.slice(2) });
    const m = /^\/v([23])\/pipeline$/.exec(path);
    if (!m) return send(res, 404, { message: `no endpoint ${req.method} ${path} on this libSQL stand-in`, code: 'NOT_FOUND' });
    if (req.method !== 'POST') return send(res, 405, { message: 'use POST', code: 'METHOD_NOT_ALLOWED' });
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch (e) {
      return send(res, e instanceof HranaError ? e.status ?? 400 : 400, { message: e instanceof HranaError ? e.message : 'the body is not JSON', code: 'PROTOCOL_ERROR' });
    }
    try {
      return send(res, 200, await pipeline(body, m[1] === '2' ? 2 : 3));
    } catch (e) {
      const err = e instanceof HranaError ? e : new HranaError(String(e), 'INTERNAL', 500);
      return send(res, err.status ?? 500, err.toProto());
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    get pipelines() {
      return pipelines;
    },
    openStreams: () => byBaton.size,
    close: async () => {
      clearInterval(sweep);
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      for (const s of byBaton.values()) endStream(s);
      byBaton.clear();
      for (const c of idle.splice(0)) c.close();
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new HranaError('the request body is too large', 'PROTOCOL_ERROR', 413));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
