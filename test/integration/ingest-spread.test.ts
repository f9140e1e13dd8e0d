// Ingest that spreads (issue 12): two `berth serve` replicas on one database, subscribed to the agent topics of an
// external broker (Mosquitto) through one shared subscription: the broker hands each agent message to ONE replica,
// so the replicas split the work and every message is applied exactly once. Counted from each replica's own
// /metrics (berth_ingest_messages_total{outcome="received"}): the two counts add up to what was published, and
// both replicas took a share. Skipped where Mosquitto is not installed.
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnBerth, stopProcess } from '../../functions/node/processes';
import { Cluster, freePort, MOSQUITTO, waitFor } from './cluster';

const HOSTS = ['spread0', 'spread1', 'spread2', 'spread3'];
const PER_HOST = 50;

async function received(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^berth_ingest_messages_total\{outcome="received"\} (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

describe.skipIf(!MOSQUITTO)('ingest on two replicas with a shared subscription (Mosquitto)', () => {
  const c = new Cluster('mosquitto', HOSTS);
  let second: ChildProcess | null = null;
  let secondUrl = '';

  beforeAll(async () => {
    await c.start();
    const port = await freePort();
    second = spawnBerth(['serve'], {
      logFile: join(c.dir, 'serve-second.log'),
      env: {
        BERTH_DB_URL: c.dbUrl, BERTH_PORT: String(port), BERTH_HOST: '127.0.0.1', BERTH_LOG_LEVEL: 'info', BERTH_MQTT_URL: c.serveMqttUrl,
        BERTH_ADMIN_TOKEN: c.adminToken, BERTH_AGENT_TOKEN: c.agentToken, BERTH_SECRET_KEY: c.secretKey,
      },
    });
    secondUrl = `http://127.0.0.1:${port}`;
    await waitFor('second replica to answer /healthz', async () => ((await fetch(`${secondUrl}/healthz`)).ok ? true : undefined), 60_000, 100);
  }, 120_000);
  afterAll(async () => {
    if (second) await stopProcess(second);
    await c.close();
  });

  it('applies every agent message once, on one replica or the other, and both replicas take a share', async () => {
    const before = (await received(c.httpUrl)) + (await received(secondUrl));
    // Each host speaks for itself with its own credential, at QoS 1 so nothing may be lost on the way.
    for (const h of HOSTS) {
      const m = await c.asHost(h);
      const bootId = crypto.randomUUID();
      for (let seq = 0; seq < PER_HOST; seq++) {
        const hb = { v: 1, hostId: h, bootId, seq, at: Date.now(), observedGeneration: 0, count: 0, quota: -1, load: seq };
        await m.publishAsync(`berth/v1/hosts/${h}/heartbeat`, JSON.stringify(hb), { qos: 1 });
      }
      await m.endAsync();
    }
    const sent = HOSTS.length * PER_HOST;
    const counts = await waitFor(`${sent} messages counted by the two replicas`, async () => {
      const a = await received(c.httpUrl);
      const b = await received(secondUrl);
      return a + b - before >= sent ? [a, b] : undefined;
    }, 20_000, 200);
    // Nothing more arrives later (a message delivered to both would show up as a surplus).
    await new Promise((r) => setTimeout(r, 1000));
    const a = await received(c.httpUrl);
    const b = await received(secondUrl);
    expect(a + b - before).toBe(sent);
    expect(Math.min(a, b)).toBeGreaterThan(0);
    expect(counts[0] + counts[1]).toBe(a + b);
    for (const h of HOSTS) expect((await c.host(h))?.alive).toBe(true);
  }, 60_000);
});
