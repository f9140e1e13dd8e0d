// Scheduling and failover end to end (issue 4) with real processes: `berth serve` (its leased controller),
// four `berth agent --driver sim` and the embedded broker. The tests run in order and build on each other:
// policies (least, weighted) and host-group affinity, hard and soft limits, migration accepted and refused,
// clearing the host, then kill -9 and SIGSTOP of an agent — its containers RUNNING elsewhere, never taken back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster, sleep, waitFor } from './cluster';
import { allRunning, containerOf, createCounts, patchHost, vpnFactory, type VpnFactory } from './failover-kit';

const HOSTS = ['host0', 'host1', 'host2', 'host3'];
const MAIN = ['host0', 'host1', 'host2'];

describe('scheduling and failover (embedded broker)', () => {
  const c = new Cluster('embedded', HOSTS);
  let make: VpnFactory;
  let failed = false;
  const least: string[] = [];
  const weighted: string[] = [];
  const az: string[] = [];
  const track = <T>(p: Promise<T>) => p.catch((e) => { failed = true; throw e; });
  const hostsOf = async (routers: string[]) => Promise.all(routers.map(async (r) => (await containerOf(c, r))?.hostId ?? null));
  const cordonAll = async (cordoned: boolean, ids = HOSTS) => { for (const h of ids) await patchHost(c, h, { cordoned }); };
  /** Containers on nowhere (DOWN), so their group can be changed before the first placement. */
  const down = (routers: string[]) => waitFor('containers DOWN', async () => {
    const boxes = await Promise.all(routers.map((r) => containerOf(c, r)));
    return boxes.every((b) => b && b.hostId === null && b.schedulerState === 'DOWN') ? boxes : undefined;
  }, 10_000);

  beforeAll(async () => {
    await c.start();
    for (const h of HOSTS) c.startAgent(h);
    for (const h of HOSTS) await waitFor(`${h} alive`, async () => ((await c.host(h))?.alive ? true : undefined), 20_000);
    make = await vpnFactory(c.api);
  }, 60_000);
  afterAll(async () => c.close(failed || !!process.env.BERTH_IT_KEEP), 30_000);

  it('least: three containers on three hosts, one each, whatever the weights', () => track((async () => {
    await patchHost(c, 'host3', { cordoned: true });
    await patchHost(c, 'host1', { containerWeight: 1_000_000 });
    for (let i = 1; i <= 3; i++) least.push(await make.vpn(i));
    const boxes = await allRunning(c, least);
    expect(new Set(boxes.map((b) => b.hostId))).toEqual(new Set(MAIN));
    const events = (await c.api('GET', `/v1/containers/${boxes[0].id}/events`)).body.events;
    expect(events[0]).toMatchObject({ type: 'scheduled', reason: expect.stringMatching(/by policy least \(3 of 4 hosts eligible\)/) });
  })()), 60_000);

  it('weighted: containers go by weight (1,000,000 : 1 : 1); placed containers do not move for it', () => track((async () => {
    await cordonAll(true);
    for (let i = 4; i <= 6; i++) weighted.push(await make.vpn(i));
    const boxes = await down(weighted);
    for (const b of boxes) expect((await c.api('PATCH', `/v1/container-groups/${b.groupId}`, { policy: 'weighted' })).status).toBe(200);
    const before = await hostsOf(least);
    await cordonAll(false, MAIN);
    await allRunning(c, weighted, (h) => h === 'host1');
    expect(await hostsOf(least)).toEqual(before);
  })()), 60_000);

  it('host-group affinity: a router with availability_zone_hints runs only in that host group', () => track((async () => {
    expect((await c.api('POST', '/v1/host-groups', { name: 'az-a', hostIds: ['host3'] })).status).toBe(201);
    await patchHost(c, 'host3', { cordoned: false });
    az.push(await make.vpn(7, { az: 'az-a' }));
    await allRunning(c, az, (h) => h === 'host3');
  })()), 60_000);

  it('a hard limit is never exceeded (the container waits DOWN, explain says why); raising it places the container', () => track((async () => {
    await patchHost(c, 'host3', { containerLimit: 1, enforceContainerLimit: true });
    az.push(await make.vpn(8, { az: 'az-a' }));
    const [waiting] = await down([az[1]]);
    const ex = (await c.api('GET', `/v1/containers/${waiting.id}/explain`)).body.explain;
    expect(ex.hosts.find((h: any) => h.hostId === 'host3')).toEqual({ hostId: 'host3', eligible: false, reason: 'host is at its hard container limit' });
    expect(ex.hosts.find((h: any) => h.hostId === 'host0')).toMatchObject({ eligible: false, reason: "not a member of the container group's host group" });
    await sleep(1500);
    expect((await c.containers()).filter((b) => b.hostId === 'host3')).toHaveLength(1);
    await patchHost(c, 'host3', { containerLimit: 2 });
    await allRunning(c, az, (h) => h === 'host3');
  })()), 60_000);

  it('a soft limit is only a preference: with no other host, the over-limit host is used', () => track((async () => {
    await patchHost(c, 'host3', { containerLimit: 2, enforceContainerLimit: false });
    az.push(await make.vpn(9, { az: 'az-a' }));
    await allRunning(c, az, (h) => h === 'host3');
    expect((await c.host('host3')).containerCount).toBe(3);
  })()), 60_000);

  it('migration to an eligible host is accepted (RUNNING there, gone from the old host); to an ineligible one refused with the reason', () => track((async () => {
    const box = await containerOf(c, least[0]);
    const target = MAIN.find((h) => h !== box.hostId)!;
    const res = await c.api('PUT', `/v1/containers/${box.id}/host`, { hostId: target });
    expect(res.status).toBe(202);
    expect(res.body.container).toMatchObject({ hostId: target, placementGeneration: box.placementGeneration + 1 });
    await allRunning(c, [least[0]], (h) => h === target);
    await waitFor(`${box.hostId} to drop it`, () => (c.simState(box.hostId)?.containers.some((r) => r.spec.id === box.id) ? undefined : true), 10_000);

    const other = MAIN.find((h) => h !== target)!;
    await patchHost(c, other, { cordoned: true });
    const refused = await c.api('PUT', `/v1/containers/${box.id}/host`, { hostId: other });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe(`host ${other} cannot take container ${box.id}: host is cordoned`);
    expect((await c.api('PUT', `/v1/containers/${box.id}/host`, { hostId: 'host-nope' })).status).toBe(404);
    await patchHost(c, other, { cordoned: false });
    expect((await containerOf(c, least[0])).hostId).toBe(target);
  })()), 60_000);

  it('clearing the host re-runs automatic scheduling (202) and the container runs where it was put', () => track((async () => {
    const box = await containerOf(c, least[0]);
    const res = await c.api('DELETE', `/v1/containers/${box.id}/host`);
    expect(res.status).toBe(202);
    const to = res.body.container.hostId;
    expect(MAIN).toContain(to);
    await allRunning(c, [least[0]], (h) => h === to);
  })()), 60_000);

  it('kill -9 of an agent: its containers RUNNING elsewhere; the host comes back and takes nothing back', () => track((async () => {
    const victim = 'host1'; // holds the weighted containers
    const mine = (await Promise.all([...least, ...weighted].map((r) => containerOf(c, r)))).filter((b) => b.hostId === victim).map((b) => b.configurationId);
    expect(mine.length).toBeGreaterThanOrEqual(3);
    const t0 = Date.now();
    await c.killAgent(victim, 'SIGKILL');
    const moved = await allRunning(c, mine, (h) => h !== victim, 15_000);
    const ms = Date.now() - t0;
    expect(ms).toBeLessThan(8000);
    const where = moved.map((b) => b.hostId);
    const counts = createCounts(c, MAIN);
    c.startAgent(victim);
    await waitFor(`${victim} alive again`, async () => ((await c.host(victim))?.alive ? true : undefined), 15_000);
    await waitFor(`${victim} to drop what moved`, () => (c.simState(victim)?.containers.length === 0 ? true : undefined), 15_000);
    await sleep(2500);
    expect(await hostsOf(mine)).toEqual(where);
    const after = createCounts(c, MAIN);
    for (const h of MAIN.filter((x) => x !== victim)) expect(after[h], `creates on ${h}`).toBe(counts[h]);
  })()), 60_000);

  it('SIGSTOP of an agent: its containers RUNNING elsewhere; after SIGCONT it takes nothing back', () => track((async () => {
    const boxes = await Promise.all([...least, ...weighted].map((r) => containerOf(c, r)));
    const byHost = new Map<string, number>();
    for (const b of boxes) byHost.set(b.hostId, (byHost.get(b.hostId) ?? 0) + 1);
    const victim = [...byHost.entries()].sort((a, b) => b[1] - a[1])[0][0];
    const mine = boxes.filter((b) => b.hostId === victim).map((b) => b.configurationId);
    const agent = c.agents.get(victim)!;
    agent.kill('SIGSTOP');
    try {
      const moved = await allRunning(c, mine, (h) => h !== victim, 15_000);
      expect((await c.host(victim)).alive).toBe(false);
      const where = moved.map((b) => b.hostId);
      agent.kill('SIGCONT');
      await waitFor(`${victim} alive again`, async () => ((await c.host(victim))?.alive ? true : undefined), 15_000);
      await waitFor(`${victim} to drop what moved`, () => (c.simState(victim)?.containers.length === 0 ? true : undefined), 15_000);
      await sleep(2500);
      expect(await hostsOf(mine)).toEqual(where);
    } finally {
      agent.kill('SIGCONT');
    }
  })()), 60_000);
});
