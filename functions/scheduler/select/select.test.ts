// Selection plugins: weighted is proportional and replayable from its seed; least counts, then weighs, then ids.
import { describe, expect, it } from 'vitest';
import { host } from '../test-fixtures';
import { least } from './least';
import { hashSeed, seededRandom } from './prng';
import { weighted } from './weighted';

describe('seeded PRNG', () => {
  it('draws the same numbers from the same key and different ones from another', () => {
    const a = seededRandom('k1'), b = seededRandom('k1'), c = seededRandom('k2');
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect([c(), c(), c()]).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
    expect(hashSeed('a')).not.toBe(hashSeed('b'));
  });
});

describe('weighted', () => {
  it('picks hosts in proportion to their weight', () => {
    const hosts = [host('a', { containerWeight: 1 }), host('b', { containerWeight: 3 })];
    const n = 4000;
    let b = 0;
    for (let i = 0; i < n; i++) if (weighted.select(hosts, seededRandom(`s${i}`)).id === 'b') b++;
    expect(b / n).toBeGreaterThan(0.72);
    expect(b / n).toBeLessThan(0.78);
  });

  it('the same seed gives the same choice', () => {
    const hosts = ['a', 'b', 'c', 'd'].map((id, i) => host(id, { containerWeight: i + 1 }));
    const picks = (seed: string) => Array.from({ length: 50 }, (_, i) => weighted.select(hosts, seededRandom(`${seed}${i}`)).id);
    expect(picks('x')).toEqual(picks('x'));
    expect(picks('x')).not.toEqual(picks('y'));
  });

  it('a single candidate is always chosen', () => {
    expect(weighted.select([host('only', { containerWeight: 7 })], () => 0.999999).id).toBe('only');
  });
});

describe('least', () => {
  it.each([
    ['the lowest count wins', [host('a', { containerCount: 3 }), host('b', { containerCount: 1 }), host('c', { containerCount: 2 })], 'b'],
    ['ties go to the higher weight', [host('a', { containerCount: 1 }), host('b', { containerCount: 1, containerWeight: 4 })], 'b'],
    ['then to the smaller id', [host('b'), host('a'), host('c')], 'a'],
    ['count beats weight', [host('a', { containerCount: 2, containerWeight: 9 }), host('b', { containerCount: 1 })], 'b'],
  ] as const)('%s', (_why, hosts, want) => {
    expect(least.select(hosts, () => 0).id).toBe(want);
  });
});
