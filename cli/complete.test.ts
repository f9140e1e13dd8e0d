// The shell's pure side: word splitting with quotes, and what TAB offers at each point of the grammar.
import { describe, expect, it } from 'vitest';
import { complete, tokenize, type Ids } from './complete';

const ids: Ids = {
  host: ['host0', 'host1'],
  container: ['c-1', 'c-2'],
  'container-group': ['cg-1'],
  'host-group': ['az1', 'hg-uuid'],
  router: ['r-1'],
};

describe('tokenize', () => {
  it.each<[string, string[], boolean]>([
    ['', [], false],
    ['host list', ['host', 'list'], true],
    ['host list ', ['host', 'list'], false],
    ['  host   list', ['host', 'list'], true],
    ['host-group create "zone a"', ['host-group', 'create', 'zone a'], true],
    ["host-group create 'zone a' ", ['host-group', 'create', 'zone a'], false],
    ['host-group create ""', ['host-group', 'create', ''], true],
  ])('%j', (line, words, open) => {
    expect(tokenize(line)).toEqual({ ok: true, words, open });
  });

  it('an unterminated quote is an error', () => {
    expect(tokenize('host-group create "zone')).toEqual({ ok: false, message: 'unterminated double quote' });
  });
});

describe('complete', () => {
  it.each<[string, string[]]>([
    ['', ['host', 'container', 'container-group', 'host-group', 'router', 'rebalance', 'events', 'shell', 'help', 'exit', 'quit']],
    ['ho', ['host', 'host-group']],
    ['cont', ['container', 'container-group']],
    ['host ', ['list', 'host0', 'host1']],
    ['host h', ['host0', 'host1']],
    ['host host0 ', ['show', 'set', 'clear', 'drain', 'token', 'delete']],
    ['host host0 s', ['show', 'set']],
    ['host host0 set ', ['container-weight', 'container-limit', 'enforce-container-limit', 'cordoned']],
    ['host host0 set container-weight ', []],
    ['host host0 set cordoned ', ['true', 'false']],
    ['host host0 set cordoned t', ['true']],
    ['host host0 set cordoned true ', ['container-weight', 'container-limit', 'enforce-container-limit']],
    ['host host0 clear ', ['container-limit']],
    ['host host0 drain ', ['--max-parallel']],
    ['host host0 drain --max-parallel ', []],
    ['host host0 show container-w', ['container-weight']],
    ['host list ', []],
    ['container ', ['list', 'c-1', 'c-2']],
    ['container c-1 ', ['show', 'set', 'clear', 'explain', 'events']],
    ['container c-1 show status', ['status', 'status-message']],
    ['container c-1 set ', ['host']],
    ['container c-1 set host ', ['host0', 'host1']],
    ['container c-1 set host host0 ', []],
    ['container c-1 clear ', ['host']],
    ['container-group ', ['list', 'cg-1']],
    ['container-group cg-1 set ', ['policy']],
    ['container-group cg-1 set policy ', ['least', 'weighted']],
    ['container-group cg-1 set policy least ', []],
    ['host-group ', ['list', 'create', 'az1', 'hg-uuid']],
    ['host-group az1 ', ['show', 'add', 'remove']],
    ['host-group az1 add ', ['host']],
    ['host-group az1 remove host ', ['host0', 'host1']],
    ['host-group create ', []],
    ['rebalance ', ['--apply', '--max-moves']],
    ['rebalance --apply ', ['--max-moves']],
    ['rebalance --max-moves ', []],
    ['router ', ['r-1']],
    ['router r-1 ', ['southbound']],
    ['help ', ['host', 'container', 'container-group', 'host-group', 'router', 'rebalance', 'events']],
    ['events ', ['--follow', '--since']],
    ['events --follow ', ['--since']],
    ['--json host ', ['list', 'host0', 'host1']],
    ['nonsense ', []],
  ])('%j', (line, hits) => {
    const [got, partial] = complete(line, ids);
    expect(got).toEqual(hits);
    expect(partial).toBe(line.endsWith(' ') || line === '' ? '' : line.split(' ').pop());
  });
});
