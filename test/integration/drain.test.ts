// Drain with real processes: `berth serve` + three `berth agent --driver sim` over the embedded broker. Six VPN
// containers start on host0 alone; then host0 is drained two at a time: it is cordoned at once, every container
// ends RUNNING on host1/host2 (the agents say so too), never more than two moving at once, and the drain ends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, waitFor } from './cluster';
import { vpnFleet } from './vpns';

describe('drain with real agents', () => {
  const c = new Cluster('embedded', ['host0', 'host1', 'host2']);
  const N = 6;
  let failed = false;
  beforeAll(async () => {
    await c.start();
    c.startAgent('host0');
    await waitFor('host0 alive', async () => ((await c.host('host0'))?.alive ? true : undefined), 20_000);
  }, 60_000);
  afterAll(async () => c.close(failed || !!process.env.BERTH_IT_KEEP), 30_000);

  it('moves every container off, at most maxParallel in flight, and leaves the host cordoned', async () => {
    try {
      const fleet = await vpnFleet(c.api, 'drain');
      for (let i = 0; i < N; i++) await fleet.add();
      await waitFor(`${N} containers RUNNING on host0`, async () => {
        const all = await c.containers();
        return all.length === N && all.every((x) => x.hostId === 'host0' && x.status === 'RUNNING') ? all : undefined;
      }, 20_000);
      c.startAgent('host1');
      c.startAgent('host2');
      for (const h of ['host1', 'host2']) await waitFor(`${h} alive`, async () => ((await c.host(h))?.alive ? true : undefined), 20_000);

      const res = await c.api('POST', '/v1/hosts/host0/drain', { maxParallel: 2 });
      expect(res).toMatchObject({ status: 202, body: { drain: { hostId: 'host0', containers: N, maxParallel: 2 } } });
      expect((await c.host('host0')).cordoned).toBe(true);

      let most = 0;
      const done = await waitFor('every container RUNNING off host0', async () => {
        const all = await c.containers();
        most = Math.max(most, all.filter((x) => x.hostId !== 'host0' && x.status !== 'RUNNING').length);
        return all.every((x) => x.hostId !== 'host0' && x.status === 'RUNNING') ? all : undefined;
      }, 30_000, 20);
      expect(most).toBeLessThanOrEqual(2);
      expect(new Set(done.map((x) => x.hostId))).toEqual(new Set(['host1', 'host2']));
      const status = await waitFor('the drain to end', async () => {
        const d = (await c.api('GET', '/v1/hosts/host0/drain')).body.drain;
        return d.draining ? undefined : d;
      }, 10_000);
      expect(status).toMatchObject({ cordoned: true, remaining: 0, inFlight: 0 });
      expect(await c.host('host0')).toMatchObject({ cordoned: true, containerCount: 0 });
      // The agents agree: host0's sim driver ends up holding nothing.
      await waitFor('host0 agent empty', () => ((c.simState('host0')?.containers.length ?? 0) === 0 ? true : undefined), 10_000);
      const events = (await c.api('GET', `/v1/containers/${done[0].id}/events`)).body.events;
      expect(events.some((e: any) => /drain of host0/.test(e.reason))).toBe(true);
    } catch (e) {
      failed = true;
      throw e;
    }
  }, 120_000);
});
