// Every path that changes a host records its event in the same transaction, as an operator reads it from
// GET /v1/events (real libSQL, the real ingest batcher and HTTP routes): the agent's own word that it went offline
// or is back, cordon and uncordon (PATCH and drain), credentials issued and rotated, enrolment, removal — and a
// fleet at rest (heartbeats of live hosts, a PATCH that changes nothing) records none.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../test/helpers/harness';
import { ManualClock } from '../../../shared/clock';
import { IngestBatcher } from '../../ingest/batcher';
import { enrolHost } from './credentials';
import { insertHost } from './test-fixtures';

const topic = (h: string, kind: string) => `berth/v1/hosts/${h}/${kind}`;
const presence = (h: string, online: boolean, bootId: string) => JSON.stringify({ v: 1, hostId: h, bootId, online, at: 1 });
const heartbeat = (h: string, bootId: string) => JSON.stringify({ v: 1, hostId: h, bootId, seq: 0, at: 1, observedGeneration: 0, count: 0, quota: -1, load: 0 });

describe('host events', () => {
  let t: TestApp;
  let ingest: IngestBatcher;
  let seen = 0;
  const send = async (...msgs: [string, string][]) => {
    for (const [tp, p] of msgs) ingest.offer(tp, p);
    await ingest.flush();
  };
  /** The host events recorded since the last call, as [host, type, reason]. */
  const fresh = async () => {
    const { body } = await t.req('GET', `/v1/events?since=${seen}`);
    const events = body.events as { id: number; type: string; hostId?: string; containerId?: string; reason: string }[];
    if (events.length > 0) seen = events[events.length - 1].id;
    for (const e of events) expect(e.containerId).toBeUndefined();
    return events.map((e) => [e.hostId, e.type, e.reason]);
  };

  beforeEach(async () => {
    t = await createTestApp({ clock: new ManualClock() });
    ingest = new IngestBatcher(t.deps);
    seen = 0;
  });
  afterEach(() => t.close());

  it('ingest: registered, dead by its Last Will, back from the same boot or a new one; heartbeats of a live host record nothing', async () => {
    await send([topic('h1', 'heartbeat'), heartbeat('h1', 'b1')]);
    expect(await fresh()).toEqual([['h1', 'host-alive', "registered by its agent's first message (boot b1)"]]);
    await send([topic('h1', 'heartbeat'), heartbeat('h1', 'b1')], [topic('h1', 'presence'), presence('h1', true, 'b1')]);
    expect(await fresh()).toEqual([]);
    await send([topic('h1', 'presence'), presence('h1', false, 'b1')]);
    expect(await fresh()).toEqual([['h1', 'host-dead', 'its agent went offline (Last Will or a clean stop)']]);
    await send([topic('h1', 'presence'), presence('h1', false, 'b1')]); // a will delivered twice: one death
    expect(await fresh()).toEqual([]);
    await send([topic('h1', 'presence'), presence('h1', true, 'b1')]);
    expect(await fresh()).toEqual([['h1', 'host-alive', 'alive again: the same boot b1 (its agent reconnected)']]);
    await send([topic('h1', 'presence'), presence('h1', false, 'b1')], [topic('h1', 'heartbeat'), heartbeat('h1', 'b2')]);
    // One batch: offline then online again nets out (the host never stopped being alive for the control plane).
    expect(await fresh()).toEqual([]);
    await send([topic('h1', 'presence'), presence('h1', false, 'b2')]);
    await send([topic('h1', 'presence'), presence('h1', true, 'b3')]);
    expect(await fresh()).toEqual([
      ['h1', 'host-dead', 'its agent went offline (Last Will or a clean stop)'],
      ['h1', 'host-alive', 'alive again: its agent restarted (boot b3)'],
    ]);
  });

  it('operators: cordon and uncordon (PATCH, drain), credentials issued and rotated, enrolment, removal', async () => {
    await insertHost(t.deps.database.db, 'h2', { alive: true });
    expect((await t.req('PATCH', '/v1/hosts/h2', { containerWeight: 3 })).status).toBe(200);
    expect(await fresh()).toEqual([]); // not a cordon
    await t.req('PATCH', '/v1/hosts/h2', { cordoned: true });
    await t.req('PATCH', '/v1/hosts/h2', { cordoned: true }); // no change, no event
    await t.req('PATCH', '/v1/hosts/h2', { cordoned: false });
    expect(await fresh()).toEqual([
      ['h2', 'host-cordoned', 'cordoned by an operator: no new containers'],
      ['h2', 'host-uncordoned', 'uncordoned by an operator: it takes containers again'],
    ]);
    expect((await t.req('POST', '/v1/hosts/h2/drain', {})).status).toBe(202);
    expect(await fresh()).toEqual([['h2', 'host-cordoned', 'cordoned by a drain: its containers move off']]);

    expect((await t.req('POST', '/v1/hosts/h3/token')).status).toBe(201);
    expect((await t.req('POST', '/v1/hosts/h3/token')).status).toBe(201);
    expect(await fresh()).toEqual([
      ['h3', 'host-token-issued', 'its own secret issued by an operator'],
      ['h3', 'host-token-rotated', 'a new secret issued by an operator: the old one no longer logs in'],
    ]);

    expect(await enrolHost(t.deps.database, 'h4', 'x'.repeat(48), { now: 1, approval: 'manual' })).toBe('enrolled');
    expect(await enrolHost(t.deps.database, 'h4', 'x'.repeat(48), { now: 2, approval: 'manual' })).toBe('same');
    expect(await fresh()).toEqual([['h4', 'host-enrolled', 'enrolled with the fleet token; cordoned until an operator uncordons it (manual approval)']]);

    expect((await t.req('DELETE', '/v1/hosts/h2')).status).toBe(409); // alive: refused, and no event
    expect((await t.req('DELETE', '/v1/hosts/h3')).status).toBe(204);
    expect(await fresh()).toEqual([['h3', 'host-removed', 'deleted by an operator; its credential is revoked']]);
  });
});
