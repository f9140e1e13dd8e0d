// The CLI's pure parser: words → a typed command, or an error message naming the bad word and the valid choices.
// No I/O here; main.ts and shell.ts run what this returns.
import {
  CLEAR_KEYS, COLLECTION_VERBS, CONTAINER_GROUP_SET_KEYS, HOST_SET_KEYS, ID_VERBS, OBJECTS, OPTIONS, SHOW_FIELDS, fieldKey,
  type IdObject, type ObjectName, type ValueRule,
} from './words';

export type HostPatch = { containerWeight?: number; containerLimit?: number; enforceContainerLimit?: boolean; cordoned?: boolean };
export type Topic = ObjectName | 'shell';

export type Command =
  | { kind: 'help'; topic?: Topic }
  | { kind: 'shell' }
  | { kind: 'list'; object: Exclude<IdObject, 'router'> }
  | { kind: 'show'; object: Exclude<IdObject, 'router'>; id: string; field?: string }
  | { kind: 'host-set'; id: string; patch: HostPatch }
  | { kind: 'host-drain'; id: string; maxParallel?: number }
  | { kind: 'host-delete'; id: string }
  | { kind: 'host-token'; id: string }
  | { kind: 'container-set-host'; id: string; hostId: string }
  | { kind: 'container-clear-host'; id: string }
  | { kind: 'container-explain'; id: string }
  | { kind: 'container-events'; id: string }
  | { kind: 'container-group-set'; id: string; patch: { policy: 'least' | 'weighted' } }
  | { kind: 'host-group-create'; name: string }
  | { kind: 'host-group-member'; op: 'add' | 'remove'; id: string; hostId: string }
  | { kind: 'rebalance'; apply: boolean; maxMoves?: number }
  | { kind: 'events'; follow: boolean; since?: number }
  | { kind: 'router-southbound'; id: string };

export type Parsed = { ok: true; command: Command; json: boolean } | { ok: false; message: string };

class ParseError extends Error {}
const fail = (message: string): never => { throw new ParseError(message); };
const list = (xs: readonly string[]) => xs.join(', ');

export function parse(input: readonly string[]): Parsed {
  const json = input.includes('--json');
  const words = input.filter((w) => w !== '--json');
  if (words.some((w) => w === 'help' || w === '--help' || w === '-h')) return { ok: true, json, command: { kind: 'help', topic: topicOf(words) } };
  try {
    return { ok: true, json, command: parseWords(words) };
  } catch (e) {
    if (e instanceof ParseError) return { ok: false, message: e.message };
    throw e;
  }
}

/** `host help`, `help host`, `host host0 set --help`: the first word naming an object (or the shell). */
function topicOf(words: readonly string[]): Topic | undefined {
  return words.find((w) => w === 'shell' || (OBJECTS as readonly string[]).includes(w)) as Topic | undefined;
}

function parseWords(words: readonly string[]): Command {
  const [first, ...rest] = words;
  if (first === undefined) return { kind: 'shell' };
  if (first === 'shell') {
    noMore('shell', rest);
    return { kind: 'shell' };
  }
  if (first === 'rebalance') {
    const { positional, options } = splitOptions('rebalance', rest, OPTIONS.rebalance);
    noMore('rebalance', positional);
    return { kind: 'rebalance', apply: options['--apply'] === true, maxMoves: options['--max-moves'] as number | undefined };
  }
  if (first === 'events') {
    const { positional, options } = splitOptions('events', rest, OPTIONS.events);
    noMore('events', positional);
    return { kind: 'events', follow: options['--follow'] === true, since: options['--since'] as number | undefined };
  }
  if (first.startsWith('-')) fail(`unknown option ${first}; valid everywhere: --json, --help`);
  if (!(first in ID_VERBS)) fail(`unknown command '${first}'${suggest(first, OBJECTS)}; expected one of: ${list(OBJECTS)}, shell, help`);
  return parseObject(first as IdObject, rest);
}

function parseObject(object: IdObject, words: readonly string[]): Command {
  const collection = COLLECTION_VERBS[object];
  const verbs = ID_VERBS[object] as readonly string[];
  const [head, ...rest] = words;
  if (head === undefined || head.startsWith('-')) {
    const start = collection.length ? `${list(collection.map((v) => `'${v}'`))} or ` : '';
    fail(`${object}: ${head ? `unknown option ${head}` : 'missing words'}; expected ${start}a ${object} id followed by one of: ${list(verbs)}`);
  }
  if (head === 'list' && object !== 'router') {
    noMore(`${object} list`, plain(`${object} list`, rest));
    return { kind: 'list', object };
  }
  if (head === 'create' && object === 'host-group') {
    const [name, ...extra] = plain('host-group create', rest);
    if (name === undefined) fail(`host-group create: missing the group's name`);
    noMore(`host-group create ${name}`, extra);
    return { kind: 'host-group-create', name };
  }
  const id = head;
  const [verb, ...args] = rest;
  const ctx = `${object} ${id}`;
  if (verb === undefined) fail(`${ctx}: missing verb; expected one of: ${list(verbs)}`);
  if (!verbs.includes(verb)) fail(`${ctx}: unknown verb '${verb}'${suggest(verb, verbs)}; expected one of: ${list(verbs)}`);
  const at = `${ctx} ${verb}`;

  if (verb === 'drain') {
    const { positional, options } = splitOptions(at, args, OPTIONS.drain);
    noMore(at, positional);
    return { kind: 'host-drain', id, maxParallel: options['--max-parallel'] as number | undefined };
  }
  const pos = plain(at, args);
  switch (`${object} ${verb}`) {
    case 'host show': case 'container show': case 'container-group show': case 'host-group show':
      return parseShow(object as Exclude<IdObject, 'router'>, id, pos);
    case 'host set':
      return { kind: 'host-set', id, patch: parseHostPairs(at, pos) };
    case 'host clear': {
      const key = oneWord(at, pos, CLEAR_KEYS.host, 'what to clear');
      if (key === 'container-limit') return { kind: 'host-set', id, patch: { containerLimit: -1 } };
      return fail(`${at}: cannot clear '${key}'`);
    }
    case 'host delete': noMore(at, pos); return { kind: 'host-delete', id };
    case 'host token': noMore(at, pos); return { kind: 'host-token', id };
    case 'container set': {
      const [key, hostId, ...extra] = pos;
      oneWord(at, key === undefined ? [] : [key], ['host'], 'what to set');
      if (hostId === undefined) fail(`${at} host: missing the host to move the container to`);
      noMore(`${at} host ${hostId}`, extra);
      return { kind: 'container-set-host', id, hostId };
    }
    case 'container clear': oneWord(at, pos, CLEAR_KEYS.container, 'what to clear'); return { kind: 'container-clear-host', id };
    case 'container explain': noMore(at, pos); return { kind: 'container-explain', id };
    case 'container events': noMore(at, pos); return { kind: 'container-events', id };
    case 'container-group set': {
      const [key, value, ...extra] = pos;
      oneWord(at, key === undefined ? [] : [key], Object.keys(CONTAINER_GROUP_SET_KEYS), 'what to set');
      const policy = checkValue(`${at} policy`, CONTAINER_GROUP_SET_KEYS.policy.rule, value) as 'least' | 'weighted';
      noMore(`${at} policy ${policy}`, extra);
      return { kind: 'container-group-set', id, patch: { policy } };
    }
    case 'host-group add': case 'host-group remove': {
      const [what, hostId, ...extra] = pos;
      oneWord(at, what === undefined ? [] : [what], ['host'], `what to ${verb}`);
      if (hostId === undefined) fail(`${at} host: missing the host id`);
      noMore(`${at} host ${hostId}`, extra);
      return { kind: 'host-group-member', op: verb as 'add' | 'remove', id, hostId };
    }
    case 'router southbound': noMore(at, pos); return { kind: 'router-southbound', id };
  }
  return fail(`${at}: not understood`);
}

function parseShow(object: Exclude<IdObject, 'router'>, id: string, pos: readonly string[]): Command {
  const [field, ...extra] = pos;
  if (field === undefined) return { kind: 'show', object, id };
  const key = fieldKey(object, field);
  if (!key) fail(`${object} ${id} show: unknown field '${field}'${suggest(field, Object.keys(fieldsOf(object)))}; expected one of: ${list(Object.keys(fieldsOf(object)))}`);
  noMore(`${object} ${id} show ${field}`, extra);
  return { kind: 'show', object, id, field };
}

const fieldsOf = (object: IdObject) => SHOW_FIELDS[object];

/** `set k v [k v ...]`: one PATCH with every pair. */
function parseHostPairs(at: string, pos: readonly string[]): HostPatch {
  const keys = Object.keys(HOST_SET_KEYS) as (keyof typeof HOST_SET_KEYS)[];
  if (pos.length === 0) fail(`${at}: missing what to set; expected one of: ${list(keys)}`);
  const patch: Record<string, unknown> = {};
  for (let i = 0; i < pos.length; i += 2) {
    const key = pos[i] as keyof typeof HOST_SET_KEYS;
    if (!keys.includes(key)) fail(`${at}: unknown setting '${pos[i]}'${suggest(pos[i], keys)}; expected one of: ${list(keys)}`);
    const { api, rule } = HOST_SET_KEYS[key];
    if (api in patch) fail(`${at}: '${key}' given twice`);
    patch[api] = checkValue(`${at} ${key}`, rule, pos[i + 1]);
  }
  return patch as HostPatch;
}

export function describeRule(rule: ValueRule): string {
  switch (rule.kind) {
    case 'int': return `an integer from ${rule.min} to ${rule.max}`;
    case 'bool': return 'true or false';
    case 'enum': return `one of: ${list(rule.choices)}`;
    case 'id': return `a ${rule.of} id`;
  }
}

function checkValue(at: string, rule: ValueRule, value: string | undefined): string | number | boolean {
  if (value === undefined) return fail(`${at}: missing value; expected ${describeRule(rule)}`);
  const bad = () => fail(`${at}: bad value '${value}'; expected ${describeRule(rule)}`);
  switch (rule.kind) {
    case 'int': {
      if (!/^-?\d{1,9}$/.test(value)) return bad();
      const n = Number(value);
      return n >= rule.min && n <= rule.max ? n : bad();
    }
    case 'bool': return value === 'true' ? true : value === 'false' ? false : bad();
    case 'enum': return rule.choices.includes(value) ? value : bad();
    case 'id': return value;
  }
}

function oneWord(at: string, pos: readonly string[], choices: readonly string[], what: string): string {
  const [word, ...extra] = pos;
  if (word === undefined) return fail(`${at}: missing ${what}; expected one of: ${list(choices)}`);
  if (!choices.includes(word)) fail(`${at}: unknown word '${word}'${suggest(word, choices)}; expected one of: ${list(choices)}`);
  noMore(`${at} ${word}`, extra);
  return word;
}

function noMore(at: string, extra: readonly string[]) {
  if (extra.length) fail(`${at}: unexpected ${extra[0].startsWith('-') ? 'option' : 'word'} '${extra[0]}' (nothing may follow)`);
}

/** Words of a command that takes no options: any `--x` is an error naming the valid ones. */
function plain(at: string, words: readonly string[]): string[] {
  return splitOptions(at, words, {}).positional;
}

function splitOptions(at: string, words: readonly string[], spec: Record<string, ValueRule | null>) {
  const positional: string[] = [];
  const options: Record<string, number | string | boolean> = {};
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if (!w.startsWith('--')) { positional.push(w); continue; }
    const eq = w.indexOf('=');
    const name = eq < 0 ? w : w.slice(0, eq);
    if (!(name in spec)) {
      const valid = [...Object.keys(spec), '--json', '--help'];
      fail(`${at}: unknown option ${name}${suggest(name, valid)}; valid here: ${list(valid)}`);
    }
    if (name in options) fail(`${at}: option ${name} given twice`);
    const rule = spec[name];
    if (rule === null) {
      if (eq >= 0) fail(`${at}: option ${name} takes no value`);
      options[name] = true;
    } else {
      const value = eq >= 0 ? w.slice(eq + 1) : words[++i];
      options[name] = checkValue(`${at} ${name}`, rule, value);
    }
  }
  return { positional, options };
}

/** "; did you mean 'host'?" for a near miss (edit distance ≤ 2), else nothing. */
function suggest(word: string, choices: readonly string[]): string {
  let best: string | undefined;
  let bestD = 3;
  for (const c of choices) {
    const d = distance(word, c);
    if (d < bestD) { best = c; bestD = d; }
  }
  return best ? ` (did you mean '${best}'?)` : '';
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}
