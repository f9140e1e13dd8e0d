// Interim placement over a real database: a new VPN container lands on a live host; a dead host's container moves.
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { connectionBody, ok, vpnWorld, type VpnWorld } from '../services/site-connections/test-kit';
import { insertHost } from '../services/hosts/test-fixtures';
import { containerEvents, containers, dirtyHosts, hosts, ipsecSiteConnections, ports, vpnServices } from '../db/schema';
import { placeContainers } from './apply';

describe('placeContainers', () => {
  let t: TestApp;
  let w: VpnWorld;
  const db = () => t.deps.database.db;
  const box = async () => (await db().select().from(containers))[0];
  const dirty = async () => (await db().select().from(dirtyHosts)).map((d) => d.hostId).sort();
  const clearDirty = () => db().delete(dirtyHosts);

  beforeEach(async () => {
    t = await createTestApp();
    w = await vpnWorld(t);
  });
  afterEach(() => t.close());

  it('leaves a container unplaced while no host is live, then places it on the live host with the fewest containers', async () => {
    await insertHost(db(), 'host0', { alive: false });
    await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token));
    expect(await placeContainers(t.deps)).toEqual([]);
    expect((await box()).hostId).toBeNull();

    await insertHost(db(), 'host1', { alive: true });
    await insertHost(db(), 'host2', { alive: true, cordoned: true });
    const placed = await placeContainers(t.deps);
    const c = await box();
    expect(placed).toEqual([{ containerId: c.id, from: null, to: 'host1' }]);
    expect(c).toMatchObject({ hostId: 'host1', placementGeneration: 1, schedulerState: 'SCHEDULED' });
    const [port] = await db().select().from(ports).where(eq(ports.id, c.portId));
    expect(port.hostId).toBe('host1');
    expect(await dirty()).toEqual(['host1']);
    const events = await db().select().from(containerEvents).where(eq(containerEvents.containerId, c.id));
    expect(events.map((e) => [e.type, e.hostId])).toEqual([['scheduled', 'host1']]);
    // Placed: the next pass has nothing to do.
    expect(await placeContainers(t.deps)).toEqual([]);
  });

  it('moves the container of a dead host, forgets the old reports, and marks both hosts dirty', async () => {
    await insertHost(db(), 'host0', { alive: true });
    await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token));
    await placeContainers(t.deps);
    const before = await box();
    // As if host0's agent had reported everything up.
    await db().update(containers).set({ status: 'RUNNING', schedulerState: 'UP', namespace: 'vpn-x' });
    await db().update(ipsecSiteConnections).set({ tunnel: { state: 'up' }, status: 'ACTIVE' });
    await db().update(vpnServices).set({ status: 'ACTIVE' });
    await insertHost(db(), 'host1', { alive: true });
    await clearDirty();

    await db().update(hosts).set({ alive: false }).where(eq(hosts.id, 'host0'));
    expect(await placeContainers(t.deps)).toEqual([{ containerId: before.id, from: 'host0', to: 'host1' }]);
    const after = await box();
    expect(after).toMatchObject({ hostId: 'host1', placementGeneration: 2, schedulerState: 'RESCHEDULED', status: null, namespace: null });
    expect(await dirty()).toEqual(['host0', 'host1']);
    const [conn] = await db().select().from(ipsecSiteConnections);
    expect(conn).toMatchObject({ tunnel: null, status: 'DOWN' });
    // Both of the router's services (the world has two) were ACTIVE: with no report from host1 yet, DOWN.
    expect((await db().select().from(vpnServices)).map((s) => s.status)).toEqual(['DOWN', 'DOWN']);
  });

  it('keeps a container on its dead host when no other host can take it', async () => {
    await insertHost(db(), 'host0', { alive: true });
    await ok(t.req('POST', '/v2.0/vpn/ipsec-site-connections', connectionBody(w), w.token));
    await placeContainers(t.deps);
    await db().update(hosts).set({ alive: false });
    expect(await placeContainers(t.deps)).toEqual([]);
    expect(await box()).toMatchObject({ hostId: 'host0', placementGeneration: 1 });
  });
});
