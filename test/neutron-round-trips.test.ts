// Every Neutron write over libSQL's HTTP protocol (the Worker's path) stays within issue 8's budget of 4 database
// round trips: a read sent on its own again, or a write that no longer rides with the translation, shows here.
// The counts are BENCHMARKS.md's "Round trips of every Neutron write (Worker path)".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { neutronWriteRoundTrips } from '../bench/worker-round-trips';

const dir = mkdtempSync(join(tmpdir(), 'berth-round-trips-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('every Neutron write verb costs at most 4 round trips over HTTP', async () => {
  const counts = await neutronWriteRoundTrips(join(dir, 'berth.db'));
  expect(Object.keys(counts)).toHaveLength(26); // create/update/delete of 8 resources, add/remove_router_interface
  for (const n of Object.values(counts)) expect(n).toBeGreaterThan(0);
  expect(Object.entries(counts).filter(([, n]) => n > 4)).toEqual([]);
  // The verbs reworked past the budget's edge: their reads in one trip, their writes riding with the translation.
  expect(counts).toMatchObject({ add_router_interface: 3, remove_router_interface: 3, 'delete subnet': 3, 'update site connection': 4 });
}, 30_000);
