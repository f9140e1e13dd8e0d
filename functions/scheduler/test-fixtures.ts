// Builders for scheduler tests (here and in the controller): a healthy host and an "anywhere" group by default.
import type { SchedGroup, SchedHost } from './types';

export const host = (id: string, o: Partial<SchedHost> = {}): SchedHost => ({
  id, alive: true, containerWeight: 1, containerLimit: -1, enforceContainerLimit: false, cordoned: false, badUntil: null,
  containerCount: 0, ...o,
});

export const group = (o: Partial<SchedGroup> = {}): SchedGroup => ({
  id: 'g', policy: 'least', hostGroupHostIds: null, portGroupHostIds: null, antiAffinity: false, containerHosts: {}, ...o,
});
