// Failover at fleet scale: C VPN containers made through the real Neutron API, placed by the leader among the whole
// simulated fleet and reported RUNNING by the agents they land on; then every agent holding one is crashed at once
// (socket destroyed: the broker publishes the Last Wills) and each container is timed until it is RUNNING on
// another host. Read from the database file directly (read-only connection), not through berth's HTTP API.
import { inArray } from 'drizzle-orm';
import type { drizzle } from 'drizzle-orm/libsql';
import { containers } from '../functions/db/schema';
import { httpApi } from '../functions/node/seed-vpn';
import { vpnFleet } from '../test/integration/vpns';
import type { AgentPool } from './agent-pool';
import type { Plane } from './fleet-plane';
import { nowMs } from './fake-agents';
import { pct } from './lib';

type Reader = ReturnType<typeof drizzle>;

export interface FailoverResult {
  containers: number;
  hostsKilled: number;
  moved: number;
  ms: { p50: number; p99: number; max: number } | null;
  createMs: number;
  problems: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function measureFailover(plane: Plane, db: Reader, pool: AgentPool, count: number): Promise<FailoverResult> {
  const problems: string[] = [];
  const api = httpApi(plane.api.url, plane.api.token);
  const t0 = nowMs();
  const fleet = await vpnFleet(api, 'fo');
  const routerIds: string[] = [];
  for (let i = 0; i < count; i++) routerIds.push(await fleet.add());
  const read = () => db.select({ id: containers.id, hostId: containers.hostId, status: containers.status }).from(containers).where(inArray(containers.configurationId, routerIds));

  let placed = await read();
  for (const end = nowMs() + 60_000; nowMs() < end; placed = await read()) {
    if (placed.length === count && placed.every((c) => c.hostId && c.status === 'RUNNING')) break;
    await sleep(100);
  }
  const createMs = nowMs() - t0;
  const running = placed.filter((c) => c.hostId && c.status === 'RUNNING');
  if (running.length !== count) {
    problems.push(`only ${running.length} of ${count} failover containers RUNNING 60 s after they were created`);
    return { containers: count, hostsKilled: 0, moved: 0, ms: null, createMs, problems };
  }
  const holders = new Set(running.map((c) => c.hostId!));
  const victims = [...holders].filter((h) => pool.isUp(h));
  if (victims.length !== holders.size) problems.push(`${holders.size - victims.length} hosts holding failover containers had no live simulated agent`);

  const k0 = nowMs();
  await Promise.all(victims.map((v) => pool.act(v, 'crash')));
  const movedAt = new Map<string, number>();
  for (const end = k0 + 30_000; movedAt.size < count && nowMs() < end;) {
    const t = nowMs();
    for (const c of await read()) {
      if (!movedAt.has(c.id) && c.hostId && !holders.has(c.hostId) && c.status === 'RUNNING') movedAt.set(c.id, t - k0);
    }
    await sleep(20);
  }
  if (movedAt.size < count) problems.push(`${count - movedAt.size} of ${count} containers not RUNNING elsewhere 30 s after their hosts were killed`);
  const times = [...movedAt.values()];
  return {
    containers: count, hostsKilled: victims.length, moved: movedAt.size, createMs,
    ms: times.length ? { p50: pct(times, 50), p99: pct(times, 99), max: Math.max(...times) } : null,
    problems,
  };
}
