// The agent's view of its own objects in Open vSwitch: ports (by owner tag) and flow counts (by cookie), read
// at most once per interval however many containers ask, and the sweep at start that removes what no record
// claims (ports and flows of containers whose build or teardown a crash interrupted).
import type { Logger } from '../../../shared/logger';
import { parseFlowCookies } from './flows';
import { cookieHex } from './names';
import type { Ovs, OwnedInterface } from './ovs';
import { recordCookie, type ContainerRecord } from './state';

export interface DatapathSnapshot {
  at: number;
  /** Owned interfaces by container id. */
  ports: Map<string, OwnedInterface>;
  /** Flow count per cookie (standalone only; empty otherwise). */
  flows: Map<bigint, number>;
  uplinkOfport: number | null;
}

export class DatapathAudit {
  private last: DatapathSnapshot | null = null;
  private inflight: Promise<DatapathSnapshot> | null = null;

  constructor(
    private readonly ovs: Ovs,
    private readonly owner: number,
    private readonly opts: { standalone: boolean; uplinkPort?: string; maxAgeMs?: number },
  ) {}

  /** A snapshot no older than maxAgeMs (default 1 s); concurrent callers share one read. */
  async snapshot(fresh = false): Promise<DatapathSnapshot> {
    const maxAge = this.opts.maxAgeMs ?? 1000;
    if (!fresh && this.last && Date.now() - this.last.at < maxAge) return this.last;
    if (this.inflight) return this.inflight;
    this.inflight = (async () => {
      try {
        const [ports, dump, uplink] = await Promise.all([
          this.ovs.ownedInterfaces(this.owner),
          this.opts.standalone ? this.ovs.dumpOwnedFlows(this.owner) : Promise.resolve(''),
          this.opts.uplinkPort ? this.ovs.ofportOf(this.opts.uplinkPort) : Promise.resolve(null),
        ]);
        this.last = { at: Date.now(), ports: new Map(ports.map((p) => [p.containerId, p])), flows: parseFlowCookies(dump), uplinkOfport: uplink };
        return this.last;
      } finally {
        this.inflight = null;
      }
    })();
    return this.inflight;
  }

  invalidate(): void {
    this.last = null;
  }

  /** Removes owned ports and flows that belong to none of `keep` (at start, after adoption). */
  async sweep(keep: ContainerRecord[], log: Logger): Promise<{ ports: string[]; cookies: string[] }> {
    const snap = await this.snapshot(true);
    const byId = new Map(keep.map((r) => [r.spec.id, r]));
    const ports: string[] = [];
    for (const [id, p] of snap.ports) {
      const r = byId.get(id);
      if (r && r.spec.interfaceName === p.name) continue;
      await this.ovs.delPort(p.name);
      ports.push(p.name);
    }
    const cookies: string[] = [];
    const wanted = new Set(keep.map((r) => recordCookie(r)));
    for (const c of snap.flows.keys()) {
      if (wanted.has(c)) continue;
      await this.ovs.delFlows(c);
      cookies.push(cookieHex(c));
    }
    if (ports.length || cookies.length) log.warn({ ports, cookies }, 'removed OVS ports and flows left by an earlier agent that no container claims');
    this.invalidate();
    return { ports, cookies };
  }
}
