// Helpers the workerd specs share: the Worker through SELF, the database over @libsql/client/web (HTTP, inside
// workerd), and MQTT-over-WebSocket clients acting as agents (they see what the Worker published).
import { env, SELF } from 'cloudflare:test';
import mqtt, { type MqttClient } from 'mqtt';
import { openDatabase, type Database } from '../../functions/db/client';
import { controlPassword } from '../../functions/crypto';
import type { Api } from '../../functions/node/seed-vpn';

export const ORIGIN = 'http://berth.test';

export async function call(method: string, path: string, body?: unknown, token: string | null = env.BERTH_ADMIN_TOKEN, raw?: string) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined || raw !== undefined) headers['content-type'] = 'application/json';
  const res = await SELF.fetch(`${ORIGIN}${path}`, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
  const text = await res.text();
  let parsed: any;
  try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = text; }
  return { status: res.status, body: parsed };
}

export const api: Api = (method, path, body) => call(method, path, body);

export const controlCredential = () => controlPassword(env.BERTH_ADMIN_TOKEN);

export const openDb = (): Promise<Database> => openDatabase({ url: env.BERTH_DB_URL, authToken: env.BERTH_DB_AUTH_TOKEN });

export function heartbeat(hostId: string, bootId = `${hostId}-boot`, seq = 0) {
  return { topic: `berth/v1/hosts/${hostId}/heartbeat`, payload: JSON.stringify({ v: 1, hostId, bootId, seq, at: Date.now(), observedGeneration: 0, count: 0, quota: -1, load: 0 }) };
}

export function presence(hostId: string, online: boolean, bootId = `${hostId}-boot`) {
  return { topic: `berth/v1/hosts/${hostId}/presence`, payload: JSON.stringify({ v: 1, hostId, bootId, online, at: Date.now() }) };
}

export async function ingest(messages: unknown[], token?: string) {
  return call('POST', '/v1/agent-events', { messages }, token ?? (await controlCredential()));
}

const enrolled = new Set<string>();
const hostSecret = (hostId: string) => `workerd-host-secret-${hostId}-0123456789abcdef`;

/**
 * An agent's view of the broker: it subscribes to its desired topic and keeps every document it receives (the
 * retained one first). The first connection of a host enrols it with the fleet token (issue 9); later ones log in
 * with its own secret, as a real agent does. Open one per test and close it there: workerd ties a socket to the
 * test (request context) that opened it, so a listener kept from beforeAll is not one to rely on. Drops are
 * logged: a listener that stops hearing says so instead of timing out silently.
 */
export async function agentListener(hostId: string): Promise<{ docs: any[]; client: MqttClient; close: () => Promise<void> }> {
  const password = enrolled.has(hostId) ? hostSecret(hostId) : `berth-enrol:${env.BERTH_AGENT_TOKEN}:${hostSecret(hostId)}`;
  const client = await mqtt.connectAsync(env.BERTH_MQTT_URL, {
    protocolVersion: 4, clientId: `berth-agent-${hostId}`, username: hostId, password, reconnectPeriod: 0, clean: true,
  });
  enrolled.add(hostId);
  let closing = false;
  client.on('close', () => { if (!closing) console.log(`agent listener ${hostId}: connection closed by the broker`); });
  client.on('error', (e) => console.log(`agent listener ${hostId}: ${e.message}`));
  const docs: any[] = [];
  client.on('message', (_t, payload) => docs.push(JSON.parse(new TextDecoder().decode(payload))));
  const granted = await client.subscribeAsync(`berth/v1/hosts/${hostId}/desired`, { qos: 1 });
  if (granted[0]?.qos === 128) throw new Error(`agent listener ${hostId}: subscription refused`);
  return { docs, client, close: async () => { closing = true; await client.endAsync(); } };
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;
