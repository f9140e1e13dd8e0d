// The driver conformance suite: the contract of agent/drivers/contract.ts as tests, run against any driver
// (sim now; linux reuses it). Call driverConformance() inside a test file with a factory for fresh drivers.
import { afterEach, describe, expect, it } from 'vitest';
import { isDriverError, type ContainerHealth, type Driver } from '../../agent/drivers/contract';
import { exampleConnection, exampleContainer } from '../../shared/protocol/examples';

export interface DriverUnderTest {
  driver: Driver;
  /** Close the driver and open a new one over the same host state (an agent restart). Omit if impossible. */
  reopen?: () => Promise<Driver>;
  /** Remove everything the test built. */
  cleanup: () => Promise<void>;
}

export interface ConformanceOptions {
  /** How long a created container may take to become RUNNING. */
  runningWithinMs?: number;
}

async function expectDriverError(p: Promise<unknown>, code: string): Promise<void> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(isDriverError(e), `expected DriverError ${code}, got ${String(e)}`).toBe(true);
  expect((e as { code: string }).code).toBe(code);
}

async function untilRunning(d: Driver, id: string, withinMs: number): Promise<ContainerHealth> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const h = await d.health(id);
    if (h.status === 'RUNNING' && h.tunnels.every((t) => t.state !== 'connecting')) return h;
    if (h.status === 'ERROR' || Date.now() > deadline) throw new Error(`container ${id} is ${h.status} (${h.message})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function driverConformance(name: string, open: () => Promise<DriverUnderTest>, opts: ConformanceOptions = {}): void {
  const within = opts.runningWithinMs ?? 10_000;

  describe(`driver conformance: ${name}`, () => {
    let current: DriverUnderTest | undefined;
    const fresh = async () => (current = await open());
    afterEach(async () => {
      await current?.cleanup();
      current = undefined;
    });

    it('starts empty and reads back what it creates', async () => {
      const { driver } = await fresh();
      expect(await driver.list()).toEqual([]);
      const spec = exampleContainer(1);
      const created = await driver.create(spec);
      expect(created.id).toBe(spec.id);
      expect(['STARTING', 'RUNNING']).toContain(created.status);
      const [seen, ...rest] = await driver.list();
      expect(rest).toEqual([]);
      expect(seen.spec).toEqual(spec);
      expect(seen.incarnation).toBe(created.incarnation);
      expect(seen.interfaceName).toBe(spec.interfaceName);
      expect(seen.namespace).toBeTruthy();
    });

    it('reports RUNNING with one tunnel per connection: admin-up ones up, admin-down ones down', async () => {
      const { driver } = await fresh();
      const spec = exampleContainer(1);
      spec.config.connections = [exampleConnection(), exampleConnection({ id: 'k-down', name: 'off', adminStateUp: false })];
      await driver.create(spec);
      const h = await untilRunning(driver, spec.id, within);
      const byId = Object.fromEntries(h.tunnels.map((t) => [t.connectionId, t.state]));
      expect(byId).toEqual({ [exampleConnection().id]: 'up', 'k-down': 'down' });
      // An up tunnel carries its telemetry (issue 11): counters, and when its SAs were established and keyed.
      const up = h.tunnels.find((t) => t.state === 'up')!;
      for (const k of ['bytesIn', 'bytesOut', 'packetsIn', 'packetsOut'] as const) expect(Number.isSafeInteger(up[k]) && up[k]! >= 0, k).toBe(true);
      expect(up.establishedAt).toBeLessThanOrEqual(Date.now());
      expect(up.lastRekeyAt).toBeGreaterThanOrEqual(up.establishedAt! - 1000);
      expect(up.lastRekeyAt).toBeLessThanOrEqual(Date.now());
    });

    it('refuses to create an id twice and keeps the first', async () => {
      const { driver } = await fresh();
      const spec = exampleContainer(1);
      const first = await driver.create(spec);
      await expectDriverError(driver.create({ ...spec, placementGeneration: 9 }), 'EXISTS');
      const all = await driver.list();
      expect(all.map((c) => [c.id, c.incarnation, c.spec.placementGeneration])).toEqual([[spec.id, first.incarnation, 1]]);
    });

    it('updates connections in place without rebuilding the container', async () => {
      const { driver } = await fresh();
      const spec = exampleContainer(1);
      const created = await driver.create(spec);
      await untilRunning(driver, spec.id, within);
      const next = structuredClone(spec);
      next.config.connections.push(exampleConnection({ id: 'k-new', name: 'to-mars', peerAddress: '1.0.0.4', peerId: '1.0.0.4', peerCidrs: ['192.168.3.0/24'] }));
      const updated = await driver.update(next, spec);
      expect(updated.incarnation).toBe(created.incarnation);
      const [seen] = await driver.list();
      expect(seen.spec).toEqual(next);
      expect(seen.incarnation).toBe(created.incarnation);
      const h = await untilRunning(driver, spec.id, within);
      expect(h.tunnels.map((t) => t.connectionId).sort()).toEqual([exampleConnection().id, 'k-new'].sort());
    });

    it('answers NOT_FOUND for update and health of a missing container', async () => {
      const { driver } = await fresh();
      const spec = exampleContainer(1);
      await expectDriverError(driver.update(spec, spec), 'NOT_FOUND');
      await expectDriverError(driver.health(spec.id), 'NOT_FOUND');
    });

    it('deletes, idempotently, and a new create is a new incarnation', async () => {
      const { driver } = await fresh();
      const spec = exampleContainer(1);
      const first = await driver.create(spec);
      await driver.delete(spec.id);
      expect(await driver.list()).toEqual([]);
      await expectDriverError(driver.health(spec.id), 'NOT_FOUND');
      await driver.delete(spec.id);
      const second = await driver.create(spec);
      expect(second.incarnation).not.toBe(first.incarnation);
    });

    it('keeps containers independent', async () => {
      const { driver } = await fresh();
      const a = exampleContainer(1);
      const b = exampleContainer(2);
      await driver.create(a);
      await driver.create(b);
      await driver.delete(a.id);
      expect((await driver.list()).map((c) => c.id)).toEqual([b.id]);
      expect((await untilRunning(driver, b.id, within)).status).toBe('RUNNING');
    });

    it('lets a restarted agent adopt what exists, unchanged', async (ctx) => {
      const dut = await fresh();
      if (!dut.reopen) return ctx.skip();
      const spec = exampleContainer(1);
      const created = await dut.driver.create(spec);
      await untilRunning(dut.driver, spec.id, within);
      const again = await dut.reopen();
      const [seen, ...rest] = await again.list();
      expect(rest).toEqual([]);
      expect(seen.spec).toEqual(spec);
      expect(seen.incarnation).toBe(created.incarnation);
      expect((await again.health(spec.id)).status).toBe('RUNNING');
    });
  });
}
