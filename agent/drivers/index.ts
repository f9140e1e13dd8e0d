// Driver selection by name (--driver): the one place that knows which implementations exist.
import type { Clock } from '../../shared/clock';
import type { Driver } from './contract';
import type { SimFaults } from './sim/faults';
import { SimDriver } from './sim/driver';

export const DRIVER_NAMES = ['sim', 'linux'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

export interface DriverOptions {
  stateDir: string;
  simFaults?: SimFaults;
  clock?: Clock;
}

export async function openDriver(name: DriverName, opts: DriverOptions): Promise<Driver> {
  switch (name) {
    case 'sim':
      return SimDriver.open({ stateDir: opts.stateDir, faults: opts.simFaults, clock: opts.clock });
    case 'linux':
      throw new Error('the linux driver is not available in this build yet; use --driver sim');
  }
}
