// Node side of the workerd tests: agents' views of the broker (and the telemetry consumer's, host=telemetry), held
// outside workerd. A spec asks over HTTP for a host to start listening (an MQTT client over TCP with that host's identity: the first connection enrols it with
// the fleet token, later ones use its own secret, as a real agent does), reads the documents it received, and
// stops it. Why not an MQTT-over-WebSocket client inside the test isolate: workerd ties a socket to the request
// that opened it, and such a client shared the isolate with the Worker's own invocations — now and then a
// request hung there (the runtime cancelled it as hung) and every later test of the file failed with it.
import { createServer, type Server } from 'node:http';
import mqtt, { type MqttClient } from 'mqtt';

interface Listener { client: MqttClient; docs: unknown[] }

const hostSecret = (hostId: string) => `workerd-host-secret-${hostId}-0123456789abcdef`;

/** The listener id of the read-only telemetry consumer (user `telemetry`, subscribed to berth/v1/telemetry/#). */
export const TELEMETRY_LISTENER = 'telemetry';

export async function startAgentListeners(mqttUrl: string, agentToken: string, telemetryToken: string): Promise<{ url: string; close: () => Promise<void> }> {
  const listeners = new Map<string, Listener>();
  const enrolled = new Set<string>();

  /** The telemetry consumer as issue 11 documents it; what it hears is kept as {topic, message}. */
  async function listenTelemetry(): Promise<void> {
    await stop(TELEMETRY_LISTENER);
    const client = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, clientId: 'workerd-telemetry', username: 'telemetry', password: telemetryToken, reconnectPeriod: 0, clean: true, connectTimeout: 5000 });
    const l: Listener = { client, docs: [] };
    client.on('message', (topic, payload) => l.docs.push({ topic, message: JSON.parse(payload.toString('utf8')) }));
    client.on('error', () => undefined);
    const granted = await client.subscribeAsync('berth/v1/telemetry/#', { qos: 0 });
    if (granted[0]?.qos === 128) throw new Error('the telemetry subscription was refused');
    listeners.set(TELEMETRY_LISTENER, l);
  }

  async function listen(hostId: string): Promise<void> {
    if (hostId === TELEMETRY_LISTENER) return listenTelemetry();
    await stop(hostId);
    const password = enrolled.has(hostId) ? hostSecret(hostId) : `berth-enrol:${agentToken}:${hostSecret(hostId)}`;
    const client = await mqtt.connectAsync(mqttUrl, { protocolVersion: 4, clientId: `berth-agent-${hostId}`, username: hostId, password, reconnectPeriod: 0, clean: true, connectTimeout: 5000 });
    enrolled.add(hostId);
    const l: Listener = { client, docs: [] };
    client.on('message', (_t, payload) => l.docs.push(JSON.parse(payload.toString('utf8'))));
    client.on('error', () => undefined);
    const granted = await client.subscribeAsync(`berth/v1/hosts/${hostId}/desired`, { qos: 1 });
    if (granted[0]?.qos === 128) throw new Error(`the subscription of ${hostId} was refused`);
    listeners.set(hostId, l);
  }

  async function stop(hostId: string): Promise<void> {
    const l = listeners.get(hostId);
    listeners.delete(hostId);
    if (l) await l.client.endAsync();
  }

  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const hostId = u.searchParams.get('host') ?? '';
    const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const run = async () => {
      if (!/^[A-Za-z0-9-]+$/.test(hostId)) return reply(400, { error: 'host=<id> needed' });
      if (req.method === 'POST' && u.pathname === '/listen') { await listen(hostId); return reply(200, { listening: hostId }); }
      if (req.method === 'POST' && u.pathname === '/stop') { await stop(hostId); return reply(200, { stopped: hostId }); }
      if (req.method === 'GET' && u.pathname === '/docs') {
        const l = listeners.get(hostId);
        return l ? reply(200, { docs: l.docs, connected: l.client.connected }) : reply(404, { error: `${hostId} is not listening` });
      }
      return reply(404, { error: 'no such route' });
    };
    run().catch((e: Error) => reply(500, { error: e.message }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const h of [...listeners.keys()]) await stop(h).catch(() => undefined);
      await new Promise((r) => server.close(r));
    },
  };
}
