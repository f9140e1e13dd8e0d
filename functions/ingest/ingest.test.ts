// Ingest over a real database: hosts register and die from their own messages, status reports land on the right
// container (and only there), Neutron statuses follow, and garbage never reaches the database.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { connectionBody, ok, vpnWorld, type VpnWorld } from '../services/site-connections/test-kit';
import { insertHost } from '../services/hosts/test-fixtures';
import { containerEvents, containers, dirtyHosts, hosts, ipsecSiteConnections, vpnServices } from '../db/schema';
import { ManualClock } from '../../shared/clock';
import type { ContainerReport } from '../../shared/protocol/messages';
import { Controller } from '../controller/tick';
import { planContainer } from '../controller/snapshot';
import { DEFAULT_TIMERS } from '../controller/types';
import { IngestBatcher } from './batcher';
import { VANISHED } from './status';

const topic = (h: string, kind: string) => `berth/v1/hosts/${h}/${kind}`;
const presence = (h: string, online: boolean, bootId = 'boot-1') => JSON.stringify({ v: 1, hostId: h, bootId, online, at: 1 });
const heartbeat = (h: string, o: Record<string, unknown> = {}) =>
  JSON.stringify({ v: 1, hostId: h, bootId: 'boot-1', seq: 0, at: 1, observedGeneration: 0, count: 0, quota: -1, load: 5, ...o });
const status = (h: string, containers: Partial<ContainerReport>[]) => JSON.stringify({ v: 1, hostId: h, bootId: 'boot-1', containers });

describe('ingest', () => {
  let t: TestApp;
  let clock: ManualClock;
  let ingest: IngestBatcher;
  const db = () => t.deps.database.db;
  const host = async (id: string) => (await db().select().from(hosts).where(eq(hosts.id, id)))[0];
  const send = async (...msgs: [string, string][]) => {
    for (const [tp, p] of msgs) ingest.offer(tp, p);
    await ingest.flush();
  };

  beforeEach(async () => {
    clock = new ManualClock();
    t = await createTestApp({ clock });
    ingest = new IngestBatcher(t.deps);
  });
  afterEach(() => t.close());

  describe('hosts', () => {
    it('a first heartbeat registers the host, alive, with what it reported; it is marked for a first document', async () => {
      await send([topic('host0', 'heartbeat'), heartbeat('host0', { count: 2, quota: 3, load: 40 })]);
      expect(await host('host0')).toMatchObject({
        id: 'host0', name: 'host0', alive: true, lastSeenAt: clock.now(), lastHeartbeatAt: clock.now(), bootId: 'boot-1',
        reportedCount: 2, reportedQuota: 3, load: 40,
      });
      expect((await db().select().from(dirtyHosts)).map((d) => d.hostId)).toEqual(['host0']);
    });

    it('later heartbeats of many known hosts update each one (one statement), touching no other host', async () => {
      for (const id of ['host0', 'host1', 'host2']) await send([topic(id, 'heartbeat'), heartbeat(id, { count: 0, quota: 5, load: 1 })]);
      clock.advance(500);
      await send([topic('host0', 'heartbeat'), heartbeat('host0', { count: 2, quota: 3, load: 40 })], [topic('host1', 'heartbeat'), heartbeat('host1', { count: 7, quota: -1, load: 90 })]);
      expect(await host('host0')).toMatchObject({ alive: true, lastHeartbeatAt: clock.now(), reportedCount: 2, reportedQuota: 3, load: 40 });
      expect(await host('host1')).toMatchObject({ alive: true, lastHeartbeatAt: clock.now(), reportedCount: 7, reportedQuota: -1, load: 90 });
      expect(await host('host2')).toMatchObject({ lastHeartbeatAt: clock.now() - 500, reportedCount: 0, reportedQuota: 5, load: 1 });
    });

    it('a heartbeat applied by a replica whose clock lags does not move the last sighting back (every replica applies every heartbeat)', async () => {
      await insertHost(db(), 'host0', { alive: true, bootId: 'boot-1', lastSeenAt: clock.now() + 300, lastHeartbeatAt: clock.now() + 300 });
      await send([topic('host0', 'heartbeat'), heartbeat('host0')]);
      expect(await host('host0')).toMatchObject({ alive: true, lastSeenAt: clock.now() + 300, lastHeartbeatAt: clock.now() + 300 });
      clock.advance(500);
      await send([topic('host0', 'heartbeat'), heartbeat('host0')]);
      expect(await host('host0')).toMatchObject({ lastSeenAt: clock.now(), lastHeartbeatAt: clock.now() });
    });

    it('the Last Will marks the host dead at once; a will from an older session changes nothing', async () => {
      await send([topic('host0', 'presence'), presence('host0', true, 'boot-2')]);
      expect((await host('host0')).alive).toBe(true);
      await send([topic('host0', 'presence'), presence('host0', false, 'boot-1')]);
      expect((await host('host0')).alive).toBe(true);
      await send([topic('host0', 'presence'), presence('host0', false, 'boot-2')]);
      expect((await host('host0')).alive).toBe(false);
    });

    it('messages of one batch apply in order: offline then back online is online', async () => {
      await send([topic('host0', 'presence'), presence('host0', true)], [topic('host0', 'presence'), presence('host0', false)], [topic('host0', 'heartbeat'), heartbeat('host0')]);
      expect((await host('host0')).alive).toBe(true);
    });

    it('an offline presence of a host never seen creates nothing (a deleted host stays deleted)', async () => {
      await send([topic('ghost', 'presence'), presence('ghost', false)]);
      expect(await db().select().from(hosts)).toEqual([]);
    });

    it('an observedGeneration ahead of what was published is not adopted (only the fencing mark counts: fence.test.ts)', async () => {
      await insertHost(db(), 'host0', { alive: true, desiredGeneration: 2, bootId: 'boot-1' });
      await send([topic('host0', 'heartbeat'), heartbeat('host0', { observedGeneration: 7 })]);
      expect((await host('host0')).desiredGeneration).toBe(2);
      expect(await db().select().from(dirtyHosts)).toEqual([]);
    });

    it('an agent that restarted (new bootId) gets its document again: the broker may have lost the retained copy', async () => {
      await insertHost(db(), 'host0', { alive: true, desiredGeneration: 2, bootId: 'boot-1' });
      await send([topic('host0', 'heartbeat'), heartbeat('host0')]);
      expect(await db().select().from(dirtyHosts)).toEqual([]);
      await send([topic('host0', 'presence'), presence('host0', true, 'boot-2')]);
      expect((await db().select().from(dirtyHosts)).map((d) => d.hostId)).toEqual(['host0']);
    });
  });

  describe('garbage', () => {
    it.each([
      ['a topic outside the protocol', 'berth/v1/other', heartbeat('host0'), 'bad_topic'],
      ['the desired topic', topic('host0', 'desired'), heartbeat('host0'), 'bad_topic'],
      ['a bad host id in the topic', 'berth/v1/hosts/a b/heartbeat', heartbeat('host0'), 'bad_topic'],
      ['an empty payload', topic('host0', 'heartbeat'), '', 'empty'],
      ['not JSON', topic('host0', 'heartbeat'), '{nope', 'invalid_json'],
      ['not UTF-8', topic('host0', 'heartbeat'), new Uint8Array([0xff, 0xfe, 0x00]), 'invalid_json'],
      ['the wrong shape', topic('host0', 'heartbeat'), JSON.stringify({ v: 1, hostId: 'host0' }), 'invalid_schema'],
      ['another protocol version', topic('host0', 'presence'), JSON.stringify({ v: 2, hostId: 'host0', bootId: 'b', online: true, at: 1 }), 'invalid_schema'],
      ['a status on the heartbeat topic', topic('host0', 'heartbeat'), status('host0', []), 'invalid_schema'],
      ['a host speaking for another', topic('host0', 'heartbeat'), heartbeat('host1'), 'host_mismatch'],
    ] as const)('%s is dropped and counted, and nothing is written', async (_name, tp, payload, reason) => {
      ingest.offer(tp, payload);
      await ingest.flush();
      expect(ingest.stats().dropped[reason]).toBe(1);
      expect(ingest.stats().applied).toBe(0);
      expect(await db().select().from(hosts)).toEqual([]);
    });
  });

  describe('container status', () => {
    let w: VpnWorld;
    let box: typeof containers.$inferSelect;
    let connId: string;
    const report = (o: Partial<ContainerReport> = {}): Partial<ContainerReport> => ({
      id: box.id, placementGeneration: 1, status: 'RUNNING', message: '', namespace: 'vpn-ns', interfaceName: box.interfaceName,
      tunnels: [{ connectionId: connId, state: 'up', ikeState: 'ESTABLISHED', childState: 'INSTALLED' }], ...o,
    });
    const current = async () => (await db().select().from(containers).where(eq(containers.id, box.id)))[0];
    const conn = async () => (await db().select().from(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, connId)))[0];
    const service = async () => (await db().select().from(vpnServices).where(eq(vpnServices.id, w.serviceId)))[0];

    beforeEach(async () => {
      w = await vpnWorld(t);
      await insertHost(db(), 'host0', { alive: true, lastSeenAt: clock.now() });
      await insertHost(db(), 'host1', { alive: true, lastSeenAt: clock.now() });
      connId = (await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token))).id;
      (await new Controller(t.deps, { holder: 'test' }).tick()).applied.filter((a) => a.type === 'place');
      [box] = await db().select().from(containers);
      expect(box.hostId).toBe('host0');
      expect((await service()).status).toBe('PENDING_CREATE');
    });

    it('RUNNING with its tunnel up makes the container UP and the service and connection ACTIVE', async () => {
      await send([topic('host0', 'status'), status('host0', [report({ status: 'STARTING', tunnels: [] })])]);
      expect(await current()).toMatchObject({ status: 'STARTING', schedulerState: 'SCHEDULED', reportedHostId: 'host0' });
      expect((await service()).status).toBe('PENDING_CREATE');
      expect((await conn()).status).toBe('PENDING_CREATE');

      await send([topic('host0', 'status'), status('host0', [report()])]);
      expect(await current()).toMatchObject({ status: 'RUNNING', schedulerState: 'UP', namespace: 'vpn-ns', reportedAt: clock.now() });
      expect(await conn()).toMatchObject({ status: 'ACTIVE', tunnel: { state: 'up', ikeState: 'ESTABLISHED', childState: 'INSTALLED' } });
      expect((await service()).status).toBe('ACTIVE');
    });

    it('a repeated report changes nothing: reportedAt stays when the status began, and the controller keeps a self-fenced container until its rebuild is overdue', async () => {
      const fenced = report({ status: 'STOPPED', message: 'SELF_FENCED: cut off from the broker for 1600 ms', tunnels: [] });
      await send([topic('host0', 'status'), status('host0', [report()])]);
      clock.advance(500);
      await send([topic('host0', 'status'), status('host0', [fenced])]);
      const since = clock.now();
      expect(await current()).toMatchObject({ status: 'STOPPED', reportedAt: since });
      // The host stays alive (heartbeats) and repeats its report; the leader leaves the container where it is.
      const controller = new Controller(t.deps, { holder: 'test' });
      const aliveFor = async (ms: number) => {
        for (let i = 0; i < ms / 500; i++) {
          clock.advance(500);
          for (const h of ['host0', 'host1']) await send([topic(h, 'heartbeat'), heartbeat(h)]);
          await send([topic('host0', 'status'), status('host0', [fenced])]);
          await controller.tick();
        }
      };
      await aliveFor(4000);
      expect(await current()).toMatchObject({ hostId: 'host0', placementGeneration: 1, status: 'STOPPED', reportedAt: since });
      expect(planContainer(await current()).selfFencedAt).toBe(since);
      const events = await db().select().from(containerEvents).where(eq(containerEvents.containerId, box.id));
      expect(events.filter((e) => e.type === 'status').map((e) => e.reason)).toEqual(['RUNNING', 'STOPPED: SELF_FENCED: cut off from the broker for 1600 ms']);
      // Never rebuilt: after the scheduler timeout (counted from the first report) it moves.
      await aliveFor(DEFAULT_TIMERS.schedulerTimeout - 4000);
      expect(await current()).toMatchObject({ hostId: 'host1', placementGeneration: 2 });
    });

    it('a self-fenced container that its agent rebuilds counts from its new status', async () => {
      await send([topic('host0', 'status'), status('host0', [report({ status: 'STOPPED', message: 'SELF_FENCED: cut off', tunnels: [] })])]);
      clock.advance(500);
      await send([topic('host0', 'status'), status('host0', [report()])]);
      expect(await current()).toMatchObject({ status: 'RUNNING', reportedAt: clock.now() });
      expect(planContainer(await current()).selfFencedAt).toBeNull();
    });

    it('a tunnel going down takes only the connection DOWN; a container ERROR takes both to ERROR', async () => {
      await send([topic('host0', 'status'), status('host0', [report()])]);
      await send([topic('host0', 'status'), status('host0', [report({ tunnels: [{ connectionId: connId, state: 'connecting' }] })])]);
      expect((await conn()).status).toBe('DOWN');
      expect((await service()).status).toBe('ACTIVE');
      await send([topic('host0', 'status'), status('host0', [report({ status: 'ERROR', message: 'LIMIT_EXCEEDED: host limit 0' })])]);
      expect(await current()).toMatchObject({ status: 'ERROR', statusMessage: 'LIMIT_EXCEEDED: host limit 0' });
      expect((await conn()).status).toBe('ERROR');
      expect((await service()).status).toBe('ERROR');
    });

    it('ignores a report from a host the container is not on, and one about an older placement', async () => {
      await send([topic('host1', 'status'), status('host1', [report()])]);
      await send([topic('host0', 'status'), status('host0', [report({ placementGeneration: 0 })])]);
      expect(await current()).toMatchObject({ status: null, reportedAt: null });
      expect((await conn()).tunnel).toBeNull();
      expect(ingest.stats().staleReports).toBe(2);
    });

    it('a report cannot set the tunnel of a connection of another router', async () => {
      const other = await vpnWorld(t, { tenantId: 'tenant-b', localCidr: '10.9.0.0/24' });
      const foreign = (await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(other), other.token))).id;
      await send([topic('host0', 'status'), status('host0', [report({ tunnels: [{ connectionId: foreign, state: 'up' }] })])]);
      const [row] = await db().select().from(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, foreign));
      expect(row.tunnel).toBeNull();
    });

    it('a container the host reported and now leaves out of its complete list is STOPPED', async () => {
      await send([topic('host0', 'status'), status('host0', [report()])]);
      await send([topic('host0', 'status'), status('host0', [])]);
      expect(await current()).toMatchObject({ status: 'STOPPED', statusMessage: VANISHED });
      expect((await service()).status).toBe('DOWN');
    });

    it('a list without the container before any report about it leaves it pending (the host has not got it yet)', async () => {
      await send([topic('host0', 'status'), status('host0', [])]);
      expect((await current()).status).toBeNull();
    });
  });
});
