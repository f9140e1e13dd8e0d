// `berth events --follow`: prints the fleet's events as they happen, one line each (or one JSON object per line
// with --json), from GET /v1/events as server-sent events. The server ends a stream after a while and a network
// may drop it: the CLI reconnects with Last-Event-ID, so no event is printed twice or missed. Ends on Ctrl-C.
import { SseReader } from '../shared/sse';
import { CliFailure, type Client } from './client';
import { cell, FEED_COLUMNS, feedCells } from './render';
import type { Io } from './run';

export interface FollowOptions {
  json: boolean;
  since?: number;
  /** Stops following (tests); default: never. */
  signal?: AbortSignal;
}

const RETRY_MS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function followEvents(client: Client, io: Io, opts: FollowOptions): Promise<void> {
  if (!opts.json) io.out(FEED_COLUMNS.join('  '));
  const cursor: Cursor = { lastId: opts.since === undefined ? undefined : String(opts.since) };
  let connected = false;
  while (!opts.signal?.aborted) {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...(cursor.lastId === undefined ? {} : { 'last-event-id': cursor.lastId }) };
    try {
      const res = await client.open('/v1/events', headers, opts.signal, 'events --follow');
      connected = true;
      await print(res, io, opts.json, cursor);
    } catch (e) {
      if (opts.signal?.aborted) return;
      // The first connection must work (a wrong URL or token is an error); later drops are retried quietly.
      if (!connected) throw e;
      if (e instanceof CliFailure && /401|403|invalid token/.test(e.message)) throw e;
    }
    await sleep(RETRY_MS);
  }
}

interface Cursor {
  /** The id of the last event printed: where a reconnection resumes. */
  lastId: string | undefined;
}

/** Prints one stream's events until it ends, moving the cursor past each. */
async function print(res: Response, io: Io, json: boolean, cursor: Cursor): Promise<void> {
  const sse = new SseReader();
  const decoder = new TextDecoder();
  const reader = res.body!.getReader();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    for (const m of sse.push(decoder.decode(value, { stream: true }))) {
      if (m.event !== 'message') continue;
      const e = JSON.parse(m.data);
      io.out(json ? JSON.stringify(e) : feedCells(e).map(cell).join('  '));
      if (m.id !== undefined) cursor.lastId = m.id;
    }
  }
}
