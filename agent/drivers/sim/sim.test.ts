// Sim driver fault injection and persistence (the contract itself is covered by test/conformance).
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../shared/clock';
import { exampleContainer, exampleContainerV6 } from '../../../shared/protocol/examples';
import { SimDriver, SIM_STATE_FILE } from './driver';
import { parseSimFaults } from './faults';

const spec = exampleContainer(1);

describe('sim addresses', () => {
  it('reports the container\'s link and external addresses of both families', async () => {
    const d = await SimDriver.open();
    expect((await d.create(spec)).addresses).toEqual(['169.254.0.2/30', '1.0.0.2/32']);
    const v6 = exampleContainerV6(2);
    await d.create(v6);
    expect((await d.list()).find((c) => c.id === v6.id)?.addresses).toEqual(['169.254.0.6/30', 'fd62:6572:7468:4000:8000::5/127', '2001:db8:1::2/128']);
  });
});

describe('sim faults', () => {
  it('failCreate refuses every create (not retryable) and leaves nothing behind', async () => {
    const d = await SimDriver.open({ faults: { failCreate: true } });
    await expect(d.create(spec)).rejects.toMatchObject({ code: 'FAILED', retryable: false });
    expect(await d.list()).toEqual([]);
  });

  it('failCreate with ids refuses only those', async () => {
    const d = await SimDriver.open({ faults: { failCreate: [spec.id] } });
    await expect(d.create(spec)).rejects.toMatchObject({ code: 'FAILED' });
    await expect(d.create(exampleContainer(2))).resolves.toMatchObject({ id: exampleContainer(2).id });
  });

  it('flakyCreate fails the next N creates with a retryable error, then succeeds', async () => {
    const d = await SimDriver.open({ faults: { flakyCreate: 2 } });
    await expect(d.create(spec)).rejects.toMatchObject({ code: 'UNAVAILABLE', retryable: true });
    await expect(d.create(spec)).rejects.toMatchObject({ retryable: true });
    await expect(d.create(spec)).resolves.toMatchObject({ id: spec.id });
  });

  it('slowStartMs keeps a container STARTING (tunnels connecting) until the time has passed', async () => {
    const clock = new ManualClock();
    const d = await SimDriver.open({ clock, faults: { slowStartMs: 1000 } });
    expect((await d.create(spec)).status).toBe('STARTING');
    expect(await d.health(spec.id)).toMatchObject({ status: 'STARTING', tunnels: [{ state: 'connecting' }] });
    clock.advance(1000);
    expect(await d.health(spec.id)).toMatchObject({ status: 'RUNNING', tunnels: [{ state: 'up' }] });
  });

  it('crash turns a running container into ERROR with its tunnels down', async () => {
    const d = await SimDriver.open();
    await d.create(spec);
    await d.crash(spec.id);
    expect(await d.health(spec.id)).toMatchObject({ status: 'ERROR', message: expect.stringMatching(/^CRASHED/), tunnels: [{ state: 'down' }] });
  });

  it('a crash fault set later applies to existing containers', async () => {
    const d = await SimDriver.open();
    await d.create(spec);
    d.setFaults({ crash: [spec.id] });
    expect((await d.list())[0].status).toBe('ERROR');
  });

  it('hangHealth never answers until the driver closes', async () => {
    const d = await SimDriver.open({ faults: { hangHealth: true } });
    await d.create(spec);
    const h = d.health(spec.id);
    const first = await Promise.race([h.then(() => 'answered', () => 'failed'), new Promise((r) => setTimeout(() => r('hung'), 100))]);
    expect(first).toBe('hung');
    await d.close();
    await expect(h).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});

describe('sim persistence', () => {
  it('keeps containers and operation counts in the state directory', async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'berth-sim-'));
    const a = await SimDriver.open({ stateDir });
    await a.create(spec);
    await a.update({ ...spec, placementGeneration: 2 }, spec);
    await a.close();
    const file = JSON.parse(await readFile(join(stateDir, SIM_STATE_FILE), 'utf8'));
    expect(file).toMatchObject({ createCount: 1, updateCount: 1, deleteCount: 0 });
    const b = await SimDriver.open({ stateDir });
    expect(b.stats()).toEqual({ createCount: 1, updateCount: 1, deleteCount: 0 });
    expect((await b.list())[0].spec.placementGeneration).toBe(2);
  });
});

describe('parseSimFaults', () => {
  it('accepts the documented faults', () => {
    expect(parseSimFaults('{"failCreate":["x1"],"slowStartMs":5,"hangHealth":true,"crash":["y"],"flakyCreate":1}')).toEqual({
      failCreate: ['x1'], slowStartMs: 5, hangHealth: true, crash: ['y'], flakyCreate: 1,
    });
  });
  it.each([
    ['{nope', /must be JSON/],
    ['{"explode":true}', /allowed: failCreate/],
    ['{"slowStartMs":-1}', /slowStartMs/],
  ])('rejects %s', (json, msg) => {
    expect(() => parseSimFaults(json)).toThrow(msg);
  });
});
