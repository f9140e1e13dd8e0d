// Pure renderers: API bodies → the text the CLI prints (aligned tables for lists, key/value lines for one object,
// bare values for a single field). Null shows as '-' in tables and key/value lines, and as an empty line alone.
import Table from 'cli-table3';
import { fieldWord, kebab, type IdObject } from './words';

const NO_BORDER = Object.fromEntries(
  ['top', 'top-mid', 'top-left', 'top-right', 'bottom', 'bottom-mid', 'bottom-left', 'bottom-right', 'left', 'left-mid',
    'mid', 'mid-mid', 'right', 'right-mid', 'middle'].map((k) => [k, '']),
);

/** Borderless aligned columns (easy on the eye, and on grep/awk). */
export function table(head: string[], rows: unknown[][]): string {
  const t = new Table({ head, chars: NO_BORDER, style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 } });
  for (const r of rows) t.push(r.map(cell));
  return t.toString().split('\n').map((l) => l.trimEnd()).join('\n');
}

export function cell(v: unknown): string {
  if (v === null || v === undefined || v === '') return '-';
  if (Array.isArray(v)) return v.length ? v.map(cell).join(', ') : '-';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v).replace(/\s*\n\s*/g, ' ');
}

/** A single field, for scripts: the bare value; null is an empty line; a list is one item per line. */
export function bare(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(bare).join('\n');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** key/value lines, keys named as `show <field>` takes them, in the API's order. */
export function keyValues(object: IdObject, o: Record<string, unknown>): string {
  const rows = Object.entries(o).map(([k, v]) => [fieldWord(object, k), cell(v)] as const);
  const w = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

const limit = (n: unknown) => (n === -1 ? 'none' : n);

type Row = Record<string, any>;

export const LISTS = {
  host: {
    head: ['ID', 'ALIVE', 'WEIGHT', 'LIMIT', 'ENFORCED', 'CORDONED', 'CONTAINERS', 'LAST-HEARTBEAT'],
    row: (h: Row) => [h.id, h.alive, h.containerWeight, limit(h.containerLimit), h.enforceContainerLimit, h.cordoned, h.containerCount, h.lastHeartbeatAt],
  },
  container: {
    head: ['ID', 'HOST', 'STATUS', 'SCHEDULER', 'GROUP', 'CONFIGURATION', 'MESSAGE'],
    row: (c: Row) => [c.id, c.hostId, c.status, c.schedulerState, c.groupId, c.configurationId, c.statusMessage],
  },
  'container-group': {
    head: ['ID', 'POLICY', 'HOST-GROUP', 'PORT-GROUP', 'ANTI-AFFINITY', 'ROUTER'],
    row: (g: Row) => [g.id, g.policy, g.hostGroupId, g.portGroupId, g.antiAffinity, g.routerId],
  },
  'host-group': {
    head: ['ID', 'NAME', 'HOSTS'],
    row: (g: Row) => [g.id, g.name, g.hostIds],
  },
} as const;

export function listTable(object: keyof typeof LISTS, items: Row[]): string {
  const spec = LISTS[object];
  return table([...spec.head], items.map((i) => spec.row(i)));
}

/** The fleet-wide feed: one line per event, the same columns whether listed or followed. */
export const FEED_COLUMNS = ['ID', 'AT', 'TYPE', 'CONTAINER', 'HOST', 'REASON'];
export const feedCells = (e: Row) => [e.id, e.at, e.type, e.containerId, e.hostId, e.reason];
export const feedTable = (events: Row[]) => table(FEED_COLUMNS, events.map(feedCells));

export function eventsTable(events: Row[]): string {
  return table(['AT', 'TYPE', 'HOST', 'REASON'], events.map((e) => [e.at, e.type, e.hostId, e.reason]));
}

/** Any array of objects as a table: the union of their keys, in first-seen order. */
export function objectsTable(items: Row[]): string {
  const keys: string[] = [];
  for (const i of items) for (const k of Object.keys(i ?? {})) if (!keys.includes(k)) keys.push(k);
  return table(keys.map((k) => kebab(k).toUpperCase()), items.map((i) => keys.map((k) => i?.[k])));
}

/**
 * A result whose exact shape this CLI does not pin down (drain, rebalance, migration, southbound): scalar fields as
 * key/value lines, each array of objects as a titled table. A one-key envelope ({"drain": {...}}) is unwrapped.
 */
export function result(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (Array.isArray(body)) return objectsTable(body);
  if (typeof body !== 'object') return String(body);
  const entries = Object.entries(body as Row);
  if (entries.length === 1 && entries[0][1] && typeof entries[0][1] === 'object' && !Array.isArray(entries[0][1])) return result(entries[0][1]);
  const scalars = entries.filter(([, v]) => !Array.isArray(v) || v.every((x) => typeof x !== 'object' || x === null));
  const tables = entries.filter(([, v]) => Array.isArray(v) && v.some((x) => typeof x === 'object' && x !== null));
  const w = Math.max(0, ...scalars.map(([k]) => kebab(k).length));
  const parts: string[] = [];
  if (scalars.length) parts.push(scalars.map(([k, v]) => `${kebab(k).padEnd(w)}  ${cell(v)}`).join('\n'));
  for (const [k, v] of tables) parts.push(`${kebab(k)}:\n${objectsTable(v as Row[])}`);
  return parts.join('\n\n');
}

/**
 * `container <id> explain`: one line per host, eligible or the reason it is not. Accepts the per-host list
 * ({hosts|candidates: [{hostId, eligible, reason}]}) or a map ({reasons: {hostId: reason | "eligible"}}).
 */
export function explainText(body: unknown): string {
  let root = body as Row;
  if (root && typeof root === 'object' && root.explain && typeof root.explain === 'object') root = root.explain;
  const list: Row[] | undefined = Array.isArray(root) ? root : root?.hosts ?? root?.candidates;
  let rows: [unknown, string][] | undefined;
  if (Array.isArray(list)) rows = list.map((e) => [e.hostId ?? e.host ?? e.id, verdict(e.eligible, e.reason ?? e.reasons)]);
  else if (root?.reasons && typeof root.reasons === 'object') rows = Object.entries(root.reasons as Row).map(([h, r]) => [h, verdict(undefined, r)]);
  if (!rows) return result(body);
  const rest = Array.isArray(root) ? {} : Object.fromEntries(Object.entries(root).filter(([k]) => !['hosts', 'candidates', 'reasons'].includes(k)));
  const head = result(rest);
  const t = table(['HOST', 'VERDICT'], rows);
  return head ? `${head}\n\n${t}` : t;
}

function verdict(eligible: unknown, reason: unknown): string {
  if (eligible === true || reason === 'eligible') return 'eligible';
  if (Array.isArray(reason)) return reason.join('; ') || 'not eligible';
  return typeof reason === 'string' && reason ? reason : 'not eligible';
}

export const json = (body: unknown) => JSON.stringify(body ?? null, null, 2);
