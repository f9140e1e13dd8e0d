// Protocol-level simulated agents for the fleet benchmark: each is one real MQTT connection that speaks exactly what
// `berth agent` speaks on the wire (username = host id, password = the agent token, keepalive 1 s, a Last Will of
// presence offline, retained presence online, the desired topic subscribed, a ping + heartbeat every 500 ms, an
// empty status report every 2 s) — but with no reconciler, driver or process of its own. Thousands of real agent
// processes would not fit on the benchmark machine; thousands of these share one Node process.
import mqtt, { type MqttClient } from 'mqtt';
import { buildHeartbeat, buildPresence } from '../agent/heartbeat';
import { decodeMessage, encodeMessage, PROTOCOL_VERSION, zDesiredState, type StatusMessage } from '../shared/protocol/messages';
import { TOPIC_QOS, topics } from '../shared/protocol/topics';
import { agentClientId } from '../functions/node/mqtt-acl';

export interface FakeAgentOptions {
  url: string;
  token: string;
  hostId: string;
  heartbeatMs?: number;
  statusMs?: number;
  /** Seconds; the broker drops (and publishes the Will of) a client silent for 1.5 × this. The agent uses 1. */
  keepaliveS?: number;
}

/** A container the control plane placed here, as the last desired document listed it. */
interface HeldContainer { id: string; placementGeneration: number }

/** When each heartbeat left: `at` is the wall clock written into the message, `t` the bench's monotonic clock. */
export interface SentHeartbeat { at: number; t: number }

export type AgentState = 'new' | 'up' | 'crashed' | 'silent' | 'lost' | 'stopped';

/** Monotonic milliseconds on the same scale as Date.now() (sub-millisecond, never jumps with NTP). */
export const nowMs = () => performance.timeOrigin + performance.now();

export class FakeAgent {
  readonly hostId: string;
  readonly bootId = crypto.randomUUID();
  state: AgentState = 'new';
  /**
   * Heartbeats by seq. The heartbeat's `load` field carries its seq (a real agent puts its load average there) so
   * the benchmark can read back from the hosts table exactly which heartbeat a row reflects.
   */
  readonly sent: SentHeartbeat[] = [];
  /** Closes of the connection the benchmark did not cause (the broker or server dropped us). */
  unexpectedCloses = 0;
  private client: MqttClient | null = null;
  private timers: ReturnType<typeof setTimeout>[] = [];
  private observedGeneration = 0;
  /** What the last desired document asked for: reported RUNNING at once (no driver, no start-up time). */
  held: HeldContainer[] = [];

  constructor(private readonly opts: FakeAgentOptions) {
    this.hostId = opts.hostId;
  }

  /**
   * Connects, says online, subscribes to its desired topic and reports its (empty) status; periodic heartbeats and
   * status reports start at a random phase, as in a real fleet whose agents started at different times.
   */
  connect(timeoutMs = 15_000): Promise<void> {
    const { hostId } = this;
    const heartbeatMs = this.opts.heartbeatMs ?? 500;
    const willPayload = Buffer.from(encodeMessage(buildPresence(hostId, this.bootId, false, Date.now())));
    const client = mqtt.connect(this.opts.url, {
      protocolVersion: 4,
      clientId: agentClientId(hostId),
      username: hostId,
      password: this.opts.token,
      clean: true,
      keepalive: this.opts.keepaliveS ?? 1,
      // No reconnects: a dropped connection is an error the benchmark counts, not something to paper over.
      reconnectPeriod: 0,
      connectTimeout: timeoutMs,
      resubscribe: false,
      will: { topic: topics.presence(hostId), payload: willPayload, qos: 1, retain: true },
    });
    this.client = client;
    client.on('message', (_topic, payload) => {
      const d = decodeMessage(zDesiredState, payload);
      if (!d.ok || d.value.hostId !== hostId || d.value.generation < this.observedGeneration) return;
      this.observedGeneration = d.value.generation;
      this.held = d.value.containers.map((c) => ({ id: c.id, placementGeneration: c.placementGeneration }));
      this.publishStatus();
    });
    client.on('close', () => {
      if (this.state === 'up' || this.state === 'silent') {
        if (this.state === 'up') this.unexpectedCloses++;
        this.state = 'lost';
      }
      this.clearTimers();
    });
    client.on('error', () => { /* surfaced through close / the connect promise */ });

    return new Promise<void>((resolve, reject) => {
      const fail = (why: string) => { client.end(true); reject(new Error(`${hostId}: ${why}`)); };
      const timer = setTimeout(() => fail('connect timed out'), timeoutMs);
      client.once('error', (e) => { clearTimeout(timer); fail(e.message); });
      client.once('connect', () => {
        clearTimeout(timer);
        this.state = 'up';
        const presence = buildPresence(hostId, this.bootId, true, Date.now());
        client.publish(topics.presence(hostId), encodeMessage(presence), TOPIC_QOS.presence);
        client.subscribe(topics.desired(hostId), { qos: 1 });
        this.publishStatus();
        const first = setTimeout(() => {
          this.heartbeat();
          this.timers.push(setInterval(() => this.heartbeat(), heartbeatMs));
        }, Math.random() * heartbeatMs);
        const statusMs = this.opts.statusMs ?? 2000;
        const firstStatus = setTimeout(() => this.timers.push(setInterval(() => this.publishStatus(), statusMs)), Math.random() * statusMs);
        this.timers.push(first, firstStatus);
        resolve();
      });
    });
  }

  private heartbeat() {
    const client = this.client;
    if (!client || this.state !== 'up') return;
    const seq = this.sent.length;
    client.sendPing(); // the agent pings with every heartbeat: its self-fencing listens for the answer
    const at = Date.now();
    this.sent.push({ at, t: nowMs() });
    const hb = buildHeartbeat({ hostId: this.hostId, bootId: this.bootId, seq, at, observedGeneration: this.observedGeneration, count: 0, containerLimit: -1, load: seq });
    client.publish(topics.heartbeat(this.hostId), encodeMessage(hb), TOPIC_QOS.heartbeat);
  }

  private publishStatus() {
    if (!this.client || this.state !== 'up') return;
    const msg: StatusMessage = {
      v: PROTOCOL_VERSION, hostId: this.hostId, bootId: this.bootId,
      containers: this.held.map((c) => ({ ...c, status: 'RUNNING', message: '', namespace: null, interfaceName: null })),
    };
    this.client.publish(topics.status(this.hostId), encodeMessage(msg), TOPIC_QOS.status);
  }

  private clearTimers() {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }

  /** kill -9: the socket closes without DISCONNECT, so the broker publishes the Last Will. */
  crash(): void {
    this.state = 'crashed';
    this.clearTimers();
    this.client?.stream.destroy();
  }

  /**
   * SIGSTOP: nothing is sent or read any more (no heartbeat, no ping — mqtt.js's own keepalive timer is stopped
   * too), but the socket stays open, so the broker learns nothing until its keepalive deadline passes.
   */
  silence(): void {
    this.state = 'silent';
    this.clearTimers();
    const c = this.client as (MqttClient & { keepaliveManager?: { destroy(): void } | null }) | null;
    c?.keepaliveManager?.destroy();
    c?.stream.pause();
  }

  /** Ends the connection at once (benchmark teardown). */
  stop(): void {
    if (this.state === 'up' || this.state === 'silent') this.state = 'stopped';
    this.clearTimers();
    this.client?.end(true);
  }
}

export const fleetHostId = (prefix: string, i: number) => `${prefix}-${i}`;

/**
 * Connects `n` agents named `${prefix}-${i}`: `chunk` at a time (`concurrency` CONNECTs in flight), awaiting
 * `betweenChunks` after each chunk so a fleet can be brought up at a pace the control plane keeps up with.
 * Returns the agents still connected at the end, the CONNECTs that failed, and how many connected but were dropped.
 */
export async function connectFleet(opts: Omit<FakeAgentOptions, 'hostId' | 'token'> & {
  n: number; prefix: string; concurrency?: number; chunk?: number; betweenChunks?: (connected: number) => Promise<void>;
  /** Each host's MQTT password (its own secret, or the same fleet token for all). */
  tokenFor: (hostId: string) => string;
}): Promise<{ agents: FakeAgent[]; failures: string[]; dropped: number; ms: number }> {
  const all = Array.from({ length: opts.n }, (_, i) => fleetHostId(opts.prefix, i)).map((hostId) => new FakeAgent({ ...opts, hostId, token: opts.tokenFor(hostId) }));
  const failures: string[] = [];
  const t0 = nowMs();
  const chunk = opts.chunk ?? opts.n;
  for (let from = 0; from < all.length; from += chunk) {
    const part = all.slice(from, from + chunk);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(part.length, opts.concurrency ?? 100) }, async () => {
      while (next < part.length) {
        const a = part[next++];
        await a.connect().catch((e: Error) => { failures.push(e.message); });
      }
    }));
    await opts.betweenChunks?.(from + part.length - failures.length);
  }
  return { agents: all.filter((a) => a.state === 'up'), failures, dropped: all.filter((a) => a.state === 'lost').length, ms: nowMs() - t0 };
}
