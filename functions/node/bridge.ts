// `berth bridge`: the broker's HTTP delivery for brokers that have none (Mosquitto, aedes). It subscribes to the
// agents' topics (presence incl. Last Wills, heartbeat, status) as the control plane and POSTs them in batches to
// the ingest endpoint (POST /v1/agent-events) of a control plane that has no broker connection of its own (a
// Worker). It holds no state that matters and decides nothing: a bounded queue, batching by count and time,
// retries with backoff, drops counted. While its subscription stands it also posts an empty batch whenever it
// has posted nothing for keepaliveMs, so the receiver knows it can hear the agents even when they are quiet
// (functions/controller/hearing.ts): a dead bridge then looks deaf, never like a fleet of silent hosts.
import mqtt, { type MqttClient } from 'mqtt';
import { agentMessageFilters } from '../../shared/protocol/topics';
import type { Logger } from '../../shared/logger';
import { CONTROL_CLIENT_PREFIX, CONTROL_USER } from './mqtt-acl';

export const BRIDGE_SHARE_GROUP = 'berth-bridge';

export interface BridgeOptions {
  /** The broker (mqtt://, mqtts://, ws://, wss://). */
  mqttUrl: string;
  /** The control plane's broker password (sha256Hex(`${adminToken}:mqtt`)); also the ingest bearer token. */
  controlPassword: string;
  /** The ingest endpoint, e.g. https://berth.example.workers.dev/v1/agent-events. */
  ingestUrl: string;
  /** Bearer token for the ingest endpoint (default: controlPassword). */
  ingestToken?: string;
  /** Subscribe through `$share/berth-bridge/...` (Mosquitto >= 2, EMQX, HiveMQ); aedes has no shared subscriptions. */
  shared: boolean;
  /** Most messages in one POST (default 500). */
  maxBatch?: number;
  /** Longest a message waits for its batch to fill (default 20 ms). */
  maxDelayMs?: number;
  /** Messages held at most; beyond, new ones are dropped and counted (default 20,000). */
  queueLimit?: number;
  /** Post an empty batch after this long without a post while subscribed (default 500 ms; 0 = never). */
  keepaliveMs?: number;
  /** PEM of a CA to verify an mqtts/wss broker. */
  ca?: string | Buffer;
  logger: Logger;
  fetch?: typeof fetch;
}

export interface BridgeStats {
  received: number;
  posted: number;
  batches: number;
  keepalives: number;
  retries: number;
  /** Messages the bridge dropped: queue full, or a batch the endpoint refused as malformed (4xx). */
  dropped: { queueFull: number; refused: number };
  /** Messages the endpoint answered as dropped (its own validation), by its reason. */
  droppedByIngest: Record<string, number>;
  queued: number;
  subscribed: boolean;
}

export interface Bridge {
  stats(): BridgeStats;
  close(): Promise<void>;
}

interface Message {
  topic: string;
  payload: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Liveness reaches every bridge (each posts it: the Worker's ingest is idempotent); status is split. */
export const ingestFiltersFor = (shared: boolean): string[] => agentMessageFilters(BRIDGE_SHARE_GROUP, shared);

/** A status the endpoint will answer the same way however often it is asked: the batch is dropped, not retried. */
const isRefusal = (status: number) => status === 400 || status === 413 || status === 422;

export async function startBridge(o: BridgeOptions): Promise<Bridge> {
  const maxBatch = o.maxBatch ?? 500;
  const maxDelayMs = o.maxDelayMs ?? 20;
  const queueLimit = o.queueLimit ?? 20_000;
  const keepaliveMs = o.keepaliveMs ?? 500;
  const doFetch = o.fetch ?? fetch;
  const token = o.ingestToken ?? o.controlPassword;
  const log = o.logger;
  const queue: Message[] = [];
  const stats: BridgeStats = { received: 0, posted: 0, batches: 0, keepalives: 0, retries: 0, dropped: { queueFull: 0, refused: 0 }, droppedByIngest: {}, queued: 0, subscribed: false };
  let closed = false;
  let lastPost = 0;
  let wake: (() => void) | null = null;
  const poke = () => { wake?.(); wake = null; };

  const client: MqttClient = mqtt.connect(o.mqttUrl, {
    protocolVersion: 4,
    clientId: `${CONTROL_CLIENT_PREFIX}-bridge-${crypto.randomUUID().slice(0, 8)}`,
    username: CONTROL_USER,
    password: o.controlPassword,
    clean: true,
    reconnectPeriod: 500,
    connectTimeout: 5000,
    ca: o.ca,
  });
  let lastError = '';
  client.on('error', (e) => {
    if (e.message !== lastError) log.error({ url: o.mqttUrl, err: e.message }, 'bridge: MQTT connection error');
    lastError = e.message;
  });
  client.on('close', () => { stats.subscribed = false; });
  client.on('connect', () => {
    lastError = '';
    // Subscribed anew on every connect (clean session); hearing counts only once the broker granted it.
    client.subscribe(ingestFiltersFor(o.shared), { qos: 1 }, (err, granted) => {
      const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
      if (err || refused.length) {
        log.error({ err: err?.message, refused }, 'bridge: the broker refused the agent-topic subscription (control credential? shared subscriptions?)');
        return;
      }
      stats.subscribed = true;
      log.info({ url: o.mqttUrl, shared: o.shared }, 'bridge: subscribed to agent topics');
      poke();
    });
  });
  client.on('message', (topic, payload) => {
    stats.received++;
    if (queue.length >= queueLimit) {
      stats.dropped.queueFull++;
      return;
    }
    queue.push({ topic, payload: payload.toString('utf8') });
    if (queue.length >= maxBatch || queue.length === 1) poke();
  });

  /** POSTs one batch until it is delivered (true), refused, or the bridge closes. */
  async function deliver(batch: Message[]): Promise<boolean> {
    for (let attempt = 0; !closed; attempt++) {
      let status = 0;
      let detail = '';
      try {
        const res = await doFetch(o.ingestUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ messages: batch }),
          signal: AbortSignal.timeout(10_000),
        });
        status = res.status;
        const text = await res.text();
        if (res.ok) {
          noteIngestDrops(text);
          lastPost = Date.now();
          return true;
        }
        detail = text.slice(0, 300);
      } catch (e) {
        detail = (e as Error).message;
      }
      if (isRefusal(status)) {
        stats.dropped.refused += batch.length;
        log.error({ status, detail, messages: batch.length }, 'bridge: the ingest endpoint refused a batch; dropped');
        lastPost = Date.now();
        return false;
      }
      stats.retries++;
      if (attempt === 0 || attempt % 20 === 0) log.warn({ status, detail, attempt }, 'bridge: ingest POST failed; retrying');
      await sleep(Math.min(5000, 50 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random() / 2));
    }
    return false;
  }

  function noteIngestDrops(text: string) {
    try {
      const body = JSON.parse(text) as { dropped?: Record<string, number> };
      for (const [why, n] of Object.entries(body.dropped ?? {})) {
        if (typeof n === 'number' && n > 0) stats.droppedByIngest[why] = (stats.droppedByIngest[why] ?? 0) + n;
      }
    } catch {
      /* an answer without a body is still a delivery */
    }
  }

  // One POST at a time, in order: a host's status reports must reach ingest in the order the broker gave them.
  const loop = (async () => {
    while (!closed) {
      if (queue.length === 0) {
        const keepaliveDue = keepaliveMs > 0 && stats.subscribed && Date.now() - lastPost >= keepaliveMs;
        if (!keepaliveDue) {
          const waitMs = keepaliveMs > 0 ? Math.max(1, keepaliveMs - (Date.now() - lastPost)) : 1000;
          await new Promise<void>((r) => { wake = r; setTimeout(r, waitMs); });
          continue;
        }
        stats.keepalives++;
        await deliver([]);
        continue;
      }
      if (queue.length < maxBatch) await sleep(maxDelayMs);
      const batch = queue.splice(0, maxBatch);
      stats.batches++;
      if (await deliver(batch)) stats.posted += batch.length;
    }
  })();

  return {
    stats: () => ({ ...stats, dropped: { ...stats.dropped }, droppedByIngest: { ...stats.droppedByIngest }, queued: queue.length }),
    async close() {
      closed = true;
      poke();
      await client.endAsync(true).catch(() => undefined);
      await loop;
    },
  };
}
