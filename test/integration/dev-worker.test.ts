// The serverless control plane end to end (issue 8, "Done when"): `npm run dev:worker` — the Worker in workerd,
// stand-ins for the managed services only — and three real `berth agent --driver sim` processes. The seed VPN
// reaches RUNNING with its Neutron connection ACTIVE; kill -9 of the agent running it moves it to another host;
// and no berth process that decides anything (`berth serve`) runs anywhere in the test's process tree.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSeedVpn } from '../../functions/node/seed-vpn';
import { waitFor } from './cluster';
import { descendantCommands, DevWorkerCluster } from './dev-worker-cluster';

const HOSTS = ['h1', 'h2', 'h3'];

describe('npm run dev:worker with three sim agents', () => {
  const c = new DevWorkerCluster(HOSTS);
  beforeAll(() => c.start(), 200_000);
  afterAll(() => c.close());

  const container = async () => (await c.containers())[0];
  const connectionStatus = async (id: string) => (await c.api('GET', `/v2.0/vpn/ipsec-site-connections/${id}`)).body?.ipsec_site_connection?.status;

  it('runs the seed VPN, fails it over after kill -9, and no berth serve runs', async () => {
    for (const h of HOSTS) c.startAgent(h);
    for (const h of HOSTS) await waitFor(`${h} alive (heard through the bridge)`, async () => ((await c.host(h))?.alive ? true : undefined), 60_000, 200);

    const seed = await createSeedVpn(c.api);
    const first = await waitFor('the seed VPN container RUNNING', async () => {
      const x = await container();
      return x?.status === 'RUNNING' && x.hostId ? x : undefined;
    }, 60_000, 100);
    expect(HOSTS).toContain(first.hostId);
    // The agent itself runs it (its sim driver's own state), not only the control plane's record.
    await waitFor('the agent to hold the container', () => (c.simState(first.hostId)?.containers.some((r) => r.spec.id === first.id) ? true : undefined), 30_000, 100);
    await waitFor('the connection ACTIVE', async () => ((await connectionStatus(seed.connectionId)) === 'ACTIVE' ? true : undefined), 60_000, 100);

    await c.killAgent(first.hostId, 'SIGKILL');
    const moved = await waitFor('the container RUNNING on another host', async () => {
      const x = await container();
      return x?.status === 'RUNNING' && x.hostId && x.hostId !== first.hostId ? x : undefined;
    }, 60_000, 100);
    expect(moved.id).toBe(first.id);
    expect((await c.host(first.hostId))?.alive).toBe(false);
    await waitFor('the connection ACTIVE again', async () => ((await connectionStatus(seed.connectionId)) === 'ACTIVE' ? true : undefined), 60_000, 100);

    const commands = descendantCommands();
    expect(commands.some((a) => /workerd/.test(a))).toBe(true); // the Worker runs in workerd
    expect(commands.filter((a) => /berth(\.ts|\.js)?\s+serve\b/.test(a))).toEqual([]);
  }, 300_000);
});
