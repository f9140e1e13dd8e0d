// `berth host <id> drain` and `berth rebalance` as a child process against the real routes on a real port: what
// they print, their exit codes, and what the database holds afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { containers, hosts } from '../functions/db/schema';
import { insertContainer, insertContainerGroup, insertHost } from '../functions/services/hosts/test-fixtures';
import { berth, serveTestApp, type Served } from './testing';

let s: Served;
const db = () => s.t.deps.database.db;
const cli = (line: string) => berth(line.split(' '), { url: s.url });
const where = async () => Object.fromEntries((await db().select().from(containers)).map((c) => [c.id, c.hostId]));

beforeAll(async () => {
  s = await serveTestApp();
  const seen = Date.now() + 3_600_000;
  for (const h of ['host0', 'host1', 'host2']) await insertHost(db(), h, { alive: true, lastSeenAt: seen });
  await insertContainerGroup(db(), { id: 'g' });
  for (const id of ['c1', 'c2', 'c3', 'c4']) await insertContainer(db(), { id, groupId: 'g', hostId: 'host0', status: 'RUNNING', placementGeneration: 1 });
  await insertHost(db(), 'spare', { alive: true, lastSeenAt: seen });
  await insertContainer(db(), { id: 's1', groupId: 'g', hostId: 'spare', status: 'RUNNING' });
});
afterAll(async () => { await s?.close(); });

describe('berth rebalance', () => {
  it('is a dry run by default: prints the planned moves as a table and says nothing moved', async () => {
    const before = await where();
    const r = await cli('rebalance --max-moves 2');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^dry-run\s+true$/m);
    expect(r.stdout).toMatch(/CONTAINER-ID\s+FROM\s+TO\s+REASON/);
    expect(r.stdout).toMatch(/^c1\s+host0\s+host1\s+evens load: host0 had 4 containers, host1 had 0$/m);
    expect(r.stdout).toMatch(/^c2\s+host0\s+host2\s+/m);
    expect(r.stdout).toContain('(dry run: nothing moved; add --apply to make these moves)');
    expect(await where()).toEqual(before);
  });

  it('--apply makes the moves (and --json gives the API shape)', async () => {
    const r = await cli('--json rebalance --apply --max-moves 1');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ dryRun: false, moves: [{ containerId: 'c1', from: 'host0', to: 'host1', reason: expect.any(String) }] });
    expect((await where()).c1).toBe('host1');
  });

  it('a bad budget exits 2 and sends nothing', async () => {
    const r = await cli('rebalance --max-moves -3');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});

describe('berth host <id> drain', () => {
  it('prints the accepted drain, cordons the host at once', async () => {
    const r = await cli('host host0 drain --max-parallel 2');
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/^host-id\s+host0$/m);
    expect(r.stdout).toMatch(/^containers\s+3$/m);
    expect(r.stdout).toMatch(/^max-parallel\s+2$/m);
    expect((await db().select().from(hosts).where(eq(hosts.id, 'host0')))[0].cordoned).toBe(true);
    const show = await cli('host host0 show cordoned');
    expect(show.stdout).toBe('true\n');
  });

  it('without --max-parallel drains one at a time; an unknown host exits 1 naming it', async () => {
    const r = await cli('--json host spare drain');
    expect(JSON.parse(r.stdout)).toEqual({ drain: { hostId: 'spare', containers: 1, maxParallel: 1 } });
    const missing = await cli('host nope drain');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/host nope not found/);
  });
});
