// The CLI's vocabulary in one place: objects, verbs, settable keys with their value rules, and show fields.
// The parser, the help text and the shell's completion all read these tables, so they cannot drift apart.

export const OBJECTS = ['host', 'container', 'container-group', 'host-group', 'router', 'rebalance', 'events'] as const;
export type ObjectName = (typeof OBJECTS)[number];

/** Objects addressed as `<object> <id> <verb>`; `list` (and `create` for host groups) come before any id. */
export const ID_VERBS = {
  host: ['show', 'set', 'clear', 'drain', 'token', 'delete'],
  container: ['show', 'set', 'clear', 'explain', 'events'],
  'container-group': ['show', 'set'],
  'host-group': ['show', 'add', 'remove'],
  router: ['southbound'],
} as const;
export type IdObject = keyof typeof ID_VERBS;

export const COLLECTION_VERBS: Record<IdObject, readonly string[]> = {
  host: ['list'],
  container: ['list'],
  'container-group': ['list'],
  'host-group': ['list', 'create'],
  router: [],
};

export type ValueRule =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'bool' }
  | { kind: 'enum'; choices: readonly string[] }
  | { kind: 'id'; of: IdObject };

/** Bounds follow the server's (functions/services/hosts/schemas.ts) so a bad value never leaves the machine. */
export const HOST_SET_KEYS = {
  'container-weight': { api: 'containerWeight', rule: { kind: 'int', min: 0, max: 1_000_000 } },
  'container-limit': { api: 'containerLimit', rule: { kind: 'int', min: -1, max: 1_000_000 } },
  'enforce-container-limit': { api: 'enforceContainerLimit', rule: { kind: 'bool' } },
  cordoned: { api: 'cordoned', rule: { kind: 'bool' } },
} as const satisfies Record<string, { api: string; rule: ValueRule }>;

export const CONTAINER_GROUP_SET_KEYS = {
  policy: { api: 'policy', rule: { kind: 'enum', choices: ['least', 'weighted'] } },
} as const satisfies Record<string, { api: string; rule: ValueRule }>;

/** What `set`/`clear` accept per object (container `set host` is a migration, not a PATCH). */
export const SET_KEYS: Record<'host' | 'container' | 'container-group', Record<string, ValueRule>> = {
  host: Object.fromEntries(Object.entries(HOST_SET_KEYS).map(([k, v]) => [k, v.rule])),
  container: { host: { kind: 'id', of: 'host' } },
  'container-group': Object.fromEntries(Object.entries(CONTAINER_GROUP_SET_KEYS).map(([k, v]) => [k, v.rule])),
};
export const CLEAR_KEYS: Record<'host' | 'container', readonly string[]> = {
  host: ['container-limit'],
  container: ['host'],
};

/** Per object: the field word `show <field>` takes → the API's key. Listed in display order. */
export const SHOW_FIELDS: Record<IdObject, Record<string, string>> = {
  host: {
    id: 'id', name: 'name', alive: 'alive', 'container-weight': 'containerWeight', 'container-limit': 'containerLimit',
    'enforce-container-limit': 'enforceContainerLimit', cordoned: 'cordoned', 'container-count': 'containerCount',
    'last-heartbeat': 'lastHeartbeatAt', 'boot-id': 'bootId', 'reported-count': 'reportedCount', 'reported-quota': 'reportedQuota',
  },
  container: {
    id: 'id', group: 'groupId', port: 'portId', 'service-type': 'serviceType', configuration: 'configurationId',
    host: 'hostId', status: 'status', 'status-message': 'statusMessage', 'scheduler-state': 'schedulerState',
    namespace: 'namespace', 'interface-name': 'interfaceName', 'placement-generation': 'placementGeneration',
  },
  'container-group': {
    id: 'id', policy: 'policy', 'host-group': 'hostGroupId', 'port-group': 'portGroupId', 'anti-affinity': 'antiAffinity',
    router: 'routerId',
  },
  'host-group': { id: 'id', name: 'name', hosts: 'hostIds' },
  router: {},
};

/** kebab-case of an API key, for keys the tables above do not name (a newer server's fields). */
export const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The field word for an API key: the table's name when it has one, else the kebab-case of the key. */
export function fieldWord(object: IdObject, apiKey: string): string {
  const hit = Object.entries(SHOW_FIELDS[object]).find(([, k]) => k === apiKey);
  return hit ? hit[0] : kebab(apiKey);
}

/** The API key a field word names: a table name, or the kebab-case of any key (host-id works like host). */
export function fieldKey(object: IdObject, word: string): string | undefined {
  const fields = SHOW_FIELDS[object];
  if (fields[word]) return fields[word];
  return Object.values(fields).find((k) => kebab(k) === word);
}

/** Options per command, with whether they take a value. */
export const OPTIONS = {
  drain: { '--max-parallel': { kind: 'int', min: 1, max: 1000 } },
  rebalance: { '--apply': null, '--max-moves': { kind: 'int', min: 1, max: 100_000 } },
  events: { '--follow': null, '--since': { kind: 'int', min: 0, max: 999_999_999 } },
} as const satisfies Record<string, Record<string, ValueRule | null>>;

export const GLOBAL_OPTIONS = ['--json', '--help'] as const;
export const SHELL_WORDS = ['help', 'exit', 'quit'] as const;
