// The Publisher of one Worker invocation: MQTT 3.1.1 over WebSocket (mqtt.js; ws:// or wss://) as the control
// plane (username berth-control, the control credential). It connects on the first publish and is closed by the
// invocation that made it (close()): a Worker keeps no connection between invocations. Why WebSocket and not raw
// TCP (cloudflare:sockets), and what a connection costs: docs/decisions.md, "Serverless control plane (issue 8)".
import mqtt, { type MqttClient } from 'mqtt';
import type { Publisher } from '../deps';
// Pure rules (no Node module): the user and client-id prefix the broker ACL grants the control plane.
import { CONTROL_CLIENT_PREFIX, CONTROL_USER } from '../node/mqtt-acl';

export class InvocationPublisher implements Publisher {
  private client: Promise<MqttClient> | null = null;
  /** ms spent connecting (0 until a publish connected), for logs and benchmarks. */
  connectMs = 0;

  constructor(private readonly url: string, private readonly password: string, private readonly connectTimeoutMs = 5000) {
    if (!/^wss?:\/\//.test(url)) throw new Error(`BERTH_MQTT_URL must be a ws:// or wss:// URL on Workers (mqtt:// cannot be opened there), got ${url}`);
  }

  private connect(): Promise<MqttClient> {
    if (!this.client) {
      const started = Date.now();
      this.client = mqtt.connectAsync(this.url, {
        protocolVersion: 4,
        clientId: `${CONTROL_CLIENT_PREFIX}-w-${crypto.randomUUID().slice(0, 8)}`,
        username: CONTROL_USER,
        password: this.password,
        clean: true,
        reconnectPeriod: 0, // one attempt: the outbox keeps the marks and a later invocation tries again
        connectTimeout: this.connectTimeoutMs,
      }).then((c) => {
        this.connectMs = Date.now() - started;
        return c;
      });
      this.client.catch(() => undefined);
    }
    return this.client;
  }

  async publish(topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }): Promise<void> {
    const c = await this.connect();
    await c.publishAsync(topic, payload, { qos: opts.qos, retain: opts.retain });
  }

  /** Ends the connection (after QoS 1 acknowledgements are in: publish() awaited them). */
  async close(): Promise<void> {
    const c = this.client;
    this.client = null;
    if (!c) return;
    try {
      await (await c).endAsync();
    } catch {
      // never connected: nothing to close
    }
  }
}
