// The reconciler's pure core: desired containers vs what the driver reads back → the actions that close
// the gap (create, update in place, recreate, delete) and the containers refused by a hard limit.
import type { ContainerStatus, DesiredContainer } from '../../shared/protocol/messages';

export interface ObservedLike {
  id: string;
  spec: DesiredContainer;
  status: ContainerStatus;
}

export type Action =
  | { kind: 'create'; spec: DesiredContainer }
  | { kind: 'update'; spec: DesiredContainer; previous: DesiredContainer }
  /** identity: type/port/interface changed (cannot be done in place); failed: an ERROR/STOPPED container whose desired spec changed. */
  | { kind: 'recreate'; spec: DesiredContainer; previous: DesiredContainer; reason: 'identity' | 'failed' }
  /** undesired: no longer in the desired state; limit: beyond the hard container limit. */
  | { kind: 'delete'; id: string; previous: DesiredContainer; reason: 'undesired' | 'limit' };

export interface Refusal {
  spec: DesiredContainer;
  message: string;
}

export interface Plan {
  /** In the order to apply: deletes, recreates, updates, creates (deletes free slots and names first). */
  actions: Action[];
  refused: Refusal[];
}

export interface DiffInput {
  /** null: no desired document since (re)connecting — the agent must neither create nor delete anything. */
  desired: readonly DesiredContainer[] | null;
  observed: readonly ObservedLike[];
  /** Hard container limit (--enforce-container-limit); null when none applies. */
  hardLimit: number | null;
}

/** JSON with sorted keys: equal values give equal strings whatever the key order on the wire or on disk. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).filter((k) => o[k] !== undefined).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export const specFingerprint = (spec: DesiredContainer): string => canonicalJson(spec);

const identity = (s: DesiredContainer) => canonicalJson([s.type, s.portId, s.interfaceName]);

export const limitMessage = (limit: number): string =>
  `LIMIT_EXCEEDED: this host enforces a hard limit of ${limit} container${limit === 1 ? '' : 's'}`;

export function diff({ desired, observed, hardLimit }: DiffInput): Plan {
  if (desired === null) return { actions: [], refused: [] };
  const seen = new Map(observed.map((o) => [o.id, o]));
  const wanted = new Set(desired.map((d) => d.id));

  // Under a hard limit, containers that already exist keep their slots (a new arrival never evicts a
  // running one); then new ones in the order of the desired document.
  let allowed = new Set(desired.map((d) => d.id));
  if (hardLimit !== null) {
    const ordered = [...desired.filter((d) => seen.has(d.id)), ...desired.filter((d) => !seen.has(d.id))];
    allowed = new Set(ordered.slice(0, Math.max(0, hardLimit)).map((d) => d.id));
  }

  const deletes: Action[] = [];
  const recreates: Action[] = [];
  const updates: Action[] = [];
  const creates: Action[] = [];
  const refused: Refusal[] = [];

  for (const o of observed) {
    if (!wanted.has(o.id)) deletes.push({ kind: 'delete', id: o.id, previous: o.spec, reason: 'undesired' });
  }
  for (const spec of desired) {
    const o = seen.get(spec.id);
    if (!allowed.has(spec.id)) {
      refused.push({ spec, message: limitMessage(hardLimit ?? 0) });
      if (o) deletes.push({ kind: 'delete', id: o.id, previous: o.spec, reason: 'limit' });
      continue;
    }
    if (!o) {
      creates.push({ kind: 'create', spec });
    } else if (identity(spec) !== identity(o.spec)) {
      recreates.push({ kind: 'recreate', spec, previous: o.spec, reason: 'identity' });
    } else if (specFingerprint(spec) === specFingerprint(o.spec)) {
      // Converged. A crashed (ERROR) container stays as it is and is reported: failover is the control
      // plane's decision, and restarting it here would race with a reschedule elsewhere.
    } else if (o.status === 'ERROR' || o.status === 'STOPPED') {
      recreates.push({ kind: 'recreate', spec, previous: o.spec, reason: 'failed' });
    } else {
      updates.push({ kind: 'update', spec, previous: o.spec });
    }
  }
  return { actions: [...deletes, ...recreates, ...updates, ...creates], refused };
}
