// Help text of the operator CLI, whole or per object; values are described from the same tables the parser uses.
import { describeRule, type Topic } from './grammar';
import { HOST_SET_KEYS, SHOW_FIELDS } from './words';

const NOTES: Record<string, string> = { 'container-limit': ' (-1: no limit)', 'container-weight': ' (0: place nothing here)' };
const hostSettings = Object.entries(HOST_SET_KEYS)
  .map(([k, v]) => `      ${k.padEnd(24)} ${describeRule(v.rule)}${NOTES[k] ?? ''}`).join('\n');

/** Field names, wrapped under the line that introduces them. */
function fields(o: keyof typeof SHOW_FIELDS): string {
  const lines: string[] = [];
  let cur = '';
  for (const f of Object.keys(SHOW_FIELDS[o])) {
    if (cur && cur.length + f.length > 80) { lines.push(`${cur},`); cur = ''; }
    cur = cur ? `${cur}, ${f}` : f;
  }
  return [...lines, cur].join('\n              ');
}

const SECTIONS: Record<Exclude<Topic, 'shell'>, string> = {
  host: `host list                                  the fleet: liveness, weight, limit, cordon, container count
host <id> show [field]                     one host; a field prints just its value
      fields: ${fields('host')}
host <id> set <setting> <value> [...]      change scheduling knobs (several pairs make one change)
${hostSettings}
host <id> clear container-limit            no limit (-1)
host <id> drain [--max-parallel N]         cordon and move every container off, N at a time
host <id> token                            issue the host its own MQTT secret, shown once (again: rotate)
host <id> delete                           forget a dead, empty host (and revoke its credential)`,
  container: `container list                             every container: host, status, scheduler state
container <id> show [field]                one container; a field prints just its value
      fields: ${fields('container')}
container <id> set host <host>             migrate to that host (refused with the reason if not eligible)
container <id> clear host                  re-run automatic scheduling
container <id> explain                     per host: eligible, or why not
container <id> events                      the container's scheduling history`,
  'container-group': `container-group list                       groups, their policy and affinity
container-group <id> show [field]          one group (fields: ${fields('container-group')})
container-group <id> set policy least|weighted
                                           placed containers stay where they are`,
  'host-group': `host-group list                            host groups and their members
host-group create <name>                   a new, empty group (prints its id)
host-group <id|name> show [field]          one group (fields: ${fields('host-group')})
host-group <id|name> add host <host>       add a member
host-group <id|name> remove host <host>    remove a member`,
  rebalance: `rebalance [--apply] [--max-moves N]        even the load; a dry run unless --apply`,
  events: `events [--since ID] [--follow]            the fleet's recent events (every container); --follow keeps
                                           printing them as they happen (Ctrl-C ends)`,
  router: `router <id> southbound                     ports, routes, chains and rules the translator wrote`,
};

const COMMON = `options: --json prints the server's JSON as is; --help or help after any words explains them.
environment: BERTH_URL (default http://127.0.0.1:8787), BERTH_TOKEN (default: the file .berth/admin-token).
exit codes: 0 done, 1 the server refused or could not be reached, 2 a bad word or value.`;

const SHELL = `shell                                      an interactive shell (also: berth with no words on a terminal)
  in the shell: the same words without 'berth'; TAB completes words and ids; help; exit or quit (or Ctrl-D)`;

export function helpText(topic?: Topic, inShell = false): string {
  const prefix = inShell ? '' : 'berth ';
  const indent = (s: string) => s.split('\n').map((l) => (l.startsWith(' ') ? `${' '.repeat(prefix.length)}${l}` : `${prefix}${l}`)).join('\n');
  if (topic === 'shell') return indent(SHELL);
  if (topic) return `${indent(SECTIONS[topic])}\n\n${COMMON}`;
  const all = Object.values(SECTIONS).map(indent).join('\n\n');
  const tail = inShell ? 'exit | quit                                 leave the shell (or Ctrl-D)' : indent(SHELL);
  return `${inShell ? 'commands' : 'operator commands'}:\n\n${all}\n\n${tail}\n\n${COMMON}`;
}
