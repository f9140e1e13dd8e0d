// Helpers the workerd specs share: the Worker through SELF, the database over @libsql/client/web (HTTP, inside
// workerd), and MQTT-over-WebSocket clients acting as agents (they see what the Worker published).
import { env, SELF } from 'cloudflare:test';
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

/**
 * An agent's view of the broker: a listener held on the Node side (agent-listeners.ts) with the host's identity,
 * subscribed to its desired topic; docs() reads every document it received so far (the retained one first).
 */
export interface AgentListener { docs: () => Promise<any[]>; close: () => Promise<void> }

export async function agentListener(hostId: string): Promise<AgentListener> {
  const base = env.TEST_LISTENERS_URL;
  const res = await fetch(`${base}/listen?host=${hostId}`, { method: 'POST' });
  if (!res.ok) throw new Error(`agent listener ${hostId}: ${await res.text()}`);
  return {
    docs: async () => {
      const r = await fetch(`${base}/docs?host=${hostId}`);
      const body = await r.json() as { docs?: any[]; connected?: boolean; error?: string };
      if (!r.ok || !body.connected) throw new Error(`agent listener ${hostId}: ${body.error ?? 'disconnected'}`);
      return body.docs!;
    },
    close: async () => { await (await fetch(`${base}/stop?host=${hostId}`, { method: 'POST' })).text(); },
  };
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
