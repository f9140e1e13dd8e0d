// Ingest on two `berth serve` replicas over one database and an external broker (Mosquitto), issues 12 and 10.
// Status reports go through one shared subscription: the broker hands each to ONE replica, so the replicas split
// that work and every report is applied exactly once. Liveness (presence, heartbeats) is NOT shared: every replica
// hears every host, so the leader's judgement of silence never depends on another replica being able to read
// its share — a SIGSTOPped (or slow) replica used to swallow half the heartbeats and the leader declared live
// hosts dead and moved their containers (a VPN then ran on two hosts; the chaos soak's "unexplained doubles").
// Counted from each replica's own /metrics (berth_ingest_messages_total{outcome="received"}) and from the
// hosts' liveness in the API. Heard by all, applied by one (issue 12): only the replica holding the controller
// lease writes liveness, so N heartbeats are N applications in all, and a frozen LEADER hands over without a live
// host declared dead (the new leader's grace covers the gap). Skipped where Mosquitto is not installed.
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createClient } from '@libsql/client';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnBerth, stopProcess } from '../../functions/node/processes';
import { httpApi } from '../../functions/node/seed-vpn';
import { Cluster, freePort, MOSQUITTO, sleep, waitFor } from './cluster';

const HOSTS = ['spread0', 'spread1', 'spread2', 'spread3'];
const PER_HOST = 50;

type Outcome = 'received' | 'applied' | 'left_to_leader';
async function ingested(url: string, token: string, outcome: Outcome): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
  const m = new RegExp(`^berth_ingest_messages_total\\{outcome="${outcome}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}
const received = (url: string, token: string) => ingested(url, token, 'received');

describe.skipIf(!MOSQUITTO)('ingest on two replicas (Mosquitto)', () => {
  const c = new Cluster('mosquitto', HOSTS);
  let second: ChildProcess | null = null;
  let secondUrl = '';
  const counts = async () => [await received(c.httpUrl, c.adminToken), await received(secondUrl, c.adminToken)];

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
    second?.kill('SIGCONT');
    if (second) await stopProcess(second);
    await c.close();
  });

  /** Each host speaks for itself with its own credential, PER_HOST messages at QoS 1 so none may be lost on the way. */
  async function publishFromEveryHost(kind: 'status' | 'heartbeat', payload: (h: string, bootId: string, i: number) => object) {
    for (const h of HOSTS) {
      const m = await c.asHost(h);
      const bootId = crypto.randomUUID();
      for (let i = 0; i < PER_HOST; i++) await m.publishAsync(`berth/v1/hosts/${h}/${kind}`, JSON.stringify(payload(h, bootId, i)), { qos: 1 });
      await m.endAsync();
    }
  }

  it('applies every status report once, on one replica or the other, and both replicas take a share', async () => {
    const [a0, b0] = await counts();
    await publishFromEveryHost('status', (h, bootId) => ({ v: 1, hostId: h, bootId, containers: [] }));
    const sent = HOSTS.length * PER_HOST;
    await waitFor(`${sent} reports counted by the two replicas`, async () => {
      const [a, b] = await counts();
      return a - a0 + b - b0 >= sent ? true : undefined;
    }, 20_000, 200);
    // Nothing more arrives later (a report delivered to both would show up as a surplus).
    await sleep(1000);
    const [a, b] = await counts();
    expect(a - a0 + b - b0).toBe(sent);
    expect(Math.min(a - a0, b - b0)).toBeGreaterThan(0);
  }, 60_000);

  const leaseHolderPid = async () => {
    const db = createClient({ url: c.dbUrl });
    try {
      return String((await db.execute("SELECT holder FROM leases WHERE name = 'controller'")).rows[0]?.holder).split(':')[1];
    } finally {
      db.close();
    }
  };

  /** Two hosts heartbeat every 200 ms in strict alternation (as a steady fleet does) while `during` runs. */
  async function whileBeating(during: (live: string[]) => Promise<void>) {
    // A shared subscription's round robin would hand every heartbeat of one of them to the same replica.
    const live = HOSTS.slice(0, 2);
    const clients: MqttClient[] = await Promise.all(live.map((h) => c.asHost(h)));
    const boots = live.map(() => crypto.randomUUID());
    let beating = true;
    const beat = (async () => {
      for (let seq = 0; beating; seq++) {
        for (let i = 0; i < live.length; i++) {
          const hb = { v: 1, hostId: live[i], bootId: boots[i], seq, at: Date.now(), observedGeneration: 0, count: 0, quota: -1, load: 0 };
          clients[i].publish(`berth/v1/hosts/${live[i]}/heartbeat`, JSON.stringify(hb), { qos: 0 });
          await sleep(100);
        }
      }
    })();
    try {
      for (const h of live) await waitFor(`${h} alive`, async () => ((await c.host(h))?.alive ? true : undefined), 10_000, 100);
      await during(live);
    } finally {
      beating = false;
      await beat;
      await Promise.all(clients.map((m) => m.endAsync()));
    }
  }

  /** Hosts of `live` seen dead through the API of the replica at `url` (one that is not frozen) during `ms`. */
  async function deadDuring(live: string[], ms: number, url = c.httpUrl): Promise<string[]> {
    const api = httpApi(url, c.adminToken);
    const deadSeen = new Set<string>();
    const until = Date.now() + ms;
    while (Date.now() < until) {
      for (const h of live) if ((await api('GET', `/v1/hosts/${h}`)).body?.host?.alive === false) deadSeen.add(h);
      await sleep(100);
    }
    return [...deadSeen];
  }

  it('hands every heartbeat to every replica; the lease holder alone applies them (N sent, N applied in all)', async () => {
    const [a0, b0] = await counts();
    const applied = async () => (await ingested(c.httpUrl, c.adminToken, 'applied')) + (await ingested(secondUrl, c.adminToken, 'applied'));
    const applied0 = await applied();
    const left0 = await ingested(secondUrl, c.adminToken, 'left_to_leader');
    await publishFromEveryHost('heartbeat', (h, bootId, seq) => ({ v: 1, hostId: h, bootId, seq, at: Date.now(), observedGeneration: 0, count: 0, quota: -1, load: seq }));
    const sent = HOSTS.length * PER_HOST;
    await waitFor(`${sent} heartbeats counted by each replica`, async () => {
      const [a, b] = await counts();
      return a - a0 >= sent && b - b0 >= sent ? true : undefined;
    }, 20_000, 200);
    await sleep(500); // the last batches written
    expect(await applied() - applied0).toBe(sent);
    // The second replica started second: the first one leads, the second leaves liveness to it.
    expect(await leaseHolderPid()).toBe(String(c.serve!.pid));
    expect(await ingested(secondUrl, c.adminToken, 'left_to_leader') - left0).toBe(sent);
    for (const h of HOSTS) expect((await c.host(h))?.alive).toBe(true);
  }, 60_000);

  it('a frozen replica does not make the leader declare live hosts dead', async () => {
    await whileBeating(async (live) => {
      await sleep(2500); // past any grace of the leader
      // The first replica started first and holds the lease (holder = host:pid:random); the other one is frozen.
      expect(await leaseHolderPid()).toBe(String(c.serve!.pid));
      second!.kill('SIGSTOP');
      try {
        expect(await deadDuring(live, 4000)).toEqual([]); // twice hostDeadAfter (2 s)
      } finally {
        second!.kill('SIGCONT');
      }
    });
  }, 60_000);

  it('a frozen LEADER: the other replica takes the lease, applies liveness from then, and declares no live host dead', async () => {
    await whileBeating(async (live) => {
      await sleep(2500);
      expect(await leaseHolderPid()).toBe(String(c.serve!.pid));
      const appliedBySecond0 = await ingested(secondUrl, c.adminToken, 'applied');
      c.serve!.kill('SIGSTOP');
      try {
        // The lease lapses after its TTL (2 s); the second replica's grace then runs one hostDeadAfter (2 s) while
        // it applies heartbeats itself. Watched well past both.
        expect(await deadDuring(live, 7000, secondUrl)).toEqual([]);
        expect(await leaseHolderPid()).toBe(String(second!.pid));
        expect(await ingested(secondUrl, c.adminToken, 'applied') - appliedBySecond0).toBeGreaterThan(0);
      } finally {
        c.serve!.kill('SIGCONT');
      }
      // Thawed, the old leader drops what piled up while it slept: it no longer holds the lease.
      await sleep(1000);
      expect(await leaseHolderPid()).toBe(String(second!.pid));
      for (const h of live) expect((await c.host(h))?.alive).toBe(true);
    });
  }, 60_000);
});
