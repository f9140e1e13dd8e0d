// Driver selection by name (--driver): the one place that knows which implementations exist.
import type { Clock } from '../../shared/clock';
import type { Logger } from '../../shared/logger';
import type { Driver } from './contract';
import type { LinuxFlags } from './linux/flags';
import type { SimFaults } from './sim/faults';
import { SimDriver } from './sim/driver';

export const DRIVER_NAMES = ['sim', 'linux'] as const;
export type DriverName = (typeof DRIVER_NAMES)[number];

export interface DriverOptions {
  stateDir: string;
  simFaults?: SimFaults;
  clock?: Clock;
  /** --driver linux flags (defaults apply when omitted). */
  linux?: LinuxFlags;
  logger?: Logger;
}

export async function openDriver(name: DriverName, opts: DriverOptions): Promise<Driver> {
  switch (name) {
    case 'sim':
      return SimDriver.open({ stateDir: opts.stateDir, faults: opts.simFaults, clock: opts.clock });
    case 'linux': {
      // Loaded on demand: the sim never pulls in the linux driver's modules.
      const { LinuxDriver } = await import('./linux/driver');
      return LinuxDriver.open({ stateDir: opts.stateDir, logger: opts.logger, ...opts.linux });
    }
  }
}
