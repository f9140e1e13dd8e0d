// `berth events --follow` against a real cluster (`berth serve`, two sim agents, the seed VPN): an operator's
// migration shows up in the following CLI as it happens — the 'migrated' line, then the container RUNNING on the
// new host — without the CLI being restarted.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BERTH_BIN, stopProcess } from '../../functions/node/processes';
import { createSeedVpn } from '../../functions/node/seed-vpn';
import { Cluster, waitFor } from './cluster';

describe('berth events --follow', () => {
  const c = new Cluster('embedded', ['host0', 'host1']);
  let follower: ChildProcess | null = null;
  let out = '';
  let failed = false;

  beforeAll(async () => {
    await c.start();
    for (const h of c.hostIds) c.startAgent(h);
    for (const h of c.hostIds) await waitFor(`${h} alive`, async () => ((await c.host(h))?.alive ? true : undefined), 20_000);
  }, 60_000);
  afterAll(async () => {
    if (follower) await stopProcess(follower);
    await c.close(failed);
  }, 30_000);

  it('prints a migration as it happens', async () => {
    try {
      const seed = await createSeedVpn(c.api);
      const box = await waitFor('the seed container RUNNING', async () => {
        const b = (await c.containers()).find((x) => x.configurationId === seed.routerId);
        return b?.status === 'RUNNING' ? b : undefined;
      }, 20_000);
      follower = spawn(process.execPath, ['--import', 'tsx', BERTH_BIN, 'events', '--follow'], {
        env: { ...process.env, BERTH_URL: c.httpUrl, BERTH_TOKEN: c.adminToken, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
      });
      follower.stdout!.on('data', (b) => { out += b; });
      follower.stderr!.on('data', (b) => { out += b; });
      // It starts with the header and the history so far (the placement and the first RUNNING).
      await waitFor('the history', () => (/^ID\s+AT\s+TYPE\s+CONTAINER\s+HOST\s+REASON$/m.test(out) && /\bscheduled\b/.test(out) ? true : undefined), 15_000);
      const before = out.length;
      const target = box.hostId === 'host0' ? 'host1' : 'host0';
      expect((await c.api('PUT', `/v1/containers/${box.id}/host`, { hostId: target })).status).toBe(202);
      const lines = () => out.slice(before).split('\n');
      const migrated = await waitFor('the migration line', () => lines().find((l) => l.includes(' migrated ')), 10_000);
      expect(migrated).toContain(box.id);
      expect(migrated).toContain(target);
      await waitFor('RUNNING on the new host', () => lines().find((l) => l.includes(' status ') && l.includes(target) && l.includes('RUNNING')), 10_000);
      expect(follower.exitCode).toBeNull();
    } catch (e) {
      failed = true;
      throw new Error(`${(e as Error).message}\n--- berth events --follow printed:\n${out}`);
    }
  }, 60_000);
});
