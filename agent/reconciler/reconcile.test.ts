// Reconcile passes against the sim driver: what the host ends up running and what the agent reports.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock';
import { silentLogger } from '../../shared/logger';
import { exampleConnection, exampleContainer, exampleDesired } from '../../shared/protocol/examples';
import type { ContainerReport, DesiredContainer } from '../../shared/protocol/messages';
import type { Driver } from '../drivers/contract';
import { SimDriver } from '../drivers/sim/driver';
import type { SimFaults } from '../drivers/sim/faults';
import { StatusBoard } from '../status-board';
import { Reconciler } from './reconcile';

const c1 = exampleContainer(1);
const c2 = exampleContainer(2);

async function setup(opts: { faults?: SimFaults; hardLimit?: number; healthTimeoutMs?: number } = {}) {
  const clock = new ManualClock();
  const sim = await SimDriver.open({ clock, faults: opts.faults });
  let createCalls = 0;
  // Counts create attempts (the sim counts only successes); everything else goes straight to the sim.
  const driver: Driver = {
    name: 'sim',
    list: () => sim.list(),
    create: (s) => { createCalls += 1; return sim.create(s); },
    update: (s, p) => sim.update(s, p),
    delete: (id) => sim.delete(id),
    health: (id) => sim.health(id),
    close: () => sim.close(),
  };
  const reports: ContainerReport[][] = [];
  const board = new StatusBoard((r) => reports.push(r));
  const rec = new Reconciler({ driver, board, clock, logger: silentLogger, hardLimit: opts.hardLimit ?? null, healthTimeoutMs: opts.healthTimeoutMs ?? 1000, opTimeoutMs: 5000 });
  const desire = (containers: DesiredContainer[], generation = 1) => rec.setDesired(exampleDesired('host0', { generation, containers }));
  /** The statuses one container went through in the reports, in order ('-' when absent), repeats folded. */
  const history = (id: string) => reports.map((r) => r.find((c) => c.id === id)?.status ?? '-').filter((s, i, all) => s !== all[i - 1]);
  return { clock, sim, rec, board, desire, reports, history, createCalls: () => createCalls };
}

describe('Reconciler', () => {
  it('creates a desired container: STARTING, then RUNNING with its tunnels up', async () => {
    const t = await setup();
    t.desire([c1]);
    await t.rec.run();
    expect(t.history(c1.id)).toEqual(['STARTING', 'RUNNING']);
    expect(t.board.get(c1.id)).toMatchObject({ status: 'RUNNING', placementGeneration: 1, interfaceName: c1.interfaceName, tunnels: [{ connectionId: exampleConnection().id, state: 'up' }] });
    expect(t.rec.observedCount).toBe(1);
    expect(t.rec.observedGeneration).toBe(1);
  });

  it('does nothing to existing containers before any desired state, then adopts them without recreating', async () => {
    const t = await setup();
    await t.sim.create(c1);
    await t.rec.run();
    expect(await t.sim.list()).toHaveLength(1);
    expect(t.board.get(c1.id)?.status).toBe('RUNNING');
    t.desire([c1]);
    await t.rec.run();
    expect(t.sim.stats()).toEqual({ createCount: 1, updateCount: 0, deleteCount: 0 });
  });

  it('deletes a container removed from the desired state: STOPPING, then gone from the report', async () => {
    const t = await setup();
    t.desire([c1]);
    await t.rec.run();
    t.desire([], 2);
    await t.rec.run();
    expect(t.history(c1.id).slice(-2)).toEqual(['STOPPING', '-']);
    expect(await t.sim.list()).toEqual([]);
  });

  it('applies a connections-only change in place', async () => {
    const t = await setup();
    t.desire([c1]);
    await t.rec.run();
    const [before] = await t.sim.list();
    const next = structuredClone(c1);
    next.config.connections.push(exampleConnection({ id: 'k2', name: 'to-mars' }));
    t.desire([next], 2);
    await t.rec.run();
    const [after] = await t.sim.list();
    expect(after.incarnation).toBe(before.incarnation);
    expect(t.sim.stats()).toMatchObject({ createCount: 1, updateCount: 1 });
    expect(t.board.get(c1.id)?.tunnels?.map((x) => x.connectionId)).toEqual([exampleConnection().id, 'k2']);
  });

  it('reports a failed create as ERROR and does not retry it until the desired spec changes', async () => {
    const t = await setup({ faults: { failCreate: true } });
    t.desire([c1]);
    await t.rec.run();
    expect(t.board.get(c1.id)).toMatchObject({ status: 'ERROR', message: expect.stringMatching(/^CREATE_FAILED: simulated/) });
    t.clock.advance(60_000);
    await t.rec.run();
    expect(t.createCalls()).toBe(1);
    t.sim.setFaults({});
    t.desire([{ ...c1, placementGeneration: 2 }], 2);
    await t.rec.run();
    expect(t.createCalls()).toBe(2);
    expect(t.board.get(c1.id)).toMatchObject({ status: 'RUNNING', placementGeneration: 2 });
  });

  it('retries a retryable create failure after a backoff', async () => {
    const t = await setup({ faults: { flakyCreate: 1 } });
    t.desire([c1]);
    const r = await t.rec.run();
    expect(r.retryInMs).toBe(250);
    await t.rec.run();
    expect(t.createCalls()).toBe(1); // still backing off
    t.clock.advance(250);
    await t.rec.run();
    expect(t.createCalls()).toBe(2);
    expect(t.board.get(c1.id)?.status).toBe('RUNNING');
  });

  it('refuses containers beyond a hard limit with LIMIT_EXCEEDED', async () => {
    const t = await setup({ hardLimit: 1 });
    t.desire([c1, c2]);
    await t.rec.run();
    expect(t.board.get(c1.id)?.status).toBe('RUNNING');
    expect(t.board.get(c2.id)).toMatchObject({ status: 'ERROR', message: expect.stringMatching(/^LIMIT_EXCEEDED/) });
    expect((await t.sim.list()).map((c) => c.id)).toEqual([c1.id]);
    expect(t.rec.observedCount).toBe(1);
  });

  it('leaves a crashed container in place and reports it', async () => {
    const t = await setup();
    t.desire([c1]);
    await t.rec.run();
    await t.sim.crash(c1.id);
    await t.rec.run();
    expect(t.board.get(c1.id)).toMatchObject({ status: 'ERROR', message: expect.stringMatching(/^CRASHED/) });
    expect(t.sim.stats().createCount).toBe(1);
  });

  it('reports HEALTH_TIMEOUT when the driver does not answer', async () => {
    const t = await setup({ faults: { hangHealth: true }, healthTimeoutMs: 30 });
    t.desire([c1]);
    await t.rec.run();
    expect(t.board.get(c1.id)).toMatchObject({ status: 'ERROR', message: expect.stringMatching(/^HEALTH_TIMEOUT/) });
    await t.sim.close();
  });

  it('self-fencing stops everything and creates nothing until new desired state arrives', async () => {
    const t = await setup();
    t.desire([c1, c2]);
    await t.rec.run();
    t.rec.fence('cut off from the broker for 1600 ms');
    await t.rec.run();
    expect(await t.sim.list()).toEqual([]);
    expect(t.board.list().map((r) => [r.status, r.message])).toEqual([
      ['STOPPED', 'SELF_FENCED: cut off from the broker for 1600 ms'],
      ['STOPPED', 'SELF_FENCED: cut off from the broker for 1600 ms'],
    ]);
    t.rec.unfence();
    await t.rec.run();
    expect(await t.sim.list()).toEqual([]); // still no desired state: nothing created
    expect(t.board.list()).toHaveLength(2); // the truth stays reported
    t.desire([c1], 2);
    await t.rec.run();
    expect(t.board.list().map((r) => [r.id, r.status])).toEqual([[c1.id, 'RUNNING']]);
  });
});
