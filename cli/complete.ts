// The shell's pure side: splitting a typed line into words (with quotes) and what TAB may offer at the cursor,
// from the same vocabulary tables as the parser plus the ids the server knows.
import {
  CLEAR_KEYS, COLLECTION_VERBS, ID_VERBS, OBJECTS, OPTIONS, SET_KEYS, SHELL_WORDS, SHOW_FIELDS, type IdObject,
} from './words';

export type Ids = Record<IdObject, string[]>;
export const NO_IDS: Ids = { host: [], container: [], 'container-group': [], 'host-group': [], router: [] };

export type Tokens = { ok: true; words: string[]; open: boolean } | { ok: false; message: string };

/** Words split on blanks; "double" or 'single' quotes keep blanks inside (host group names may have them). */
export function tokenize(line: string): Tokens {
  const words: string[] = [];
  let cur: string | null = null;
  let quote: string | null = null;
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = null;
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      cur ??= '';
    } else if (/\s/.test(ch)) {
      if (cur !== null) words.push(cur);
      cur = null;
    } else {
      cur = (cur ?? '') + ch;
    }
  }
  if (quote) return { ok: false, message: `unterminated ${quote === '"' ? 'double' : 'single'} quote` };
  if (cur !== null) words.push(cur);
  /** open: the cursor is still inside the last word (no blank after it). */
  return { ok: true, words, open: cur !== null };
}

/** Every word valid right after `done` (before filtering by what is typed). */
export function candidates(doneWords: readonly string[], ids: Ids): string[] {
  const done = doneWords.filter((w) => w !== '--json');
  const [first, second, verb, ...args] = done;
  if (first === undefined) return [...OBJECTS, 'shell', ...SHELL_WORDS];
  if (first === 'help') return done.length === 1 ? [...OBJECTS] : [];
  if (first === 'events') {
    if (done[done.length - 1] === '--since') return [];
    return Object.keys(OPTIONS.events).filter((o) => !done.includes(o));
  }
  if (first === 'rebalance') {
    if (done[done.length - 1] === '--max-moves') return [];
    return Object.keys(OPTIONS.rebalance).filter((o) => !done.includes(o));
  }
  if (!(first in ID_VERBS)) return [];
  const object = first as IdObject;
  if (second === undefined) return [...COLLECTION_VERBS[object], ...ids[object]];
  if (COLLECTION_VERBS[object].includes(second)) return [];
  if (verb === undefined) return [...ID_VERBS[object]];
  switch (verb) {
    case 'show': return args.length === 0 ? Object.keys(SHOW_FIELDS[object]) : [];
    case 'clear': return args.length === 0 && (object === 'host' || object === 'container') ? [...CLEAR_KEYS[object]] : [];
    case 'drain': return args[args.length - 1] === '--max-parallel' || args.includes('--max-parallel') ? [] : ['--max-parallel'];
    case 'add': case 'remove': return args.length === 0 ? ['host'] : args.length === 1 ? ids.host : [];
    case 'set': return setCandidates(object, args, ids);
    default: return [];
  }
}

function setCandidates(object: IdObject, args: readonly string[], ids: Ids): string[] {
  if (object === 'router' || object === 'host-group') return [];
  const keys = SET_KEYS[object];
  // Hosts take several key/value pairs; the others take one.
  if (args.length % 2 === 0) {
    if (object !== 'host' && args.length > 0) return [];
    const used = args.filter((_, i) => i % 2 === 0);
    return Object.keys(keys).filter((k) => !used.includes(k));
  }
  const rule = keys[args[args.length - 1]];
  if (!rule) return [];
  if (rule.kind === 'bool') return ['true', 'false'];
  if (rule.kind === 'enum') return [...rule.choices];
  if (rule.kind === 'id') return ids[rule.of];
  return [];
}

/** readline's completer contract: [matching words, the fragment being completed]. */
export function complete(line: string, ids: Ids): [string[], string] {
  const t = tokenize(line);
  if (!t.ok) return [[], ''];
  const partial = t.open ? t.words[t.words.length - 1] : '';
  const done = t.open ? t.words.slice(0, -1) : t.words;
  const hits = [...new Set(candidates(done, ids))].filter((c) => c.startsWith(partial));
  return [hits, partial];
}
