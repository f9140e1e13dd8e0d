// The linux driver on a real host, driven directly with hand-built desired containers: three VPN gateways on
// one private OVS bridge (userspace datapath, strongSwan userspace ESP), each the others' peer, with a "site"
// namespace behind each. Tunnels come up, traffic crosses them, a connection change re-keys only that
// connection, a restarted driver adopts everything, and deleting removes every trace.
import { existsSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LinuxDriver } from '../../agent/drivers/linux/driver';
import { containerPaths, driverDir, ownerTag } from '../../agent/drivers/linux/names';
import { hostLock, linuxSkipReason, purgeDriverState, purgeNames, sh, shOk, startPrivateOvs, TEST_ROOT, type PrivateOvs } from './host';
import { addSite, ping, removeSite, udpTcpEcho } from './sites';
import { connection, gatewayContainer, routerMacOf, type Gateway } from './specs';
import { charonsIn, charonsUsing, ovsState, untilTunnels } from './probe';

const skip = linuxSkipReason();
const ROOT = `${TEST_ROOT}/driver`;
const BRIDGE = 'br-tdrv';
const STATE = `${ROOT}/agent`;

const mercury: Gateway = { n: 1, name: 'vpn-tmercury', externalIp: '1.0.0.2', localCidr: '192.168.1.0/24' };
const venus: Gateway = { n: 2, name: 'vpn-tvenus', externalIp: '1.0.0.3', localCidr: '192.168.2.0/24' };
const mars: Gateway = { n: 3, name: 'vpn-tmars', externalIp: '1.0.0.4', localCidr: '192.168.3.0/24' };
const sites = [
  { gw: mercury, name: 'site-tm', mac: 'fa:16:3e:00:09:01', addr: '192.168.1.10/24' },
  { gw: venus, name: 'site-tv', mac: 'fa:16:3e:00:09:02', addr: '192.168.2.10/24' },
  { gw: mars, name: 'site-tr', mac: 'fa:16:3e:00:09:03', addr: '192.168.3.10/24' },
];
const specs = {
  mercury: gatewayContainer(mercury, [venus, mars]),
  venus: gatewayContainer(venus, [mercury]),
  mars: gatewayContainer(mars, [mercury]),
};
const ALL_NAMES = [mercury.name, venus.name, mars.name, 'vpn-tfail', 'vpn-tcrash', 'vpn-tvariant', 'vpn-tcorrupt', ...sites.map((s) => s.name)];

describe.skipIf(skip !== null)(`linux driver on a real host${skip ? ` — skipped: ${skip}` : ''}`, { timeout: 60_000 }, () => {
  let lock: Awaited<ReturnType<typeof hostLock>>;
  let ovs: PrivateOvs;
  let driver: LinuxDriver;
  const open = (stateDir = STATE, extra: Partial<Parameters<typeof LinuxDriver.open>[0]> = {}) =>
    LinuxDriver.open({ stateDir, ovsDb: ovs.db, bridge: BRIDGE, datapathType: 'netdev', ipsecBackend: 'libipsec', ...extra });

  beforeAll(async () => {
    lock = await hostLock();
    ovs = await startPrivateOvs(`${ROOT}/ovs`);
    await ovs.vsctl('add-br', BRIDGE, '--', 'set', 'bridge', BRIDGE, 'datapath_type=netdev');
    await purgeNames(ALL_NAMES);
    for (const d of ['agent', 'fail', 'crash', 'variant']) await purgeDriverState(`${ROOT}/${d}`, ovs, BRIDGE);
    driver = await open();
    for (const s of sites) await addSite({ db: ovs.db, bridge: BRIDGE, name: s.name, mac: s.mac, cidrAddress: s.addr, routerMac: routerMacOf(s.gw) });
  }, 600_000);

  afterAll(async () => {
    if (!ovs) return;
    try {
      const d = await open();
      for (const c of await d.list()) await d.delete(c.id);
      for (const s of sites) await removeSite(ovs.db, BRIDGE, s.name);
      await purgeNames(ALL_NAMES);
    } finally {
      await ovs.stop();
      await lock?.release();
      await rm(ROOT, { recursive: true, force: true });
    }
  }, 60_000);

  it('builds each container: namespace, veth with the port MAC, addresses, OVS port with iface-id, flows, one charon', async () => {
    for (const spec of Object.values(specs)) {
      const c = await driver.create(spec);
      expect(c).toMatchObject({ id: spec.id, status: 'RUNNING', namespace: spec.interfaceName, interfaceName: spec.interfaceName });
    }
    const spec = specs.mercury;
    const link = JSON.parse((await sh('ip', ['-n', spec.interfaceName, '-j', 'addr', 'show', 'dev', `${spec.interfaceName}-ns`])).stdout)[0];
    expect(link.address).toBe(spec.config.port.mac);
    expect(link.addr_info.map((a: { local: string; prefixlen: number }) => `${a.local}/${a.prefixlen}`)).toEqual(expect.arrayContaining(['169.254.1.2/30', '1.0.0.2/32']));
    expect((await sh('ip', ['-n', spec.interfaceName, 'route', 'show', 'default'])).stdout).toContain('default via 169.254.1.1 dev vpn-tmercury-ns src 1.0.0.2');
    const state = await ovsState(ovs, BRIDGE, ownerTag(STATE));
    expect(state.ports.get(spec.interfaceName)).toMatchObject({ ifaceId: spec.portId, error: '' });
    expect(state.ports.get(spec.interfaceName)!.ofport).toBeGreaterThan(0);
    // ARP + one per route + one per REDIRECT + outbound
    expect(state.flowsByCookie.get(BigInt(driver.record(spec.id)!.cookie))).toBe(2 + spec.config.routes.length + spec.config.redirects.length);
    for (const s of Object.values(specs)) expect(await charonsIn(s.interfaceName)).toHaveLength(1);
    const paths = containerPaths(STATE, spec.interfaceName);
    expect((await stat(paths.secrets)).mode & 0o777).toBe(0o600);
    expect(await readFile(paths.swanctlConf, 'utf8')).not.toContain(spec.config.connections[0].psk);
  });

  it('brings every tunnel up (ACTIVE needs an installed CHILD_SA)', async () => {
    const h = await untilTunnels(driver, Object.values(specs).map((s) => s.id), (t) => t.state === 'up', 15_000);
    for (const r of h) expect(r).toMatchObject({ status: 'RUNNING', message: '' });
    expect(h.flatMap((r) => r.tunnels)).toHaveLength(4);
  });

  it('carries ping, UDP and TCP between the sites, as ESP on the container port', async () => {
    const capture = sh('timeout', ['8', 'tcpdump', '-ni', mercury.name, '-c', '2', '-l', 'udp port 4500 and greater 100'], undefined, 15_000).catch((e: Error) => ({ stdout: e.message }));
    await new Promise((r) => setTimeout(r, 500)); // tcpdump needs a moment before it captures
    expect(await ping('site-tm', '192.168.2.10')).toBeGreaterThanOrEqual(2);
    expect(await ping('site-tr', '192.168.1.10')).toBeGreaterThanOrEqual(2);
    expect((await capture).stdout).toMatch(/1\.0\.0\.2\.4500 > 1\.0\.0\.[34]\.4500: UDP-encap: ESP\(spi=/);
    expect(await udpTcpEcho('site-tm', 'site-tv', '192.168.2.10')).toBe('OK udp=200 tcp=1048576');
    const [toVenus] = await driver.counters(specs.mercury.id);
    expect(toVenus.packetsOut).toBeGreaterThan(10);
    expect(toVenus.bytesIn).toBeGreaterThan(1 << 20);
    // The same counters travel in the health report, with when the SA came up and was last keyed (issue 11).
    const [report] = (await driver.health(specs.mercury.id)).tunnels;
    expect(report.bytesIn).toBeGreaterThanOrEqual(toVenus.bytesIn);
    expect(report.packetsOut).toBeGreaterThanOrEqual(toVenus.packetsOut);
    expect(report.establishedAt).toBeGreaterThan(Date.now() - 120_000);
    expect(report.lastRekeyAt).toBeGreaterThanOrEqual(report.establishedAt! - 1000);
    expect(report.lastRekeyAt).toBeLessThanOrEqual(Date.now());
  });

  it("re-keys only the connection whose peer CIDRs changed; the other tunnel's SAs stay", async () => {
    const before = await driver.sas(specs.mercury.id);
    const incarnation = driver.record(specs.mercury.id)!.incarnation;
    const nextMercury = gatewayContainer(mercury, [venus, mars], {
      connections: [connection(mercury, venus), connection(mercury, mars, { peerCidrs: ['192.168.3.0/24', '192.168.33.0/24'] })],
    });
    const nextMars = gatewayContainer(mars, [mercury], { connections: [connection(mars, mercury, { localCidrs: ['192.168.3.0/24', '192.168.33.0/24'] })] });
    expect((await driver.update(nextMercury, specs.mercury)).incarnation).toBe(incarnation);
    await driver.update(nextMars, specs.mars);
    specs.mercury = nextMercury;
    specs.mars = nextMars;
    await untilTunnels(driver, [specs.mercury.id, specs.mars.id], (t) => t.state === 'up', 15_000);
    const after = await driver.sas(specs.mercury.id);
    const sa = (list: typeof before, conn: string) => list.find((s) => s.name === conn && s.state === 'ESTABLISHED');
    const venusName = `c-${specs.mercury.config.connections[0].id}`;
    const marsName = `c-${specs.mercury.config.connections[1].id}`;
    expect(sa(after, venusName)?.uniqueId).toBe(sa(before, venusName)?.uniqueId);
    expect(sa(after, venusName)?.children.map((c) => c.uniqueId)).toEqual(sa(before, venusName)?.children.map((c) => c.uniqueId));
    expect(sa(after, marsName)?.uniqueId).not.toBe(sa(before, marsName)?.uniqueId);
    expect(await ping('site-tr', '192.168.1.10')).toBeGreaterThanOrEqual(2);
    expect(await ping('site-tm', '192.168.2.10')).toBeGreaterThanOrEqual(2);
  });

  it('is adopted by a restarted driver (no close: a killed agent), unchanged and with no second charon', async () => {
    const pids = Object.fromEntries(await Promise.all(Object.values(specs).map(async (s) => [s.id, await charonsIn(s.interfaceName)])));
    const sas = await driver.sas(specs.venus.id);
    const again = await open();
    const seen = await again.list();
    expect(seen.map((c) => [c.id, c.incarnation, c.status]).sort()).toEqual(Object.values(specs).map((s) => [s.id, driver.record(s.id)!.incarnation, 'RUNNING']).sort());
    for (const s of Object.values(specs)) expect(await charonsIn(s.interfaceName)).toEqual(pids[s.id]);
    expect((await again.sas(specs.venus.id)).map((s) => s.uniqueId)).toEqual(sas.map((s) => s.uniqueId));
    driver = again;
  });

  it('refuses to start a second charon in a namespace that has one', async () => {
    const e = await (driver as unknown as { charon: { start: (s: unknown, p: unknown) => Promise<number> } }).charon
      .start(specs.venus, containerPaths(STATE, venus.name)).catch((x: Error) => x);
    expect((e as Error).message).toMatch(/a charon \(pid \d+\) already runs in namespace vpn-tvenus; refusing to start a second one/);
    expect(await charonsIn(venus.name)).toHaveLength(1);
    expect(await ping('site-tv', '192.168.1.10')).toBeGreaterThanOrEqual(2);
  });

  it('rewrites flows that disappeared (a flushed bridge or a restarted ovs-vswitchd)', async () => {
    const cookie = driver.record(specs.venus.id)!.cookie;
    await sh('ovs-ofctl', ['del-flows', `unix:${ovs.rundir}/${BRIDGE}.mgmt`, `cookie=${cookie}/-1`]);
    const deadline = Date.now() + 5000;
    while ((await ovsState(ovs, BRIDGE, ownerTag(STATE))).flowsByCookie.get(BigInt(cookie)) !== 6) {
      expect(Date.now()).toBeLessThan(deadline);
      await driver.health(specs.venus.id);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await ping('site-tv', '192.168.1.10')).toBeGreaterThanOrEqual(2);
  });

  it('loads every policy variant into a real charon', async () => {
    const v: Gateway = { n: 9, name: 'vpn-tvariant', externalIp: '1.0.0.9', localCidr: '10.9.0.0/24' };
    const peer = (n: number): Gateway => ({ n, name: `p${n}`, externalIp: `1.0.0.${100 + n}`, localCidr: `10.${100 + n}.0.0/24` });
    const ike = connection(v, peer(1)).ike;
    const ipsec = connection(v, peer(1)).ipsec;
    const variants = [
      connection(v, peer(1), { ike: { ...ike, encryptionAlgorithm: 'aes-256-gcm-16', pfs: 'group19' }, ipsec: { ...ipsec, encryptionAlgorithm: 'aes-256-gcm-16', pfs: 'group19' } }),
      connection(v, peer(2), { ike: { ...ike, version: 'v1', phase1NegotiationMode: 'aggressive' }, peerCidrs: ['10.102.0.0/24', '10.112.0.0/24'] }),
      connection(v, peer(3), { ipsec: { ...ipsec, encapsulationMode: 'transport', transformProtocol: 'ah-esp' }, initiator: 'response-only' }),
      connection(v, peer(4), { dpd: { action: 'disabled', interval: 30, timeout: 120 }, localId: '@variant.example', peerId: 'peer4@example.com' }),
      connection(v, peer(5), { ike: { ...ike, authAlgorithm: 'sha512', encryptionAlgorithm: 'aes-192', lifetimeSeconds: 600, pfs: 'group16' } }),
    ];
    const d = await open(`${ROOT}/variant`);
    const spec = gatewayContainer(v, [], { connections: variants });
    await d.create(spec);
    const { viciCommand } = await import('../../agent/drivers/linux/vici');
    const { response } = await viciCommand(containerPaths(`${ROOT}/variant`, v.name).vici, 'get-conns');
    expect(response.conns).toEqual(variants.map((c) => `c-${c.id}`));
    await d.delete(spec.id);
  });

  it.each([
    { datapath: 'external' as const, uplink: false },
    { datapath: 'standalone' as const, uplink: true },
  ])('plugs the port in with --datapath $datapath (uplink port: $uplink)', async ({ datapath, uplink }) => {
    const stateDir = `${ROOT}/variant`;
    if (uplink) await ovs.vsctl('--may-exist', 'add-port', BRIDGE, 'upl0', '--', 'set', 'Interface', 'upl0', 'type=internal');
    const d = await open(stateDir, { datapath, ...(uplink ? { uplinkPort: 'upl0' } : {}) });
    const spec = gatewayContainer({ n: 12, name: 'vpn-tvariant', externalIp: '1.0.0.12', localCidr: '10.12.0.0/24' }, [venus]);
    await d.create(spec);
    const state = await ovsState(ovs, BRIDGE, ownerTag(stateDir));
    expect(state.ports.get(spec.interfaceName)?.ifaceId).toBe(spec.portId);
    if (datapath === 'external') {
      expect(state.flowsByCookie.size).toBe(0); // the SDN that binds iface-id forwards; the agent writes no flows
    } else {
      const dump = (await sh('ovs-ofctl', ['--no-stats', 'dump-flows', `unix:${ovs.rundir}/${BRIDGE}.mgmt`, `cookie=${d.record(spec.id)!.cookie}/-1`])).stdout;
      const outbound = /priority=100,in_port=\d+ actions=output:(\d+)/.exec(dump);
      expect(outbound?.[1]).toBe(await ovs.vsctl('get', 'Interface', 'upl0', 'ofport'));
    }
    expect((await d.health(spec.id)).status).toBe('RUNNING');
    await d.delete(spec.id);
    if (uplink) await ovs.vsctl('del-port', 'upl0');
  });

  it('rolls a failed build back completely, with the failing command and its stderr in the error', async () => {
    const { execRunner } = await import('../../agent/drivers/linux/exec');
    const failing: typeof execRunner = (cmd, args, opts) => cmd === 'swanctl'
      ? execRunner('sh', ['-c', "echo \"loading connection 'x' failed: injected for the test\" >&2; exit 1"], opts)
      : execRunner(cmd, args, opts);
    const stateDir = `${ROOT}/fail`;
    const d = await open(stateDir, { run: failing });
    const spec = gatewayContainer({ n: 10, name: 'vpn-tfail', externalIp: '1.0.0.10', localCidr: '10.10.0.0/24' }, [venus]);
    const e = await d.create(spec).catch((x: Error & { code: string }) => x);
    expect((e as { code: string }).code).toBe('FAILED');
    expect((e as Error).message).toContain("failed (exit 1): loading connection 'x' failed: injected for the test");
    await expectNothingLeft(stateDir, spec.interfaceName);
    expect(await d.list()).toEqual([]);
  });

  it('removes, at the next start, a container whose build a crash interrupted', async () => {
    const { execRunner } = await import('../../agent/drivers/linux/exec');
    const hanging: typeof execRunner = (cmd, args, opts) => (cmd === 'swanctl' ? execRunner('sh', ['-c', 'sleep 3; exit 1'], { ...opts, timeoutMs: 10_000 }) : execRunner(cmd, args, opts));
    const stateDir = `${ROOT}/crash`;
    const crashed = await open(stateDir, { run: hanging });
    const spec = gatewayContainer({ n: 11, name: 'vpn-tcrash', externalIp: '1.0.0.11', localCidr: '10.11.0.0/24' }, [venus]);
    const building = crashed.create(spec).catch((x: Error) => x);
    while ((await charonsIn(spec.interfaceName)).length === 0) await new Promise((r) => setTimeout(r, 20));
    expect(JSON.parse(await readFile(containerPaths(stateDir, spec.interfaceName).record, 'utf8')).phase).toBe('building');
    const restarted = await open(stateDir);
    expect(await restarted.list()).toEqual([]);
    await expectNothingLeft(stateDir, spec.interfaceName);
    await building; // the abandoned build finishes failing without recreating anything
    await expectNothingLeft(stateDir, spec.interfaceName);
  });

  it('tears down, at the next start, a container whose container.json is corrupt: charon, namespace, veth, OVS port, flows, files (issue 10)', async () => {
    const stateDir = `${ROOT}/corrupt`;
    const first = await open(stateDir);
    const spec = gatewayContainer({ n: 12, name: 'vpn-tcorrupt', externalIp: '1.0.0.12', localCidr: '10.12.0.0/24' }, [venus]);
    await first.create(spec);
    expect(await charonsIn(spec.interfaceName)).toHaveLength(1);
    expect((await ovsState(ovs, BRIDGE, ownerTag(stateDir))).flowsByCookie.size).toBeGreaterThan(0);
    await writeFile(containerPaths(stateDir, spec.interfaceName).record, '{"v":1,"spec":{"id":"trunc');
    const restarted = await open(stateDir);
    expect(await restarted.list()).toEqual([]);
    await expectNothingLeft(stateDir, spec.interfaceName);
    // The name is free again: the same container builds (before, re-creating it failed forever).
    await restarted.create(spec);
    expect(await charonsIn(spec.interfaceName)).toHaveLength(1);
    await restarted.delete(spec.id);
    await expectNothingLeft(stateDir, spec.interfaceName);
  });

  it('says charon is not answering when its vici socket does not answer, and RUNNING again when it does', async () => {
    const { vici } = containerPaths(STATE, specs.mars.interfaceName);
    await rename(vici, `${vici}.aside`);
    try {
      const h = await driver.health(specs.mars.id);
      expect(h).toMatchObject({ status: 'ERROR', message: expect.stringMatching(/^HEALTH_FAILED: charon is not answering on .*: ENOENT$/) });
    } finally {
      await rename(`${vici}.aside`, vici);
    }
    expect((await driver.health(specs.mars.id)).status).toBe('RUNNING');
  });

  it('reports a dead charon as CRASHED', async () => {
    const [pid] = await charonsIn(mars.name);
    process.kill(pid, 'SIGKILL');
    await new Promise((r) => setTimeout(r, 100));
    const h = await driver.health(specs.mars.id);
    expect(h.status).toBe('ERROR');
    expect(h.message).toMatch(/^CRASHED: charon of vpn-tmars is not running/);
    expect((await driver.list()).find((c) => c.id === specs.mars.id)?.status).toBe('ERROR');
  });

  it('deletes everything a container owns: charon, flows, port, namespace, files', async () => {
    for (const s of Object.values(specs)) await driver.delete(s.id);
    for (const s of Object.values(specs)) await expectNothingLeft(STATE, s.interfaceName);
    const state = await ovsState(ovs, BRIDGE, ownerTag(STATE));
    expect([...state.ports.keys()]).toEqual([]);
    expect(state.flowsByCookie.size).toBe(0);
    await expect(driver.list()).resolves.toEqual([]);
    await driver.delete(specs.venus.id); // idempotent
  });

  async function expectNothingLeft(stateDir: string, name: string) {
    expect(existsSync(`/run/netns/${name}`), `namespace ${name}`).toBe(false);
    expect(existsSync(`/sys/class/net/${name}`), `link ${name}`).toBe(false);
    expect((await shOk('ovs-vsctl', [`--db=${ovs.db}`, 'list-ports', BRIDGE])).stdout.split('\n')).not.toContain(name);
    expect((await ovsState(ovs, BRIDGE, ownerTag(stateDir))).flowsByCookie.size, 'flows').toBe(0);
    expect(existsSync(`${driverDir(stateDir)}/${name}`), 'files').toBe(false);
    expect(await charonsUsing(containerPaths(stateDir, name).dir), 'charon').toEqual([]);
  }
});

