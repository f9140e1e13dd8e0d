// The status message says something true for every state.
import { describe, expect, it } from 'vitest';
import type { TunnelReport } from '../shared/protocol/messages';
import { StatusBoard } from './status-board';
import { statusMessage, tunnelSummary } from './status-message';
import { SimDriver } from './drivers/sim/driver';
import { ManualClock } from '../shared/clock';
import { exampleContainer } from '../shared/protocol/examples';

const t = (state: TunnelReport['state'], message?: string): TunnelReport => ({ connectionId: `c-${Math.random().toString(16).slice(2)}`, state, ...(message ? { message } : {}) });

describe('status message', () => {
  it.each([
    { tunnels: [t('up')], want: '1/1 tunnels up' },
    { tunnels: [t('up'), t('up')], want: '2/2 tunnels up' },
    { tunnels: [t('connecting')], want: '0/1 tunnels up: 1 connecting' },
    { tunnels: [t('up'), t('down', 'no IKE_SA')], want: '1/2 tunnels up: 1 down (no IKE_SA)' },
    { tunnels: [t('connecting'), t('down'), t('down', 'admin state down')], want: '0/3 tunnels up: 1 connecting, 2 down (admin state down)' },
    { tunnels: [], want: 'no connections configured' },
  ])('RUNNING with $want', ({ tunnels, want }) => {
    expect(tunnelSummary(tunnels)).toBe(want);
    expect(statusMessage('RUNNING', '', tunnels)).toBe(want);
  });

  it.each([
    ['STARTING', 'starting'], ['STOPPING', 'stopping'], ['STOPPED', 'stopped'], ['ERROR', 'failed'],
  ] as const)('%s without a driver message says %s', (status, want) => {
    expect(statusMessage(status, '', undefined)).toBe(want);
  });

  it('keeps the driver\'s own message (codes, reasons)', () => {
    expect(statusMessage('ERROR', 'HEALTH_FAILED: charon is not answering on /x: ECONNREFUSED', [])).toMatch(/^HEALTH_FAILED: charon is not answering/);
    expect(statusMessage('STOPPED', 'SELF_FENCED: cut off', undefined)).toBe('SELF_FENCED: cut off');
  });
});

describe('status board', () => {
  const base = { id: 'a1', placementGeneration: 1, namespace: 'vpn-1', interfaceName: 'vpn-1' };
  const up = (bytesIn: number) => ({ connectionId: 'c1', state: 'up' as const, bytesIn, bytesOut: 0, packetsIn: 0, packetsOut: 0 });

  it('fills in the message and reports counters without a report per change of a counter', () => {
    const sent: unknown[][] = [];
    const board = new StatusBoard((r) => sent.push(r));
    board.set({ ...base, status: 'RUNNING', message: '', tunnels: [up(10)] });
    board.flush();
    expect(sent).toHaveLength(1);
    expect(board.get('a1')).toMatchObject({ message: '1/1 tunnels up' });
    board.set({ ...base, status: 'RUNNING', message: '', tunnels: [up(20)] });
    board.flush();
    expect(sent).toHaveLength(1); // counters alone are not a change worth a message…
    expect(board.list()[0].tunnels?.[0].bytesIn).toBe(20); // …but the next (periodic) report carries them
    board.set({ ...base, status: 'RUNNING', message: '', tunnels: [{ connectionId: 'c1', state: 'connecting' }] });
    board.flush();
    expect(sent).toHaveLength(2);
    expect(board.get('a1')?.message).toBe('0/1 tunnels up: 1 connecting');
  });
});

// What the sim driver reports in each state, through the message the agent sends (the linux driver's states are
// covered where they arise: health.test.ts for SA states, vici.test.ts for "charon is not answering", and
// test/linux/driver.test.ts for a dead charon).
describe('status message of the sim driver in every state', () => {
  const reported = async (d: SimDriver, id: string) => {
    const h = await d.health(id);
    return statusMessage(h.status, h.message, h.tunnels);
  };
  it.each([
    { state: 'running', want: '1/1 tunnels up', make: async () => ({ d: await SimDriver.open(), spec: exampleContainer(1) }) },
    { state: 'starting slowly', want: 'starting', make: async () => ({ d: await SimDriver.open({ clock: new ManualClock(), faults: { slowStartMs: 1000 } }), spec: exampleContainer(1) }) },
    { state: 'a connection administratively down', want: '0/1 tunnels up: 1 down (admin state down)', make: async () => {
      const spec = exampleContainer(1);
      return { d: await SimDriver.open(), spec: { ...spec, config: { ...spec.config, connections: spec.config.connections.map((c) => ({ ...c, adminStateUp: false })) } } };
    } },
    { state: 'no connections', want: 'no connections configured', make: async () => {
      const spec = exampleContainer(1);
      return { d: await SimDriver.open(), spec: { ...spec, config: { ...spec.config, connections: [] } } };
    } },
  ])('$state: "$want"', async ({ make, want }) => {
    const { d, spec } = await make();
    await d.create(spec);
    expect(await reported(d, spec.id)).toBe(want);
  });

  it('crashed: the driver\'s own CRASHED message', async () => {
    const d = await SimDriver.open();
    const spec = exampleContainer(1);
    await d.create(spec);
    await d.crash(spec.id);
    expect(await reported(d, spec.id)).toBe('CRASHED: simulated container crash');
  });
});
