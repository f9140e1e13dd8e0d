// Test MQTT plumbing: an in-process aedes broker on a random 127.0.0.1 port (that can "go away" and come
// back on the same port with its retained messages), and a recording client to watch topics.
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import mqtt, { type MqttClient } from 'mqtt';

export interface TestBroker {
  url: string;
  port: number;
  aedes: Aedes;
  /** Every message clients published, as the broker saw it (no subscription races), in order. */
  published: Received[];
  /** The first published message (already seen or future) matching pred; rejects after timeoutMs naming `what`. */
  waitFor(pred: (m: Received) => boolean, what: string, timeoutMs?: number, fromIndex?: number): Promise<Received>;
  /** Published messages on topic, JSON-parsed. */
  json<T = any>(topic: string): T[];
  /** Drop every connection and stop listening: to clients the broker is gone. Retained messages are kept. */
  pause(): Promise<void>;
  /** Listen again on the same port. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

export interface TestBrokerOptions {
  /** Accept a CONNECT? (default: everyone) */
  authenticate?: (username: string | undefined, password: string | undefined, clientId: string) => boolean;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as { port: number }).port);
    });
  });
}

export async function startTestBroker(opts: TestBrokerOptions = {}): Promise<TestBroker> {
  const aedes = await Aedes.createBroker({
    authenticate: (client, username, password, done) => {
      const ok = opts.authenticate ? opts.authenticate(username, password?.toString(), client.id) : true;
      if (ok) return done(null, true);
      const err = Object.assign(new Error('bad username or password'), { returnCode: 4 as const });
      done(err, false);
    },
  });
  const published: Received[] = [];
  const seen = new Waiters(published);
  aedes.on('publish', (packet, client) => {
    if (!client) return; // broker-internal ($SYS, wills are published with the dead client's context)
    published.push({ topic: packet.topic, text: packet.payload.toString(), retain: packet.retain, at: Date.now(), clientId: client.id });
    seen.notify();
  });
  const sockets = new Set<Socket>();
  const makeServer = () => createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
  let server = makeServer();
  const port = await listen(server, 0);
  const closeServer = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    aedes,
    published,
    waitFor: (pred, what, timeoutMs, fromIndex) => seen.waitFor(pred, what, timeoutMs, fromIndex),
    json: (topic) => parseJson(published, topic),
    pause: closeServer,
    async resume() {
      server = makeServer();
      await listen(server, port);
    },
    async close() {
      await closeServer().catch(() => {});
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

export interface Received {
  topic: string;
  text: string;
  retain: boolean;
  /** Date.now() when it arrived. */
  at: number;
  /** Publisher's client id (broker-side records only). */
  clientId?: string;
}

const parseJson = (list: Received[], topic: string) => list.filter((m) => m.topic === topic && m.text.length > 0).map((m) => JSON.parse(m.text));

/** Promises for "the first message matching ..." over a growing list. */
class Waiters {
  private readonly pending = new Set<() => boolean>();
  constructor(private readonly list: Received[]) {}
  notify(): void {
    for (const check of [...this.pending]) check();
  }
  waitFor(pred: (m: Received) => boolean, what: string, timeoutMs = 10_000, fromIndex = 0): Promise<Received> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.list.slice(fromIndex).find(pred);
        if (!hit) return false;
        this.pending.delete(check);
        clearTimeout(timer);
        resolve(hit);
        return true;
      };
      const timer = setTimeout(() => {
        this.pending.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      if (!check()) this.pending.add(check);
    });
  }
}

export interface Recorder {
  client: MqttClient;
  messages: Received[];
  /** Messages so far on topic, JSON-parsed. */
  json<T = any>(topic: string): T[];
  /** The first message (already received or future) matching pred; rejects after timeoutMs naming `what`. */
  waitFor(pred: (m: Received) => boolean, what: string, timeoutMs?: number, fromIndex?: number): Promise<Received>;
  publish(topic: string, payload: string | Buffer, opts?: { qos?: 0 | 1; retain?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** Connect an observer (MQTT 3.1.1, like the agents) subscribed to filters. */
export async function recordTopics(url: string, filters: string[], auth: { username?: string; password?: string } = {}): Promise<Recorder> {
  const client = await mqtt.connectAsync(url, { protocolVersion: 4, clean: true, reconnectPeriod: 200, ...auth });
  const messages: Received[] = [];
  const seen = new Waiters(messages);
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, text: payload.toString(), retain: packet.retain, at: Date.now() });
    seen.notify();
  });
  if (filters.length > 0) await client.subscribeAsync(filters, { qos: 1 });
  return {
    client,
    messages,
    json: (topic) => parseJson(messages, topic),
    waitFor: (pred, what, timeoutMs, fromIndex) => seen.waitFor(pred, what, timeoutMs, fromIndex),
    async publish(topic, payload, opts = {}) {
      await client.publishAsync(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false });
    },
    async close() {
      await client.endAsync(true);
    },
  };
}
