// The filter plugins in the order they are asked: a host's recorded reason is the first one that rejects it.
// Host health comes first (judged once per pass), then the group's affinity rules, then capacity.
import type { Filter } from '../types';
import * as affinityHostGroup from './affinity-host-group';
import * as affinityPortGroup from './affinity-port-group';
import * as antiAffinity from './anti-affinity';
import * as alive from './alive';
import * as weight from './weight';
import * as notBad from './not-bad';
import * as notCordoned from './not-cordoned';
import * as hardLimit from './hard-limit';
import * as softLimit from './soft-limit';

export const FILTERS: readonly Filter[] = [
  alive, weight, notBad, notCordoned, affinityHostGroup, affinityPortGroup, antiAffinity, hardLimit, softLimit,
];
