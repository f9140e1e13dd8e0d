// Protocol-level simulated agents for the fleet benchmark: each is one real MQTT connection that speaks exactly what
// `berth agent` speaks on the wire (username = host id, password = the agent token, keepalive 1 s, a Last Will of
// presence offline, retained presence online, the desired topic subscribed, a ping + heartbeat every 500 ms, an
// empty status report every 2 s) — but with no reconciler, driver or process of its own. Thousands of real agent
// processes would not fit on the benchmark machine; up to a few thousand of these share one shard process
// (bench/agent-shard.ts), and the pool (bench/agent-pool.ts) spreads a fleet over several shards.
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
  /**
   * PINGREQ period when it differs from the heartbeat (broker-led liveness: heartbeats every few seconds, pings
   * often enough for the agent's self-fencing). Default: one ping with every heartbeat, as DESIGN's agent does.
   */
  pingMs?: number;
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
   * The next heartbeat's seq. The heartbeat's `load` field carries its seq (a real agent puts its load average
   * there) so the benchmark can read back from the hosts table exactly which heartbeat a row reflects.
   */
  seq = 0;
  /** Heartbeats sent while recording (the measured window only: a long ramp would otherwise fill memory). */
  recorded: (SentHeartbeat & { seq: number })[] | null = null;
  /** Closes of the connection the benchmark did not cause (the broker or server dropped us). */
  unexpectedCloses = 0;
  /** Called when the broker or server drops us (not on a close the benchmark caused). */
  onLost: (() => void) | null = null;
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
        const wasUp = this.state === 'up';
        this.state = 'lost';
        if (wasUp) { this.unexpectedCloses++; this.onLost?.(); }
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
        const pingMs = this.opts.pingMs;
        if (pingMs) this.timers.push(setInterval(() => { if (this.state === 'up') client.sendPing(); }, pingMs));
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
    const seq = this.seq++;
    if (!this.opts.pingMs) client.sendPing(); // the agent pings with every heartbeat: its self-fencing listens for the answer
    const at = Date.now();
    this.recorded?.push({ seq, at, t: nowMs() });
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
