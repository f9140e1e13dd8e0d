// berth/v1/events reaches a telemetry consumer from the record, through `berth serve` on Node with its embedded
// (aedes) broker: an event an API call raised and one ingest raised — neither of which ever had a broker
// connection of its own to publish from — arrive on MQTT with the ids GET /v1/events lists them under.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../functions/node/serve';
import { leases } from '../../functions/db/schema';
import { zEvent, type BerthEvent } from '../../shared/protocol/messages';
import { topics } from '../../shared/protocol/topics';

const ADMIN = 'admin-token-0123456789abcdef';
const TELEMETRY = 'telemetry-token-0123456789abcdef';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('berth/v1/events on a real broker, from the record', () => {
  let dir: string;
  let s: RunningServer;
  const api = async (method: string, path: string) => {
    const res = await fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${ADMIN}` } });
    return { status: res.status, body: await res.json() as any };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'berth-events-'));
    s = await startServer({
      BERTH_DB_URL: `file:${join(dir, 'berth.db')}`, BERTH_PORT: '0', BERTH_MQTT_PORT: '0', BERTH_HOST: '127.0.0.1', BERTH_LOG_LEVEL: 'silent',
      BERTH_ADMIN_TOKEN: ADMIN, BERTH_AGENT_TOKEN: 'agent-token-0123456789abcdef', BERTH_SECRET_KEY: 'secret-key-0123456789abcdef',
      BERTH_TELEMETRY_TOKEN: TELEMETRY,
    });
  });
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an API call and ingest raise events; a telemetry consumer gets both, with their feed ids', async () => {
    // The leader's first relay pass starts the cursor at the newest event.
    await waitFor('the events cursor', async () => (await s.deps.database.db.select({ c: leases.eventsPublishedId }).from(leases))[0]?.c ?? undefined);
    const consumer = await mqtt.connectAsync(s.mqttUrl, { username: 'telemetry', password: TELEMETRY, clientId: 'it-events', reconnectPeriod: 0 });
    const got: BerthEvent[] = [];
    consumer.on('message', (topic, payload) => { if (topic === topics.events) got.push(zEvent.parse(JSON.parse(payload.toString()))); });
    await consumer.subscribeAsync(topics.events);
    try {
      // An API call (no broker connection of its own on a Worker; here it only records).
      const issued = await api('POST', '/v1/hosts/h1/token');
      expect(issued.status).toBe(201);
      // Ingest: the host's agent says hello.
      const agent = await mqtt.connectAsync(s.mqttUrl, { username: 'h1', password: issued.body.token.token, clientId: 'berth-agent-h1', reconnectPeriod: 0 });
      await agent.publishAsync(topics.presence('h1'), JSON.stringify({ v: 1, hostId: 'h1', bootId: 'boot-1', online: true, at: Date.now() }), { qos: 1, retain: true });
      await agent.endAsync();

      const both = await waitFor('both events on MQTT', () => (got.some((e) => e.type === 'host-alive') && got.some((e) => e.type === 'host-token-issued') ? got : undefined));
      const feed = (await api('GET', '/v1/events')).body.events as { id: number; type: string; hostId?: string }[];
      for (const type of ['host-token-issued', 'host-alive']) {
        const sent = both.find((e) => e.type === type)!;
        expect(sent).toMatchObject({ hostId: 'h1' });
        expect(feed.find((e) => e.id === sent.id)).toMatchObject({ type, hostId: 'h1' });
      }
      const ids = both.map((e) => e.id);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    } finally {
      await consumer.endAsync();
    }
  }, 30_000);
});
