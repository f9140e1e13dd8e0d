// The agent's link to the broker, as an interface: what agent.ts needs from MQTT (connect with a Last Will,
// publish with QoS and retain, subscribe, keepalive pings, connection events). Implementations: MQTT over the
// network (link-mqtt.ts, production) and an in-process broker (link-memory.ts, the deterministic simulation).

export interface LinkWill {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

export interface LinkOptions {
  hostId: string;
  url: string;
  /** The MQTT password, asked again before every CONNECT (an enrolling agent switches to its own secret). */
  token: string | (() => string);
  /** PEM of the CA that signed an mqtts broker's certificate (--ca). */
  ca?: Buffer;
  /** The broker refused the CONNECT (a CONNACK error); true: the next attempt differs (re-enrol), try it soon. */
  onRefused?: () => boolean;
  /** The agent self-fences after this much silence; the keepalive is derived from it. */
  selfFenceMs: number;
  will: LinkWill;
}

export interface LinkEvents {
  /** A session began (first connect and every reconnect; subscriptions must be made again). */
  connect: [];
  /** The session ended (cleanly or not); the link reconnects by itself. */
  close: [];
  /** Any packet from the broker: proof it still hears us. */
  packet: [];
  message: [topic: string, payload: Buffer];
  error: [error: Error];
}

export interface AgentLink {
  publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void>;
  /** Resolves when granted; rejects when the broker refuses. */
  subscribe(topic: string, qos: 0 | 1): Promise<void>;
  /** Asks the broker for a sign of life (a PINGRESP arrives as a 'packet'). */
  ping(): void;
  /** The Last Will sent with the next CONNECT. */
  setWill(will: LinkWill): void;
  /** Drops the session at once, uncleanly (the broker publishes the Will); the link reconnects. */
  drop(): void;
  /** Ends the session cleanly (no Will) and stops reconnecting. */
  end(): Promise<void>;
  on<E extends keyof LinkEvents>(event: E, listener: (...args: LinkEvents[E]) => void): void;
}

export type ConnectLink = (opts: LinkOptions) => AgentLink;
