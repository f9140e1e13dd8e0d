// The pass index: the same decisions as schedule.ts's per-host walk, in O(log hosts) instead of O(hosts) each,
// for the common bulk case (default filters, explain off, no host or port group, few hosts at a limit or taken
// by anti-affinity). Healthy hosts sit in a heap by (count, -weight, id) for `least` and in a Fenwick tree of
// weights in id order for `weighted`; a decision excludes its few rejected hosts, picks, and puts them back.
// Anything outside that case returns undefined and the caller walks the hosts as before.
import { ELIGIBLE, type Decision, type FilterContext, type SchedContainer, type SchedGroup, type SchedHost } from './types';
import type { Filter } from './types';
import * as affinityHostGroup from './filters/affinity-host-group';
import * as affinityPortGroup from './filters/affinity-port-group';
import * as alive from './filters/alive';
import * as antiAffinity from './filters/anti-affinity';
import * as hardLimit from './filters/hard-limit';
import * as notBad from './filters/not-bad';
import * as notCordoned from './filters/not-cordoned';
import * as softLimit from './filters/soft-limit';
import * as weight from './filters/weight';
import { better } from './select/least';
import { seededRandom } from './select/prng';

/** More hosts than this rejected in one decision: the plain walk is as cheap. */
const MAX_EXCLUDED = 32;
const NONE: readonly number[] = [];
const EMPTY: ReadonlySet<number> = new Set();

const atHard = (h: SchedHost) => !hardLimit.filter(h, undefined as unknown as FilterContext);
const atSoft = (h: SchedHost) => !softLimit.filter(h, undefined as unknown as FilterContext);

/** The chain the index reproduces, plugin for plugin: any other chain (a new plugin too) takes the walk. */
const CHAIN: readonly Filter[] = [alive, weight, notBad, notCordoned, affinityHostGroup, affinityPortGroup, antiAffinity, hardLimit, softLimit];

export class PassIndex {
  static covers(filters: readonly Filter[]): boolean {
    return filters.length === CHAIN.length && filters.every((f, i) => f === CHAIN[i]);
  }

  private readonly pos = new Map<string, number>(); // host id → index in healthy (id order)
  private readonly heap: number[] = [];
  private readonly where: number[] = []; // healthy index → heap slot
  private readonly tree: Float64Array; // Fenwick tree of weights, 1-based
  private readonly hard = new Set<number>();
  private readonly soft = new Set<number>();

  /** undefined when the weights are not small integers (the Fenwick sums must be exact, like the walk's). */
  static build(healthy: readonly SchedHost[]): PassIndex | undefined {
    let total = 0;
    for (const h of healthy) {
      if (!Number.isInteger(h.containerWeight)) return undefined;
      total += h.containerWeight;
    }
    return total < 2 ** 40 ? new PassIndex(healthy) : undefined;
  }

  private constructor(private readonly healthy: readonly SchedHost[]) {
    this.tree = new Float64Array(healthy.length + 1);
    healthy.forEach((h, i) => {
      this.pos.set(h.id, i);
      this.heap.push(i);
      this.where.push(i);
      this.add(i, h.containerWeight);
      if (atHard(h)) this.hard.add(i);
      if (atSoft(h)) this.soft.add(i);
    });
    for (let k = (this.heap.length >> 1) - 1; k >= 0; k--) this.down(k);
  }

  /** After a host's containerCount changed (hosts outside the healthy list are ignored). */
  touch(h: SchedHost): void {
    const i = this.pos.get(h.id);
    if (i === undefined) return;
    if (atHard(h)) this.hard.add(i); else this.hard.delete(i);
    if (atSoft(h)) this.soft.add(i); else this.soft.delete(i);
    this.up(this.where[i]);
    this.down(this.where[i]);
  }

  /** The decision schedule.ts would make, or undefined when this case is not covered. */
  decide(c: SchedContainer, group: SchedGroup, ctx: FilterContext, healthSummary: Record<string, number>, seed: string): Decision | undefined {
    if (group.hostGroupHostIds !== null || group.portGroupHostIds !== null) return undefined;
    // Rejected among the healthy, by the first filter that rejects: anti-affinity, then the hard limit.
    const taken: number[] = [];
    if (group.antiAffinity) for (const id of ctx.groupHosts) { const i = this.pos.get(id); if (i !== undefined) taken.push(i); }
    if (taken.length + this.hard.size + this.soft.size > MAX_EXCLUDED) return undefined;
    const takenSet = taken.length === 0 ? undefined : new Set(taken);
    const full = this.hard.size === 0 ? NONE : [...this.hard].filter((i) => !takenSet?.has(i));
    const left = this.healthy.length - taken.length - full.length;
    const over = this.soft.size === 0 ? NONE : [...this.soft].filter((i) => !takenSet?.has(i));
    // The soft limit only orders preference: it excludes when some candidates pass it and some do not.
    const softOut = over.length > 0 && over.length < left;
    const excluded = softOut ? [...taken, ...full, ...over] : full.length === 0 ? taken : [...taken, ...full];

    const summary: Record<string, number> = { ...healthSummary };
    // Reasons enter the summary in the order the walk meets them: by the first host (in id order) of each.
    const hardNotes: [number, string, number][] = [];
    if (taken.length > 0) hardNotes.push([Math.min(...taken), antiAffinity.reason, taken.length]);
    if (full.length > 0) hardNotes.push([Math.min(...full), hardLimit.reason, full.length]);
    hardNotes.sort((a, b) => a[0] - b[0]);
    for (const [, reason, n] of hardNotes) summary[reason] = n;
    if (softOut) summary[softLimit.reason] = over.length;
    const eligible = softOut ? left - over.length : left;
    if (eligible > 0) summary[ELIGIBLE] = eligible;

    const policy = group.policy === 'weighted' ? 'weighted' : 'least';
    let hostId: string | null = null;
    if (eligible > 0) {
      const out = excluded.length === 0 ? EMPTY : new Set(excluded);
      hostId = this.healthy[policy === 'least' ? this.fewest(out) : this.draw(out, seededRandom(seed))].id;
    }
    const reasons: Record<string, string> = {};
    if (hostId !== null) reasons[hostId] = ELIGIBLE;
    return { containerId: c.id, from: c.hostId, hostId, policy, reasons, summary, seed };
  }

  /** `least`: the heap's best that is not excluded (the excluded few are popped and pushed back). */
  private fewest(out: ReadonlySet<number>): number {
    const popped: number[] = [];
    let best = -1;
    while (this.heap.length > 0) {
      const i = this.pop();
      popped.push(i);
      if (!out.has(i)) { best = i; break; }
    }
    for (const i of popped) this.push(i);
    return best;
  }

  /** `weighted`: the walk's r -= weight in id order is exact on integers, so it is a prefix-sum search. */
  private draw(out: ReadonlySet<number>, rng: () => number): number {
    for (const i of out) this.add(i, -this.healthy[i].containerWeight);
    const total = this.sum(this.healthy.length);
    const r = rng() * total;
    // The first index whose prefix sum exceeds r.
    let at = 0;
    let acc = 0;
    for (let step = 1 << Math.floor(Math.log2(Math.max(1, this.healthy.length))); step > 0; step >>= 1) {
      const next = at + step;
      if (next <= this.healthy.length && acc + this.tree[next] <= r) { at = next; acc += this.tree[next]; }
    }
    for (const i of out) this.add(i, this.healthy[i].containerWeight);
    if (at < this.healthy.length) return at;
    // Rounding at the very top of the range: the walk then takes the last candidate.
    for (let i = this.healthy.length - 1; i >= 0; i--) if (!out.has(i)) return i;
    return -1;
  }

  private add(i: number, w: number): void {
    for (let k = i + 1; k <= this.healthy.length; k += k & -k) this.tree[k] += w;
  }

  private sum(n: number): number {
    let s = 0;
    for (let k = n; k > 0; k -= k & -k) s += this.tree[k];
    return s;
  }

  private less(a: number, b: number): boolean {
    return better(this.healthy[a], this.healthy[b]);
  }

  private swap(x: number, y: number): void {
    const a = this.heap[x], b = this.heap[y];
    this.heap[x] = b; this.heap[y] = a;
    this.where[b] = x; this.where[a] = y;
  }

  private up(k: number): void {
    while (k > 0) {
      const p = (k - 1) >> 1;
      if (!this.less(this.heap[k], this.heap[p])) return;
      this.swap(k, p);
      k = p;
    }
  }

  private down(k: number): void {
    const n = this.heap.length;
    for (;;) {
      const l = 2 * k + 1, r = l + 1;
      let m = k;
      if (l < n && this.less(this.heap[l], this.heap[m])) m = l;
      if (r < n && this.less(this.heap[r], this.heap[m])) m = r;
      if (m === k) return;
      this.swap(k, m);
      k = m;
    }
  }

  private pop(): number {
    const top = this.heap[0];
    this.swap(0, this.heap.length - 1);
    this.heap.pop();
    if (this.heap.length > 0) this.down(0);
    return top;
  }

  private push(i: number): void {
    this.heap.push(i);
    this.where[i] = this.heap.length - 1;
    this.up(this.heap.length - 1);
  }
}
