// The driver conformance suite against the sim driver (persisting to a temporary state directory).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SimDriver } from '../../agent/drivers/sim/driver';
import type { Driver } from '../../agent/drivers/contract';
import { driverConformance } from './driver-suite';

driverConformance('sim', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'berth-sim-'));
  let driver: Driver = await SimDriver.open({ stateDir });
  return {
    get driver() { return driver; },
    reopen: async () => {
      await driver.close();
      driver = await SimDriver.open({ stateDir });
      return driver;
    },
    cleanup: async () => {
      await driver.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
});

driverConformance('sim (memory only, slow start)', async () => {
  const driver = await SimDriver.open({ faults: { slowStartMs: 100 } });
  return { driver, cleanup: () => driver.close() };
});
