// Renderers: tables line up and show '-' for nothing; show/field output; results and explain of loosely known shapes.
import { describe, expect, it } from 'vitest';
import { bare, explainText, keyValues, listTable, result } from './render';

const host = (id: string, o: Record<string, unknown> = {}) => ({
  id, name: id, alive: true, containerWeight: 1, containerLimit: -1, enforceContainerLimit: false, cordoned: false,
  containerCount: 0, lastHeartbeatAt: null, bootId: null, reportedCount: null, reportedQuota: null, ...o,
});

describe('render', () => {
  it('host list: aligned columns, no limit shown as none, null as -', () => {
    expect(listTable('host', [host('host0', { containerLimit: 3, containerCount: 2 }), host('host-long-name')]).split('\n')).toEqual([
      'ID              ALIVE  WEIGHT  LIMIT  ENFORCED  CORDONED  CONTAINERS  LAST-HEARTBEAT',
      'host0           true   1       3      false     false     2           -',
      'host-long-name  true   1       none   false     false     0           -',
    ]);
  });

  it('an empty list is just the header', () => {
    expect(listTable('container', [])).toBe('ID  HOST  STATUS  SCHEDULER  GROUP  CONFIGURATION  MESSAGE');
  });

  it('show: key/value lines named as `show <field>` takes them; unknown keys in kebab-case', () => {
    expect(keyValues('container', { id: 'c1', hostId: null, statusMessage: 'up', newThing: 7 })).toBe(
      'id              c1\nhost            -\nstatus-message  up\nnew-thing       7',
    );
  });

  it.each<[unknown, string]>([[null, ''], [undefined, ''], [5, '5'], [false, 'false'], [['h0', 'h1'], 'h0\nh1'], ['a b', 'a b']])(
    'a single field prints bare: %j', (v, out) => { expect(bare(v)).toBe(out); },
  );

  it('result: scalars as key/values, arrays of objects as titled tables, one-key envelopes unwrapped', () => {
    const body = { rebalance: { dryRun: true, moves: [{ containerId: 'c1', from: 'h0', to: 'h1' }] } };
    expect(result(body)).toBe('dry-run  true\n\nmoves:\nCONTAINER-ID  FROM  TO\nc1            h0    h1');
  });

  it('explain: per-host list or reason map, eligible or the reason', () => {
    const list = { hosts: [{ hostId: 'h0', eligible: true }, { hostId: 'h1', eligible: false, reason: 'host is cordoned' }] };
    const map = { reasons: { h0: 'eligible', h1: 'host is cordoned' } };
    const want = 'HOST  VERDICT\nh0    eligible\nh1    host is cordoned';
    expect(explainText(list)).toBe(want);
    expect(explainText({ explain: map })).toBe(want);
    expect(explainText({ containerId: 'c1', ...map })).toBe(`container-id  c1\n\n${want}`);
  });
});
