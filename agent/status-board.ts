// What the agent last knew about each container, as it will report it; tells when a report is due.
import type { ContainerReport, TunnelReport } from '../shared/protocol/messages';
import { canonicalJson } from './reconciler/diff';
import { statusMessage } from './status-message';

/**
 * A report without what changes on every read (traffic counters): a report is due when this changes, and the
 * counters travel with the periodic full report (issue 11: growing counters must not turn every health pass
 * into a status message).
 */
const withoutCounters = (r: ContainerReport) => ({
  ...r,
  tunnels: r.tunnels?.map(({ bytesIn: _a, bytesOut: _b, packetsIn: _c, packetsOut: _d, ...rest }: TunnelReport) => rest),
});

export class StatusBoard {
  private readonly reports = new Map<string, ContainerReport>();
  private changed = false;

  /** onFlush receives the complete list whenever flush() finds something changed since the last flush. */
  constructor(private readonly onFlush: (reports: ContainerReport[]) => void = () => {}) {}

  get(id: string): ContainerReport | undefined {
    return this.reports.get(id);
  }

  /** Records a report; an empty message is replaced by one that says what is true (status-message.ts). */
  set(given: ContainerReport): void {
    const report = given.message ? given : { ...given, message: statusMessage(given.status, '', given.tunnels) };
    const before = this.reports.get(report.id);
    this.reports.set(report.id, report);
    if (before && canonicalJson(withoutCounters(before)) === canonicalJson(withoutCounters(report))) return;
    this.changed = true;
  }

  /** Change some fields of an existing report (or create one from `base`). */
  patch(id: string, base: Omit<ContainerReport, 'status' | 'message'>, change: Partial<ContainerReport>): void {
    const before = this.reports.get(id);
    this.set({ ...(before ?? { ...base, status: 'STARTING', message: '' }), ...change });
  }

  remove(id: string): void {
    if (this.reports.delete(id)) this.changed = true;
  }

  /** Forget every container not in keep. */
  retainOnly(keep: ReadonlySet<string>): void {
    for (const id of [...this.reports.keys()]) if (!keep.has(id)) this.remove(id);
  }

  list(): ContainerReport[] {
    return [...this.reports.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  /** Report now if anything changed since the last report. */
  flush(): void {
    if (!this.changed) return;
    this.changed = false;
    this.onFlush(this.list());
  }
}
