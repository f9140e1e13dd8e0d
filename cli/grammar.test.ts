// Parser tables: every command of the grammar, then bad words and bad values (each must name the problem and the choices).
import { describe, expect, it } from 'vitest';
import { parse, type Command } from './grammar';

const w = (s: string) => (s ? s.split(' ') : []);

describe('parse: commands', () => {
  it.each<[string, Command]>([
    ['host list', { kind: 'list', object: 'host' }],
    ['host host0 show', { kind: 'show', object: 'host', id: 'host0' }],
    ['host host0 show container-weight', { kind: 'show', object: 'host', id: 'host0', field: 'container-weight' }],
    ['host host0 set container-weight 5', { kind: 'host-set', id: 'host0', patch: { containerWeight: 5 } }],
    ['host host0 set container-weight 0', { kind: 'host-set', id: 'host0', patch: { containerWeight: 0 } }],
    ['host host0 set container-limit 5', { kind: 'host-set', id: 'host0', patch: { containerLimit: 5 } }],
    ['host host0 set container-limit -1', { kind: 'host-set', id: 'host0', patch: { containerLimit: -1 } }],
    ['host host0 clear container-limit', { kind: 'host-set', id: 'host0', patch: { containerLimit: -1 } }],
    ['host host0 set enforce-container-limit true', { kind: 'host-set', id: 'host0', patch: { enforceContainerLimit: true } }],
    ['host host0 set enforce-container-limit false', { kind: 'host-set', id: 'host0', patch: { enforceContainerLimit: false } }],
    ['host host0 set cordoned true', { kind: 'host-set', id: 'host0', patch: { cordoned: true } }],
    ['host host0 set cordoned false', { kind: 'host-set', id: 'host0', patch: { cordoned: false } }],
    ['host host0 set container-weight 3 container-limit 2 cordoned true',
      { kind: 'host-set', id: 'host0', patch: { containerWeight: 3, containerLimit: 2, cordoned: true } }],
    ['host host0 drain', { kind: 'host-drain', id: 'host0', maxParallel: undefined }],
    ['host host0 drain --max-parallel 2', { kind: 'host-drain', id: 'host0', maxParallel: 2 }],
    ['host host0 drain --max-parallel=3', { kind: 'host-drain', id: 'host0', maxParallel: 3 }],
    ['host host0 delete', { kind: 'host-delete', id: 'host0' }],
    ['host host0 token', { kind: 'host-token', id: 'host0' }],
    ['container list', { kind: 'list', object: 'container' }],
    ['container c1 show', { kind: 'show', object: 'container', id: 'c1' }],
    ['container c1 show status-message', { kind: 'show', object: 'container', id: 'c1', field: 'status-message' }],
    ['container c1 show status', { kind: 'show', object: 'container', id: 'c1', field: 'status' }],
    ['container c1 show host', { kind: 'show', object: 'container', id: 'c1', field: 'host' }],
    ['container c1 show host-id', { kind: 'show', object: 'container', id: 'c1', field: 'host-id' }],
    ['container c1 set host host1', { kind: 'container-set-host', id: 'c1', hostId: 'host1' }],
    ['container c1 clear host', { kind: 'container-clear-host', id: 'c1' }],
    ['container c1 explain', { kind: 'container-explain', id: 'c1' }],
    ['container c1 events', { kind: 'container-events', id: 'c1' }],
    ['container-group list', { kind: 'list', object: 'container-group' }],
    ['container-group g1 show policy', { kind: 'show', object: 'container-group', id: 'g1', field: 'policy' }],
    ['container-group g1 set policy least', { kind: 'container-group-set', id: 'g1', patch: { policy: 'least' } }],
    ['container-group g1 set policy weighted', { kind: 'container-group-set', id: 'g1', patch: { policy: 'weighted' } }],
    ['host-group list', { kind: 'list', object: 'host-group' }],
    ['host-group create az1', { kind: 'host-group-create', name: 'az1' }],
    ['host-group az1 show hosts', { kind: 'show', object: 'host-group', id: 'az1', field: 'hosts' }],
    ['host-group az1 add host host0', { kind: 'host-group-member', op: 'add', id: 'az1', hostId: 'host0' }],
    ['host-group az1 remove host host0', { kind: 'host-group-member', op: 'remove', id: 'az1', hostId: 'host0' }],
    ['rebalance', { kind: 'rebalance', apply: false, maxMoves: undefined }],
    ['rebalance --apply', { kind: 'rebalance', apply: true, maxMoves: undefined }],
    ['rebalance --max-moves 4', { kind: 'rebalance', apply: false, maxMoves: 4 }],
    ['rebalance --apply --max-moves=4', { kind: 'rebalance', apply: true, maxMoves: 4 }],
    ['events', { kind: 'events', follow: false, since: undefined }],
    ['events --follow --since 7', { kind: 'events', follow: true, since: 7 }],
    ['router r1 southbound', { kind: 'router-southbound', id: 'r1' }],
    ['shell', { kind: 'shell' }],
    ['', { kind: 'shell' }],
    ['help', { kind: 'help', topic: undefined }],
    ['--help', { kind: 'help', topic: undefined }],
    ['help host', { kind: 'help', topic: 'host' }],
    ['host help', { kind: 'help', topic: 'host' }],
    ['host --help', { kind: 'help', topic: 'host' }],
    ['container c1 set -h', { kind: 'help', topic: 'container' }],
    ['rebalance --help', { kind: 'help', topic: 'rebalance' }],
    ['host nonsense words --help', { kind: 'help', topic: 'host' }],
  ])('%s', (line, command) => {
    expect(parse(w(line))).toEqual({ ok: true, json: false, command });
  });

  it('--json is accepted anywhere and removed from the words', () => {
    expect(parse(w('--json host list'))).toEqual({ ok: true, json: true, command: { kind: 'list', object: 'host' } });
    expect(parse(w('container c1 show --json'))).toEqual({ ok: true, json: true, command: { kind: 'show', object: 'container', id: 'c1' } });
  });
});

describe('parse: bad words and values', () => {
  // Each error must contain every listed fragment: the bad word and the valid choices.
  it.each<[string, string[]]>([
    ['hots list', ["unknown command 'hots'", "did you mean 'host'", 'host, container, container-group, host-group, router, rebalance']],
    ['--verbose', ['unknown option --verbose', '--json, --help']],
    ['host', ['host: missing words', "'list'", 'show, set, clear, drain, token, delete']],
    ['host host0', ['host host0: missing verb', 'show, set, clear, drain, token, delete']],
    ['host host0 frobnicate', ["unknown verb 'frobnicate'", 'show, set, clear, drain, token, delete']],
    ['host host0 sett container-weight 5', ["unknown verb 'sett'", "did you mean 'set'"]],
    ['host list extra', ["host list: unexpected word 'extra'"]],
    ['host list --all', ['unknown option --all', '--json, --help']],
    ['host host0 set', ['missing what to set', 'container-weight, container-limit, enforce-container-limit, cordoned']],
    ['host host0 set weight 5', ["unknown setting 'weight'", 'container-weight, container-limit']],
    ['host host0 set container-weight', ['host host0 set container-weight: missing value', 'an integer from 0 to 1000000']],
    ['host host0 set container-weight five', ["bad value 'five'", 'an integer from 0 to 1000000']],
    ['host host0 set container-weight -1', ["bad value '-1'", 'an integer from 0 to 1000000']],
    ['host host0 set container-weight 1.5', ["bad value '1.5'", 'integer']],
    ['host host0 set container-weight 1000001', ["bad value '1000001'"]],
    ['host host0 set container-limit -2', ["bad value '-2'", 'an integer from -1 to 1000000']],
    ['host host0 set enforce-container-limit yes', ["bad value 'yes'", 'true or false']],
    ['host host0 set cordoned 1', ["bad value '1'", 'true or false']],
    ['host host0 set container-weight 1 container-weight 2', ["'container-weight' given twice"]],
    ['host host0 clear', ['missing what to clear', 'container-limit']],
    ['host host0 clear container-weight', ["unknown word 'container-weight'", 'container-limit']],
    ['host host0 drain --max-parallel', ['missing value', 'an integer from 1 to 1000']],
    ['host host0 drain --max-parallel 0', ["bad value '0'", 'an integer from 1 to 1000']],
    ['host host0 drain --max-paralel 2', ['unknown option --max-paralel', "did you mean '--max-parallel'", '--max-parallel, --json, --help']],
    ['host host0 drain now', ["unexpected word 'now'"]],
    ['host host0 delete now', ["unexpected word 'now'"]],
    ['host host0 show weight', ["unknown field 'weight'", 'container-weight, container-limit']],
    ['container c1 show colour', ["unknown field 'colour'", 'status-message']],
    ['container c1 show status extra', ["unexpected word 'extra'"]],
    ['container c1 set', ['missing what to set', 'host']],
    ['container c1 set hots host1', ["unknown word 'hots'", "did you mean 'host'"]],
    ['container c1 set host', ['missing the host']],
    ['container c1 set host h1 h2', ["unexpected word 'h2'"]],
    ['container c1 clear', ['missing what to clear', 'host']],
    ['container c1 clear status', ["unknown word 'status'", 'host']],
    ['container c1 drain', ["unknown verb 'drain'", 'show, set, clear, explain, events']],
    ['container-group g1 set policy', ['missing value', 'least, weighted']],
    ['container-group g1 set policy random', ["bad value 'random'", 'one of: least, weighted']],
    ['container-group g1 set weight 1', ["unknown word 'weight'", 'policy']],
    ['host-group create', ["missing the group's name"]],
    ['host-group create a b', ["unexpected word 'b'"]],
    ['host-group az1 add', ['missing what to add', 'host']],
    ['host-group az1 add port p1', ["unknown word 'port'", 'host']],
    ['host-group az1 remove host', ['missing the host id']],
    ['rebalance now', ["rebalance: unexpected word 'now'"]],
    ['rebalance --max-moves x', ["bad value 'x'", 'an integer from 1 to 100000']],
    ['rebalance --apply=yes', ['--apply takes no value']],
    ['rebalance --apply --apply', ['--apply given twice']],
    ['router r1', ['missing verb', 'southbound']],
    ['router list', ['missing verb', 'southbound']],
    ['shell now', ["shell: unexpected word 'now'"]],
  ])('%s', (line, fragments) => {
    const r = parse(w(line));
    expect(r.ok).toBe(false);
    for (const f of fragments) expect(r.ok ? '' : r.message).toContain(f);
  });
});
