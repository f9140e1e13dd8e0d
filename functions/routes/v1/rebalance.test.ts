// POST /v1/rebalance through the real app and database: a dry run by default that changes nothing, --apply
// moves through the generation-checked placement writes (events, dirty hosts), and bad input writes nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { containers, dirtyHosts } from '../../db/schema';
import { insertContainer, insertContainerGroup, insertHost } from '../../services/hosts/test-fixtures';

describe('POST /v1/rebalance', () => {
  let t: TestApp;
  const db = () => t.deps.database.db;
  const where = async () => Object.fromEntries((await db().select().from(containers)).map((c) => [c.id, c.hostId]));

  beforeEach(async () => {
    t = await createTestApp();
    const seen = Date.now() + 3_600_000;
    for (const h of ['h0', 'h1', 'h2']) await insertHost(db(), h, { alive: true, lastSeenAt: seen });
    await insertContainerGroup(db(), { id: 'g' });
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6']) await insertContainer(db(), { id, groupId: 'g', hostId: 'h0', status: 'RUNNING', placementGeneration: 1 });
  });
  afterEach(() => t.close());

  it('is a dry run by default: the planned moves, nothing changed', async () => {
    const before = await where();
    const res = await t.req('POST', '/v1/rebalance', {});
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      dryRun: true,
      moves: [
        { containerId: 'c1', from: 'h0', to: 'h1', reason: 'evens load: h0 had 6 containers, h1 had 0' },
        { containerId: 'c2', from: 'h0', to: 'h2', reason: 'evens load: h0 had 5 containers, h2 had 0' },
        { containerId: 'c3', from: 'h0', to: 'h1', reason: 'evens load: h0 had 4 containers, h1 had 1' },
        { containerId: 'c4', from: 'h0', to: 'h2', reason: 'evens load: h0 had 3 containers, h2 had 1' },
      ],
    });
    expect(await where()).toEqual(before);
    expect(await db().select().from(dirtyHosts)).toEqual([]);
    expect((await t.req('POST', '/v1/rebalance')).body.moves).toHaveLength(4); // no body: the same defaults
  });

  it('applies within the budget: containers move, generations go up, hosts are dirty, events say why', async () => {
    const res = await t.req('POST', '/v1/rebalance', { dryRun: false, maxMoves: 2 });
    expect(res.body).toMatchObject({ dryRun: false, moves: [{ containerId: 'c1', to: 'h1' }, { containerId: 'c2', to: 'h2' }] });
    const rows = new Map((await db().select().from(containers)).map((c) => [c.id, c]));
    expect(rows.get('c1')).toMatchObject({ hostId: 'h1', placementGeneration: 2, schedulerState: 'RESCHEDULED', status: null });
    expect(rows.get('c3')).toMatchObject({ hostId: 'h0', placementGeneration: 1 });
    expect((await db().select().from(dirtyHosts)).map((d) => d.hostId).sort()).toEqual(['h0', 'h1', 'h2']);
    const events = (await t.req('GET', '/v1/containers/c1/events')).body.events;
    expect(events.at(-1)).toMatchObject({ type: 'rescheduled', hostId: 'h1', reason: expect.stringContaining('rebalance') });
    // c1 and c2 are settling now (not RUNNING): the next plan leaves their routers alone.
    const next = await t.req('POST', '/v1/rebalance', { maxMoves: 10 });
    expect(next.body.moves.map((m: any) => m.containerId)).not.toContain('c1');
  });

  it.each([
    [{ maxMoves: -1 }, /maxMoves/],
    [{ maxMoves: 2.5 }, /maxMoves/],
    [{ dryRun: 'no' }, /dryRun/],
    [{ dryRun: false, budget: 3 }, /unknown field\(s\) 'budget'/],
  ])('bad body %j: 400, nothing moved', async (body, message) => {
    const before = await where();
    const res = await t.req('POST', '/v1/rebalance', body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(message);
    expect(await where()).toEqual(before);
  });

  it('maxMoves 0 plans nothing; a tenant is refused', async () => {
    expect((await t.req('POST', '/v1/rebalance', { dryRun: false, maxMoves: 0 })).body).toEqual({ moves: [], dryRun: false });
    expect((await t.req('POST', '/v1/rebalance', {}, await t.tenantToken('x'))).status).toBe(403);
  });
});
