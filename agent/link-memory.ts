// An in-process MQTT broker and the agent link over it, for the deterministic simulation (test/sim/): retained
// messages, Last Will on an unclean loss, keepalive detection on both sides, QoS 1 publishes acknowledged by the
// broker, per-topic order, and hooks through which the simulation's fault scheduler loses, duplicates, delays and
// reorders messages, cuts hosts off and restarts the broker. Every delay is a timer: under the simulation's fake
// timers the whole broker is deterministic. A stand-in for aedes/Mosquitto where no real broker can run on a
// simulated clock.
import type { AgentLink, LinkEvents, LinkOptions, LinkWill } from './link';

/** What the network does to one delivery (chosen by the fault scheduler). */
export interface Delivery {
  /** Lost (a QoS 1 loss also breaks the receiver's connection, as a dropped TCP stream would). */
  drop?: boolean;
  /** Delivered twice (QoS 1 allows duplicates). */
  duplicate?: boolean;
  /** Extra latency in ms (QoS 0 messages may overtake each other; QoS 1 keeps per-topic order). */
  delayMs?: number;
}

export interface NetworkHooks {
  /** Called for every broker → subscriber delivery. */
  deliver(to: string, topic: string, qos: 0 | 1): Delivery;
  /** Is this client cut off from the broker (traffic silently lost both ways)? */
  cut(clientId: string): boolean;
}

const BASE_LATENCY_MS = 1;

export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

interface Session {
  clientId: string;
  subs: Set<string>;
  will: LinkWill | null;
  keepaliveMs: number;
  lastHeardAt: number;
  /** Delivery to the client; false = the client side is gone. */
  receive: (topic: string, payload: string) => void;
  /** The broker ends the session (the client sees a close). */
  kick: () => void;
  /** Per-topic time of the last QoS 1 delivery, to keep their order. */
  lastAt: Map<string, number>;
}

/** Counts of what the broker did (for the simulation's report). */
export interface BrokerStats {
  published: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  willsSent: number;
  restarts: number;
}

export class MemoryBroker {
  private sessions = new Map<string, Session>();
  private retained = new Map<string, string>();
  private up = true;
  private watchdog: ReturnType<typeof setInterval>;
  readonly stats: BrokerStats = { published: 0, delivered: 0, dropped: 0, duplicated: 0, willsSent: 0, restarts: 0 };
  /** Every message accepted by the broker, in order (the simulation's invariants read it). */
  readonly log: { topic: string; payload: string; from: string }[] = [];

  constructor(private readonly clock: { now(): number }, public hooks: NetworkHooks = { deliver: () => ({}), cut: () => false }) {
    // The broker drops a client silent for 1.5 × keepalive and publishes its Will.
    this.watchdog = setInterval(() => {
      const now = this.clock.now();
      for (const s of [...this.sessions.values()]) {
        if (now - s.lastHeardAt > 1.5 * s.keepaliveMs) this.endSession(s, true);
      }
    }, 100);
  }

  get isUp(): boolean {
    return this.up;
  }

  /** A client connects; returns false when the broker is down or the client cut off. */
  connect(s: Omit<Session, 'lastHeardAt' | 'lastAt' | 'subs'>): boolean {
    if (!this.up || this.hooks.cut(s.clientId)) return false;
    const old = this.sessions.get(s.clientId);
    if (old) this.endSession(old, true); // session takeover: the old connection is closed as lost
    this.sessions.set(s.clientId, { ...s, subs: new Set(), lastHeardAt: this.clock.now(), lastAt: new Map() });
    return true;
  }

  /** A packet from the client reached the broker (false: it did not — cut off, or no session). */
  heard(clientId: string): boolean {
    const s = this.sessions.get(clientId);
    if (!s || !this.up || this.hooks.cut(clientId)) return false;
    s.lastHeardAt = this.clock.now();
    return true;
  }

  subscribe(clientId: string, filter: string): boolean {
    if (!this.heard(clientId)) return false;
    const s = this.sessions.get(clientId)!;
    s.subs.add(filter);
    for (const [topic, payload] of this.retained) if (topicMatches(filter, topic)) this.deliverTo(s, topic, payload, 1);
    return true;
  }

  /** A publish from a client (or the control plane); false = not accepted (no PUBACK). */
  publish(clientId: string, topic: string, payload: string, qos: 0 | 1, retain: boolean): boolean {
    if (!this.heard(clientId)) return false;
    this.route(clientId, topic, payload, qos, retain);
    return true;
  }

  /** Clean DISCONNECT: no Will. */
  disconnect(clientId: string): void {
    const s = this.sessions.get(clientId);
    if (s) this.endSession(s, false);
  }

  /** The client's stream broke (unless cut off, the broker sees it at once): the Will goes out. */
  lost(clientId: string): void {
    const s = this.sessions.get(clientId);
    if (s && !this.hooks.cut(clientId)) this.endSession(s, true);
  }

  /** The broker process restarts: every session ends (no Wills: the broker died), retained messages are lost. */
  restart(downMs: number): void {
    this.stats.restarts++;
    this.up = false;
    const all = [...this.sessions.values()];
    this.sessions.clear();
    this.retained.clear();
    for (const s of all) if (!this.hooks.cut(s.clientId)) s.kick();
    setTimeout(() => { this.up = true; }, downMs);
  }

  retainedCopy(topic: string): string | undefined {
    return this.retained.get(topic);
  }

  close(): void {
    clearInterval(this.watchdog);
  }

  private endSession(s: Session, unclean: boolean): void {
    if (this.sessions.get(s.clientId) !== s) return;
    this.sessions.delete(s.clientId);
    if (!this.hooks.cut(s.clientId)) s.kick(); // a cut-off client learns of it only by its own keepalive
    if (unclean && s.will) {
      this.stats.willsSent++;
      this.route(s.clientId, s.will.topic, s.will.payload, s.will.qos, s.will.retain);
    }
  }

  private route(from: string, topic: string, payload: string, qos: 0 | 1, retain: boolean): void {
    this.stats.published++;
    this.log.push({ topic, payload, from });
    if (retain) {
      if (payload.length === 0) this.retained.delete(topic);
      else this.retained.set(topic, payload);
    }
    for (const s of this.sessions.values()) {
      if ([...s.subs].some((f) => topicMatches(f, topic))) this.deliverTo(s, topic, payload, qos);
    }
  }

  private deliverTo(s: Session, topic: string, payload: string, qos: 0 | 1): void {
    const d = this.hooks.deliver(s.clientId, topic, qos);
    if (d.drop || this.hooks.cut(s.clientId)) {
      this.stats.dropped++;
      // A QoS 1 message is lost only with its connection (TCP does not lose bytes on a live one).
      if (qos === 1 && !this.hooks.cut(s.clientId)) setTimeout(() => this.endSession(s, true), BASE_LATENCY_MS);
      return;
    }
    const now = this.clock.now();
    let at = now + BASE_LATENCY_MS + (d.delayMs ?? 0);
    if (qos === 1) {
      at = Math.max(at, s.lastAt.get(topic) ?? 0);
      s.lastAt.set(topic, at);
    }
    const send = () => {
      if (this.sessions.get(s.clientId) !== s || this.hooks.cut(s.clientId)) return;
      this.stats.delivered++;
      s.receive(topic, payload);
    };
    setTimeout(send, at - now);
    if (d.duplicate) {
      this.stats.duplicated++;
      setTimeout(send, at - now);
    }
  }
}

type Listeners = { [E in keyof LinkEvents]: ((...args: LinkEvents[E]) => void)[] };

const RECONNECT_MS = 250;

/** The agent's link over a MemoryBroker: reconnects every 250 ms, detects a silent broker by its keepalive. */
export class MemoryLink implements AgentLink {
  private listeners: Listeners = { connect: [], close: [], packet: [], message: [], error: [] };
  private connected = false;
  private ended = false;
  private lastPacketAt: number;
  private timer: ReturnType<typeof setInterval>;
  private will: LinkWill;
  private readonly keepaliveMs: number;
  private session = 0;

  constructor(private readonly broker: MemoryBroker, private readonly clock: { now(): number }, readonly clientId: string, opts: LinkOptions) {
    this.will = opts.will;
    // As the MQTT link: keepalive in whole seconds, derived from the self-fence time.
    this.keepaliveMs = Math.max(1, Math.round(opts.selfFenceMs / 1500)) * 1000;
    this.lastPacketAt = clock.now();
    this.timer = setInterval(() => this.check(), RECONNECT_MS);
    setTimeout(() => this.tryConnect(), BASE_LATENCY_MS);
  }

  on<E extends keyof LinkEvents>(event: E, listener: (...args: LinkEvents[E]) => void): void {
    (this.listeners[event] as ((...args: LinkEvents[E]) => void)[]).push(listener);
  }

  async publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    if (!this.connected) throw new Error('not connected');
    if (!this.broker.publish(this.clientId, topic, payload, opts.qos, opts.retain) && opts.qos === 1) {
      throw new Error('no acknowledgement from the broker');
    }
  }

  async subscribe(topic: string, _qos: 0 | 1): Promise<void> {
    if (!this.connected || !this.broker.subscribe(this.clientId, topic)) throw new Error('subscribe not acknowledged');
  }

  ping(): void {
    if (!this.connected) return;
    // A PINGRESP comes back after a round trip when the broker heard the PINGREQ.
    const session = this.session;
    if (this.broker.heard(this.clientId)) setTimeout(() => { if (this.session === session && this.connected && !this.broker.hooks.cut(this.clientId)) this.gotPacket(); }, 2 * BASE_LATENCY_MS);
  }

  setWill(will: LinkWill): void {
    this.will = will;
  }

  drop(): void {
    if (!this.connected) return;
    // The broker sees the TCP stream die: an unclean loss, the Will goes out.
    this.lose();
    this.broker.lost(this.clientId);
  }

  async end(): Promise<void> {
    this.ended = true;
    clearInterval(this.timer);
    if (this.connected) this.broker.disconnect(this.clientId);
    this.lose();
  }

  /** The process died (kill -9): the broker notices by keepalive and sends the Will; nothing more from us. */
  kill(): void {
    this.ended = true;
    clearInterval(this.timer);
    this.connected = false;
    this.session++;
  }

  private emit<E extends keyof LinkEvents>(event: E, ...args: LinkEvents[E]): void {
    for (const l of this.listeners[event]) (l as (...a: LinkEvents[E]) => void)(...args);
  }

  private gotPacket(): void {
    this.lastPacketAt = this.clock.now();
    this.emit('packet');
  }

  private lose(): void {
    if (!this.connected) return;
    this.connected = false;
    this.session++;
    this.emit('close');
  }

  private check(): void {
    if (this.ended) return;
    // mqtt.js closes a connection whose PINGREQ went unanswered for a keepalive period.
    if (this.connected && this.clock.now() - this.lastPacketAt > 2 * this.keepaliveMs) {
      this.lose();
      return;
    }
    if (!this.connected) this.tryConnect();
  }

  private tryConnect(): void {
    if (this.ended || this.connected) return;
    const session = this.session + 1;
    const ok = this.broker.connect({
      clientId: this.clientId, will: this.will, keepaliveMs: this.keepaliveMs,
      receive: (topic, payload) => {
        if (this.session !== session || !this.connected) return;
        this.gotPacket();
        this.emit('message', topic, Buffer.from(payload));
      },
      kick: () => { if (this.session === session) this.lose(); },
    });
    if (!ok) return;
    this.session = session;
    this.connected = true;
    this.gotPacket(); // CONNACK
    this.emit('connect');
  }
}
