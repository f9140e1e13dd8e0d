// What the agent last knew about each container, as it will report it; tells when a report is due.
import type { ContainerReport } from '../shared/protocol/messages';
import { canonicalJson } from './reconciler/diff';

export class StatusBoard {
  private readonly reports = new Map<string, ContainerReport>();
  private changed = false;

  /** onFlush receives the complete list whenever flush() finds something changed since the last flush. */
  constructor(private readonly onFlush: (reports: ContainerReport[]) => void = () => {}) {}

  get(id: string): ContainerReport | undefined {
    return this.reports.get(id);
  }

  set(report: ContainerReport): void {
    const before = this.reports.get(report.id);
    if (before && canonicalJson(before) === canonicalJson(report)) return;
    this.reports.set(report.id, report);
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
