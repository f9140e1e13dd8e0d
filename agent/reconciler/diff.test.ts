// diff(): desired vs observed → actions, table-driven.
import { describe, expect, it } from 'vitest';
import { exampleConnection, exampleContainer } from '../../shared/protocol/examples';
import type { ContainerStatus, DesiredContainer } from '../../shared/protocol/messages';
import { canonicalJson, diff, type ObservedLike } from './diff';

const c1 = exampleContainer(1);
const c2 = exampleContainer(2);
const c3 = exampleContainer(3);
const obs = (spec: DesiredContainer, status: ContainerStatus = 'RUNNING'): ObservedLike => ({ id: spec.id, spec, status });
const withConn = (s: DesiredContainer): DesiredContainer => ({
  ...s,
  config: { ...s.config, connections: [...s.config.connections, exampleConnection({ id: 'k2', name: 'to-mars' })] },
});

/** Short form of a plan for the table: "kind:id(reason)". */
const summary = (p: ReturnType<typeof diff>) => ({
  actions: p.actions.map((a) => `${a.kind}:${a.kind === 'delete' ? a.id : a.spec.id}${'reason' in a ? `(${a.reason})` : ''}`),
  refused: p.refused.map((r) => r.spec.id),
});
const id = (s: DesiredContainer) => s.id;

describe('diff', () => {
  const cases: Array<[string, DesiredContainer[] | null, ObservedLike[], number | null, string[], string[]]> = [
    ['nothing desired, nothing there', [], [], null, [], []],
    ['desired unknown: never touches what exists', null, [obs(c1)], null, [], []],
    ['new container is created', [c1], [], null, [`create:${id(c1)}`], []],
    ['converged container is left alone', [c1], [obs(c1)], null, [], []],
    ['converged but starting: left alone', [c1], [obs(c1, 'STARTING')], null, [], []],
    ['crashed with the same spec: left alone (control plane decides)', [c1], [obs(c1, 'ERROR')], null, [], []],
    ['crashed and the spec changed: recreated', [{ ...c1, placementGeneration: 2 }], [obs(c1, 'ERROR')], null, [`recreate:${id(c1)}(failed)`], []],
    ['connection added: updated in place', [withConn(c1)], [obs(c1)], null, [`update:${id(c1)}`], []],
    ['placement generation only: updated in place', [{ ...c1, placementGeneration: 7 }], [obs(c1)], null, [`update:${id(c1)}`], []],
    ['interface renamed: recreated', [{ ...c1, interfaceName: 'vpn-other' }], [obs(c1)], null, [`recreate:${id(c1)}(identity)`], []],
    ['port changed: recreated', [{ ...c1, portId: 'p-other' }], [obs(c1)], null, [`recreate:${id(c1)}(identity)`], []],
    ['removed from desired: deleted', [], [obs(c1)], null, [`delete:${id(c1)}(undesired)`], []],
    ['mixed: deletes first, then updates, then creates', [withConn(c1), c3], [obs(c1), obs(c2)], null,
      [`delete:${id(c2)}(undesired)`, `update:${id(c1)}`, `create:${id(c3)}`], []],
    ['hard limit: the ones beyond it are refused', [c1, c2, c3], [], 2, [`create:${id(c1)}`, `create:${id(c2)}`], [id(c3)]],
    ['hard limit: existing containers keep their slots', [c3, c1], [obs(c1)], 1, [], [id(c3)]],
    ['hard limit below what exists (restart with a lower limit): extra ones deleted', [c1, c2], [obs(c1), obs(c2)], 1,
      [`delete:${id(c2)}(limit)`], [id(c2)]],
    ['hard limit 0 refuses everything', [c1], [], 0, [], [id(c1)]],
  ];
  it.each(cases)('%s', (_name, desired, observed, hardLimit, actions, refused) => {
    expect(summary(diff({ desired, observed, hardLimit }))).toEqual({ actions, refused });
  });

  it('says LIMIT_EXCEEDED with the limit in the refusal message', () => {
    const p = diff({ desired: [c1, c2], observed: [], hardLimit: 1 });
    expect(p.refused[0].message).toMatch(/^LIMIT_EXCEEDED: .*limit of 1 container\b/);
  });

  it('compares specs by value, whatever the key order', () => {
    const reordered = JSON.parse(canonicalJson(c1)) as DesiredContainer; // keys sorted, unlike the original
    expect(Object.keys(reordered)).not.toEqual(Object.keys(c1));
    expect(diff({ desired: [c1], observed: [obs(reordered)], hardLimit: null }).actions).toEqual([]);
  });
});
