// Status reports in order, over a real database: a report delivered late (a frozen replica, a retried HTTP
// delivery) cannot undo a newer one of the same boot, a previous boot's cannot undo the current boot's, and an
// agent that does not number its reports is applied as before. What a user sees is checked: the container's
// status and the Neutron statuses of its VPN service and site connection.
import fc from 'fast-check';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { connectionBody, ok, vpnWorld, type VpnWorld } from '../services/site-connections/test-kit';
import { insertHost } from '../services/hosts/test-fixtures';
import { containers, hosts, ipsecSiteConnections, vpnServices } from '../db/schema';
import { ManualClock } from '../../shared/clock';
import { CONTAINER_STATUSES, type ContainerReport, type ContainerStatus } from '../../shared/protocol/messages';
import { Controller } from '../controller/tick';
import { createMetrics } from '../node/metrics';
import { applyAgentBatch, IngestBatcher } from './batcher';
import { classify, type AgentMessage } from './classify';
import { judgeStatus, type StatusMark } from './status-order';

const statusTopic = 'berth/v1/hosts/host0/status';
const presenceTopic = 'berth/v1/hosts/host0/presence';
const presence = (bootId: string) => JSON.stringify({ v: 1, hostId: 'host0', bootId, online: true, at: 1 });

describe('status reports in order (real libSQL)', () => {
  let t: TestApp;
  let w: VpnWorld;
  let boxId: string;
  let connId: string;
  const db = () => t.deps.database.db;
  const report = (status: ContainerStatus): ContainerReport => ({
    id: boxId, placementGeneration: 1, status, message: '', namespace: 'vpn-ns', interfaceName: null,
    tunnels: [{ connectionId: connId, state: status === 'RUNNING' ? 'up' : 'connecting' }],
  });
  const status = (s: ContainerStatus, o: { bootId?: string; seq?: number } = {}) =>
    JSON.stringify({ v: 1, hostId: 'host0', bootId: o.bootId ?? 'boot-1', ...(o.seq === undefined ? {} : { seq: o.seq }), containers: [report(s)] });
  /** What the tenant and the operator read: the container's status, the connection's and the service's. */
  const seen = async () => ({
    container: (await db().select().from(containers).where(eq(containers.id, boxId)))[0].status,
    connection: (await db().select().from(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, connId)))[0].status,
    service: (await db().select().from(vpnServices).where(eq(vpnServices.id, w.serviceId)))[0].status,
  });
  const RUNNING = { container: 'RUNNING', connection: 'ACTIVE', service: 'ACTIVE' };
  const replica = () => new IngestBatcher(t.deps, { maxDelayMs: 60_000 });
  const send = async (ingest: IngestBatcher, ...msgs: [string, string][]) => {
    for (const [tp, p] of msgs) ingest.offer(tp, p);
    await ingest.flush();
  };

  beforeEach(async () => {
    t = await createTestApp({ clock: new ManualClock() });
    w = await vpnWorld(t);
    await insertHost(db(), 'host0', { alive: true, lastSeenAt: t.deps.clock.now(), bootId: 'boot-1' });
    connId = (await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token))).id;
    await new Controller(t.deps, { holder: 'test' }).tick();
    [{ id: boxId }] = await db().select().from(containers);
  });
  afterEach(() => t.close());

  it('a report a frozen replica applies after a newer one changes nothing: the container stays RUNNING, its VPN ACTIVE', async () => {
    const [frozen, live] = [replica(), replica()];
    frozen.offer(statusTopic, status('STARTING', { seq: 1 })); // taken in, then the replica stops (SIGSTOP, GC, slow DB)
    await send(live, [statusTopic, status('RUNNING', { seq: 2 })]);
    expect(await seen()).toEqual(RUNNING);
    await frozen.flush(); // thawed
    expect(await seen()).toEqual(RUNNING);
    expect(frozen.stats()).toMatchObject({ applied: 0, statusOutOfOrder: 1, statusOtherBoot: 0 });
    const text = await createMetrics({ database: t.deps.database, ingestStats: () => frozen.stats() })();
    expect(text).toMatch(/berth_ingest_messages_total\{outcome="status_out_of_order"\} 1/);
    // The same report delivered again (QoS 1 redelivery) is not newer either.
    await send(live, [statusTopic, status('RUNNING', { seq: 2 })]);
    expect(live.stats()).toMatchObject({ applied: 1, statusOutOfOrder: 1 });
    // The next report of the boot applies.
    await send(live, [statusTopic, status('ERROR', { seq: 3 })]);
    expect(await seen()).toEqual({ container: 'ERROR', connection: 'ERROR', service: 'ERROR' });
  });

  it('the HTTP ingest (a Worker): a delivery retried after a newer one changes nothing', async () => {
    const asPosted = (payload: string): AgentMessage[] => {
      const c = classify(statusTopic, payload);
      if (!c.ok) throw new Error(c.reason);
      return [c.msg];
    };
    // As POST /v1/agent-events applies a request (functions/ingest/http.ts): one batch, one transaction.
    await applyAgentBatch(t.deps, asPosted(status('RUNNING', { seq: 8 })));
    const late = await applyAgentBatch(t.deps, asPosted(status('STARTING', { seq: 7 })));
    expect(late.statusDropped).toEqual({ out_of_order: 1, other_boot: 0 });
    expect(await seen()).toEqual(RUNNING);
  });

  it('within one batch the highest seq wins, whatever the arrival order', async () => {
    const ingest = replica();
    await send(ingest, [statusTopic, status('RUNNING', { seq: 5 })], [statusTopic, status('STARTING', { seq: 4 })]);
    expect(await seen()).toEqual(RUNNING);
    expect(ingest.stats()).toMatchObject({ applied: 1, statusOutOfOrder: 1 });
  });

  it('a late report of the previous boot does not override the current boot; the new boot starts its own count', async () => {
    const ingest = replica();
    await send(ingest, [statusTopic, status('RUNNING', { seq: 40 })]);
    // The agent restarts: its new boot says hello and counts from 0.
    await send(ingest, [presenceTopic, presence('boot-2')], [statusTopic, status('STARTING', { bootId: 'boot-2', seq: 0 })]);
    expect((await seen()).container).toBe('STARTING');
    await send(ingest, [statusTopic, status('RUNNING', { bootId: 'boot-2', seq: 1 })]);
    // boot-1's report, above anything boot-2 sent, arrives late: the host's current boot is boot-2.
    await send(ingest, [statusTopic, status('STOPPED', { bootId: 'boot-1', seq: 41 })]);
    expect(await seen()).toEqual(RUNNING);
    expect(ingest.stats()).toMatchObject({ statusOtherBoot: 1, statusOutOfOrder: 0 });
    const [row] = await db().select().from(hosts).where(eq(hosts.id, 'host0'));
    expect(row).toMatchObject({ bootId: 'boot-2', statusBootId: 'boot-2', statusSeq: 1 });
  });

  it('a report without seq (an older agent) applies as it arrives, whatever came before', async () => {
    const ingest = replica();
    await send(ingest, [statusTopic, status('RUNNING', { seq: 9 })]);
    await send(ingest, [statusTopic, status('STARTING')]);
    expect((await seen()).container).toBe('STARTING');
    await send(ingest, [statusTopic, status('RUNNING', { bootId: 'another-boot' })]);
    expect(await seen()).toEqual(RUNNING);
    expect(ingest.stats()).toMatchObject({ applied: 3, statusOutOfOrder: 0, statusOtherBoot: 0 });
  });

  it('any delivery order of a boot\'s reports, in any batches, across two replicas, ends in the state of the highest seq', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(fc.constantFrom(...CONTAINER_STATUSES), { minLength: 1, maxLength: 6 }).chain((statuses) => fc.tuple(
        fc.constant(statuses),
        fc.shuffledSubarray(statuses.map((_, seq) => seq), { minLength: statuses.length }),
        fc.array(fc.boolean(), { minLength: statuses.length, maxLength: statuses.length }),
      )),
      async ([statuses, order, flushAfter]) => {
        const bootId = `boot-run-${++run}`; // each run is a new boot of the host
        await send(replica(), [presenceTopic, presence(bootId)]);
        const [a, b] = [replica(), replica()];
        for (const [i, seq] of order.entries()) {
          const r = seq % 2 === 0 ? a : b;
          r.offer(statusTopic, status(statuses[seq], { bootId, seq }));
          if (flushAfter[i]) await r.flush();
        }
        await a.flush();
        await b.flush();
        expect((await seen()).container).toBe(statuses[statuses.length - 1]);
      },
    ), { numRuns: 25 });
  });
});

describe('judgeStatus (pure)', () => {
  const mark = (o: Partial<StatusMark> = {}): StatusMark => ({ bootId: 'b1', statusBootId: 'b1', statusSeq: 5, ...o });
  it.each([
    ['a newer report of the current boot', mark(), { bootId: 'b1', seq: 6 }, 'apply'],
    ['the same seq again', mark(), { bootId: 'b1', seq: 5 }, 'out_of_order'],
    ['an older seq', mark(), { bootId: 'b1', seq: 0 }, 'out_of_order'],
    ['the first report of a new current boot', mark({ bootId: 'b2' }), { bootId: 'b2', seq: 0 }, 'apply'],
    ['a previous boot\'s report', mark({ bootId: 'b2' }), { bootId: 'b1', seq: 99 }, 'other_boot'],
    ['a host never heard (no boot yet)', mark({ bootId: null, statusBootId: null, statusSeq: null }), { bootId: 'b1', seq: 0 }, 'apply'],
    ['an unknown host', undefined, { bootId: 'b1', seq: 0 }, 'apply'],
    ['an unnumbered report of another boot', mark({ bootId: 'b2' }), { bootId: 'b1' }, 'apply'],
  ] as const)('%s: %s', (_name, m, msg, want) => {
    expect(judgeStatus(m, msg)).toBe(want);
  });

  it('folding any permutation of a boot\'s reports leaves the highest seq applied last', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }).chain((n) => fc.shuffledSubarray([...Array(n).keys()], { minLength: n })), (order) => {
      let m: StatusMark = { bootId: 'b', statusBootId: null, statusSeq: null };
      let last = -1;
      for (const seq of order) {
        if (judgeStatus(m, { bootId: 'b', seq }) !== 'apply') continue;
        m = { ...m, statusBootId: 'b', statusSeq: seq };
        last = seq;
      }
      expect(last).toBe(order.length - 1);
    }));
  });
});
