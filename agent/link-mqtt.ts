// The agent's link over MQTT (mqtt.js): every CONNECT option of the production agent lives here.
import mqtt from 'mqtt';
import type { AgentLink, LinkEvents, LinkOptions, LinkWill } from './link';

const FAST_RECONNECT_MS = 250;
const REFUSED_RECONNECT_MS = 5000;

const mqttWill = (w: LinkWill) => ({ topic: w.topic, payload: Buffer.from(w.payload), qos: w.qos, retain: w.retain });

export function connectMqttLink(opts: LinkOptions): AgentLink {
  const password = () => (typeof opts.token === 'function' ? opts.token() : opts.token);
  const client = mqtt.connect(opts.url, {
    ...(opts.ca ? { ca: opts.ca, rejectUnauthorized: true } : {}),
    protocolVersion: 4, // MQTT 3.1.1: aedes has no v5, and every broker speaks it
    clientId: `berth-agent-${opts.hostId}`,
    username: opts.hostId,
    password: password(),
    clean: true,
    // The broker drops (and publishes the Will of) an agent silent for 1.5 × keepalive; heartbeats keep it fed.
    keepalive: Math.max(1, Math.round(opts.selfFenceMs / 1500)),
    reconnectPeriod: FAST_RECONNECT_MS,
    // A refused CONNECT (wrong token, not authorised) is retried too, slowly: the token may be fixed centrally.
    reconnectOnConnackError: true,
    connectTimeout: 5000,
    resubscribe: false, // the agent subscribes on every connect itself (clean sessions)
    will: mqttWill(opts.will),
  });
  client.on('connect', () => { client.options.reconnectPeriod = FAST_RECONNECT_MS; });
  // mqtt.js sends client.options.password with every CONNECT: keep it current.
  client.on('reconnect', () => { client.options.password = password(); });
  client.on('error', (e) => {
    // MQTT refusals carry a numeric return code (socket errors a string one): back off, do not hammer.
    if (typeof (e as { code?: unknown }).code === 'number') {
      client.options.reconnectPeriod = opts.onRefused?.() ? FAST_RECONNECT_MS : REFUSED_RECONNECT_MS;
    }
  });

  return {
    async publish(topic, payload, o) {
      await client.publishAsync(topic, payload, { qos: o.qos, retain: o.retain });
    },
    async subscribe(topic, qos) {
      const granted = await client.subscribeAsync(topic, { qos });
      if (granted.some((g) => g.qos === 128)) throw new Error('refused by the broker');
    },
    ping: () => client.sendPing(),
    setWill: (w) => { client.options.will = mqttWill(w); },
    drop: () => { if (client.connected) client.stream.destroy(); },
    end: async () => { await client.endAsync(); },
    on<E extends keyof LinkEvents>(event: E, listener: (...args: LinkEvents[E]) => void) {
      const l = listener as (...a: unknown[]) => void;
      if (event === 'packet') client.on('packetreceive', () => l());
      else if (event === 'message') client.on('message', (t, p) => l(t, p));
      else client.on(event as 'connect' | 'close' | 'error', l);
    },
  };
}
