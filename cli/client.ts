// A thin HTTP client of the /v1 operator API: JSON in and out, and every failure turned into a CliFailure
// whose message is what the operator reads (server message, "not supported yet", or "cannot reach").

export class CliFailure extends Error {
  constructor(message: string, readonly exitCode: 1 | 2 = 1) {
    super(message);
    this.name = 'CliFailure';
  }
}

export interface ClientOptions {
  url: string;
  token?: string;
  fetch?: typeof fetch;
}

export interface Reply {
  status: number;
  body: any;
}

export interface Client {
  readonly url: string;
  /** `feature` names the command for "this server does not support <feature> yet" when the route is missing. */
  request(method: string, path: string, body?: unknown, feature?: string): Promise<Reply>;
  /** A GET whose answer is read as it arrives (server-sent events); a refusal throws like request. */
  open(path: string, headers: Record<string, string>, signal?: AbortSignal, feature?: string): Promise<Response>;
}

export const seg = (s: string) => encodeURIComponent(s);

export function createClient(opts: ClientOptions): Client {
  const base = opts.url.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  return {
    url: base,
    async request(method, path, body, feature) {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      let res: Response;
      try {
        res = await doFetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      } catch (e) {
        throw new CliFailure(unreachable(base, e));
      }
      const text = await res.text();
      let parsed: any;
      try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
      if (res.ok) return { status: res.status, body: parsed };
      throw new CliFailure(failureMessage(res.status, parsed, text, feature));
    },
    async open(path, extra, signal, feature) {
      const headers: Record<string, string> = { ...extra };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let res: Response;
      try {
        res = await doFetch(`${base}${path}`, { headers, signal });
      } catch (e) {
        throw new CliFailure(unreachable(base, e));
      }
      if (res.ok) return res;
      const text = await res.text();
      let parsed: any;
      try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
      throw new CliFailure(failureMessage(res.status, parsed, text, feature));
    },
  };
}

function unreachable(url: string, e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
  if (cause?.code === 'ECONNREFUSED') return `cannot reach berth at ${url} (is \`berth serve\` running?)`;
  const why = cause?.code ?? cause?.message ?? (e as Error)?.message ?? String(e);
  return `cannot reach berth at ${url}: ${why} (is \`berth serve\` running? is BERTH_URL right?)`;
}

function failureMessage(status: number, body: any, text: string, feature?: string): string {
  const err = body?.error;
  const message: string = typeof err?.message === 'string' ? err.message : text.trim().slice(0, 200) || `HTTP ${status}`;
  // The app answers an unknown route with 404 "no route for ...": an older server that lacks this command.
  if (status === 404 && message.startsWith('no route for')) return `this server does not support ${feature ?? 'this command'} yet`;
  if (status === 401) return `${message} (set BERTH_TOKEN, or run where .berth/admin-token is)`;
  if (status === 403) return `${message} (this command needs the admin token)`;
  return message;
}
