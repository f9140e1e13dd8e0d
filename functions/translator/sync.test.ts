import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { ManualClock } from '../../shared/clock';
import { createTestApp, type TestApp } from '../../test/helpers/harness';
import { attachInterface, insertNetwork, insertSubnet, seedTopology, type SeedTopology } from '../../test/helpers/fixtures';
import {
  chains, containerEvents, containerGroups, containers, dirtyHosts, hostGroups, ipsecSiteConnections, ports, routers, routes, rules, vpnServices,
} from '../db/schema';
import { syncRouter } from './sync';
import { insertConnection, insertEndpointGroup, insertVpnService } from './testing';

describe('syncRouter', () => {
  let t: TestApp;
  let clock: ManualClock;
  let seed: SeedTopology;
  const db = () => t.deps.database.db;
  const sync = (routerId = seed.routerId) => t.deps.database.write((tx) => syncRouter(tx, t.deps, routerId));
  const southbound = async (routerId = seed.routerId) => (await t.req('GET', `/v1/routers/${routerId}/southbound`)).body;
  const servicePort = async () => (await southbound()).ports.find((p: { kind: string }) => p.kind === 'service');
  /** A mercury VPN service on the seed router with one to-venus connection (legacy mode). */
  async function mercury(peerCidrs = ['192.168.2.0/24']) {
    const vpnServiceId = await insertVpnService(db(), { tenantId: seed.tenantId, routerId: seed.routerId, subnetId: seed.localSubnetId });
    const connectionId = await insertConnection(db(), { tenantId: seed.tenantId, vpnServiceId, peerCidrs });
    await sync();
    return { vpnServiceId, connectionId };
  }
  async function dump() {
    const d = db();
    return {
      ports: await d.select().from(ports), routes: await d.select().from(routes), chains: await d.select().from(chains),
      rules: await d.select().from(rules), groups: await d.select().from(containerGroups), containers: await d.select().from(containers),
      services: await d.select().from(vpnServices), dirty: await d.select().from(dirtyHosts),
    };
  }

  beforeEach(async () => {
    clock = new ManualClock();
    t = await createTestApp({ clock });
    seed = await seedTopology(t.deps.database.db);
  });
  afterEach(() => t.close());

  it('translates the seed example', async () => {
    const { connectionId, vpnServiceId } = await mercury();
    const sb = await southbound();
    const port = sb.ports.find((p: { kind: string }) => p.kind === 'service');
    const [container] = await db().select().from(containers);
    expect(port).toEqual({
      id: port.id, routerId: seed.routerId, kind: 'service', subnetId: null, address: '169.254.0.1', prefixLen: 30,
      mac: expect.stringMatching(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/), interfaceName: `vpn-${port.id.slice(0, 8)}`, hostId: null,
      serviceContainerId: container.id,
    });
    expect(sb.routes.map((r: Record<string, unknown>) => { const { id, ...rest } = r; return rest; })).toEqual([
      { srcCidr: '192.168.1.0/24', dstCidr: '192.168.2.0/24', nextHopPortId: port.id, nextHopGateway: '169.254.0.2', origin: 'ipsec', ipsecSiteConnectionId: connectionId },
      { srcCidr: '0.0.0.0/0', dstCidr: '169.254.0.1/32', nextHopPortId: port.id, nextHopGateway: null, origin: 'local', ipsecSiteConnectionId: null },
      { srcCidr: '0.0.0.0/0', dstCidr: '169.254.0.0/30', nextHopPortId: port.id, nextHopGateway: null, origin: 'vpn-link', ipsecSiteConnectionId: null },
    ]);
    expect(sb.chains).toEqual([{ id: sb.chains[0].id, routerId: seed.routerId, name: 'local-redirect' }]);
    expect(sb.rules.map((r: Record<string, unknown>) => { const { id, ...rest } = r; return rest; })).toEqual([
      { chainId: sb.chains[0].id, action: 'REDIRECT', nwDstIp: '1.0.0.2', nwProto: 50, tpDst: null, targetPortId: port.id },
      { chainId: sb.chains[0].id, action: 'REDIRECT', nwDstIp: '1.0.0.2', nwProto: 17, tpDst: 500, targetPortId: port.id },
      { chainId: sb.chains[0].id, action: 'REDIRECT', nwDstIp: '1.0.0.2', nwProto: 17, tpDst: 4500, targetPortId: port.id },
    ]);
    const [group] = await db().select().from(containerGroups);
    expect(group).toMatchObject({ policy: 'least', routerId: seed.routerId, hostGroupId: null });
    expect(container).toMatchObject({
      groupId: group.id, portId: port.id, serviceType: 'IPSEC', configurationId: seed.routerId, interfaceName: port.interfaceName,
      schedulerState: 'DOWN', status: null, hostId: null,
    });
    const [svc] = await db().select().from(vpnServices).where(eq(vpnServices.id, vpnServiceId));
    expect([svc.externalV4Ip, svc.externalV6Ip]).toEqual(['1.0.0.2', null]);
    expect(await db().select().from(dirtyHosts)).toEqual([]);
  });

  it('skips link-local ranges the router already uses', async () => {
    const net = await insertNetwork(db(), { tenantId: seed.tenantId });
    const sub = await insertSubnet(db(), { tenantId: seed.tenantId, networkId: net, cidr: '169.254.0.0/30' });
    await attachInterface(db(), { tenantId: seed.tenantId, routerId: seed.routerId, subnetId: sub, address: '169.254.0.1', prefixLen: 30 });
    await mercury();
    expect(await servicePort()).toMatchObject({ address: '169.254.0.5', prefixLen: 30 });
    expect((await southbound()).routes.find((r: { origin: string }) => r.origin === 'ipsec').nextHopGateway).toBe('169.254.0.6');
  });

  it('refuses with a clear 409-class error when 169.254.0.0/16 is exhausted, writing nothing', async () => {
    const net = await insertNetwork(db(), { tenantId: seed.tenantId });
    const sub = await insertSubnet(db(), { tenantId: seed.tenantId, networkId: net, cidr: '169.254.0.0/16' });
    await attachInterface(db(), { tenantId: seed.tenantId, routerId: seed.routerId, subnetId: sub, address: '169.254.0.1', prefixLen: 16 });
    const vpnServiceId = await insertVpnService(db(), { tenantId: seed.tenantId, routerId: seed.routerId, subnetId: seed.localSubnetId });
    await insertConnection(db(), { tenantId: seed.tenantId, vpnServiceId, peerCidrs: ['192.168.2.0/24'] });
    await expect(sync()).rejects.toMatchObject({ code: 'CONFLICT', message: expect.stringMatching(/No free link-local \/30 in 169\.254\.0\.0\/16/) });
    const d = await dump();
    expect([d.routes, d.chains, d.rules, d.groups, d.containers, d.ports.filter((p) => p.kind === 'service')]).toEqual([[], [], [], [], [], []]);
  });

  it('a second connection (another VPN service too) reuses the container and port, adding only its routes', async () => {
    await mercury();
    const before = await dump();
    const svc2 = await insertVpnService(db(), { tenantId: seed.tenantId, routerId: seed.routerId, subnetId: seed.localSubnetId });
    const conn2 = await insertConnection(db(), { tenantId: seed.tenantId, vpnServiceId: svc2, peerAddress: '1.0.0.4', peerCidrs: ['192.168.3.0/24', '192.168.4.0/24'] });
    await sync();
    const after = await dump();
    expect(after.containers.map((c) => c.id)).toEqual(before.containers.map((c) => c.id));
    expect(after.ports).toEqual(before.ports);
    expect(after.rules).toEqual(before.rules);
    expect(after.routes.filter((r) => before.routes.some((b) => b.id === r.id))).toEqual(before.routes);
    expect(after.routes.filter((r) => r.ipsecSiteConnectionId === conn2).map((r) => r.dstCidr).sort()).toEqual(['192.168.3.0/24', '192.168.4.0/24']);
    expect(after.services.find((s) => s.id === svc2)?.externalV4Ip).toBe('1.0.0.2');
  });

  it('route diffs keep the ids of unchanged routes', async () => {
    const { connectionId } = await mercury(['192.168.2.0/24', '192.168.3.0/24']);
    const before = await db().select().from(routes);
    const kept = before.find((r) => r.dstCidr === '192.168.2.0/24')!;
    await db().update(ipsecSiteConnections).set({ peerCidrs: ['192.168.2.0/24', '192.168.5.0/24'] }).where(eq(ipsecSiteConnections.id, connectionId));
    await sync();
    const after = await db().select().from(routes);
    expect(after.find((r) => r.dstCidr === '192.168.2.0/24')).toEqual(kept);
    expect(after.some((r) => r.dstCidr === '192.168.3.0/24')).toBe(false);
    expect(after.filter((r) => r.origin === 'ipsec').map((r) => r.dstCidr).sort()).toEqual(['192.168.2.0/24', '192.168.5.0/24']);
    expect(after.filter((r) => r.origin !== 'ipsec')).toEqual(before.filter((r) => r.origin !== 'ipsec'));
  });

  it('resolves endpoint-group mode: local subnets × peer CIDRs', async () => {
    const net = await insertNetwork(db(), { tenantId: seed.tenantId });
    const sub2 = await insertSubnet(db(), { tenantId: seed.tenantId, networkId: net, cidr: '10.1.0.0/16' });
    const local = await insertEndpointGroup(db(), { tenantId: seed.tenantId, type: 'subnet', endpoints: [seed.localSubnetId, sub2] });
    const peer = await insertEndpointGroup(db(), { tenantId: seed.tenantId, type: 'cidr', endpoints: ['192.168.2.0/24'] });
    const svc = await insertVpnService(db(), { tenantId: seed.tenantId, routerId: seed.routerId });
    await insertConnection(db(), { tenantId: seed.tenantId, vpnServiceId: svc, localEpGroupId: local, peerEpGroupId: peer });
    await sync();
    const ipsec = (await db().select().from(routes)).filter((r) => r.origin === 'ipsec');
    expect(ipsec.map((r) => `${r.srcCidr}>${r.dstCidr}`).sort()).toEqual(['10.1.0.0/16>192.168.2.0/24', '192.168.1.0/24>192.168.2.0/24']);
  });

  it('deleting the last connection removes everything of the VPN, keeping container events', async () => {
    const { connectionId } = await mercury();
    const [container] = await db().select().from(containers);
    await db().insert(containerEvents).values({ containerId: container.id, at: clock.now(), type: 'SCHEDULED', reason: 'test' });
    await db().delete(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, connectionId));
    await sync();
    const d = await dump();
    expect([d.routes, d.chains, d.rules, d.groups, d.containers, d.ports.filter((p) => p.kind === 'service')]).toEqual([[], [], [], [], [], []]);
    expect(d.ports).toHaveLength(1); // the router interface stays
    expect(await db().select().from(containerEvents)).toHaveLength(1);
    expect(d.services[0].externalV4Ip).toBe('1.0.0.2');
  });

  it('a pre-existing chain with another owner\'s rule is reused and survives the clean-up', async () => {
    const now = clock.now();
    await db().insert(chains).values({ id: 'chain-fw', routerId: seed.routerId, name: 'local-redirect', createdAt: now });
    await db().insert(rules).values({ id: 'rule-fw', chainId: 'chain-fw', position: 0, nwDstIp: '1.0.0.2', nwProto: 6, tpDst: 22, targetPortId: 'elsewhere', owner: 'fw', createdAt: now });
    const { connectionId } = await mercury();
    const sb = await southbound();
    expect(sb.chains.map((c: { id: string }) => c.id)).toEqual(['chain-fw']);
    expect(sb.rules.map((r: { id: string; chainId: string }) => r.chainId)).toEqual(['chain-fw', 'chain-fw', 'chain-fw', 'chain-fw']);
    expect(sb.rules[0].id).toBe('rule-fw');
    await db().delete(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, connectionId));
    await sync();
    const after = await southbound();
    expect(after.chains.map((c: { id: string }) => c.id)).toEqual(['chain-fw']);
    expect(after.rules.map((r: { id: string }) => r.id)).toEqual(['rule-fw']);
  });

  it('a gateway IP change rewrites the services\' external IPs and the rules in place', async () => {
    const { vpnServiceId } = await mercury();
    const before = await db().select().from(rules);
    await db().update(routers).set({ gatewayFixedIps: [{ subnet_id: seed.externalSubnetId, ip_address: '1.0.0.9' }] }).where(eq(routers.id, seed.routerId));
    await sync();
    const after = await db().select().from(rules);
    expect(after).toEqual(before.map((r) => ({ ...r, nwDstIp: '1.0.0.9' })));
    const [svc] = await db().select().from(vpnServices).where(eq(vpnServices.id, vpnServiceId));
    expect(svc.externalV4Ip).toBe('1.0.0.9');
  });

  it('marks the container\'s host dirty on a change and on deletion', async () => {
    const { connectionId } = await mercury();
    await db().update(containers).set({ hostId: 'host0', schedulerState: 'SCHEDULED' });
    clock.advance(1000);
    await db().update(ipsecSiteConnections).set({ peerCidrs: ['192.168.7.0/24'] }).where(eq(ipsecSiteConnections.id, connectionId));
    await sync();
    expect(await db().select().from(dirtyHosts)).toEqual([{ hostId: 'host0', markedAt: clock.now() }]);
    expect((await servicePort()).hostId).toBe('host0');
    await db().delete(dirtyHosts);
    clock.advance(1000);
    await db().delete(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, connectionId));
    await sync();
    expect(await db().select().from(dirtyHosts)).toEqual([{ hostId: 'host0', markedAt: clock.now() }]);
    expect(await db().select().from(containers)).toEqual([]);
  });

  it('is idempotent: a second sync changes no row', async () => {
    await mercury(['192.168.2.0/24', '192.168.3.0/24']);
    const before = await dump();
    clock.advance(5000);
    const changes = await sync();
    expect(await dump()).toEqual(before);
    expect(Object.values(changes).every((c) => c.create.length + c.update.length + c.delete.length === 0)).toBe(true);
  });

  it('affines the group to the host group named by the first matching availability zone hint', async () => {
    await db().insert(hostGroups).values([{ id: 'hg-a', name: 'az-a', createdAt: 1 }, { id: 'hg-b', name: 'az-b', createdAt: 1 }]);
    await db().update(routers).set({ availabilityZoneHints: ['nowhere', 'az-b', 'az-a'] }).where(eq(routers.id, seed.routerId));
    await mercury();
    expect((await db().select().from(containerGroups))[0].hostGroupId).toBe('hg-b');
  });

  it('refuses an unknown router', async () => {
    await expect(sync('no-such-router')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
