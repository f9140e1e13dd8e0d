// IPv6 end to end with real processes only (the IPv6 twin of e2e.test.ts): `berth serve` and one `berth agent
// --driver linux` on a private OVS (userspace datapath) with strongSwan's userspace ESP. Two pairs of routers
// whose VPN services point at each other, built from the Neutron API:
//   - IPv6 outside and inside: gateways 2001:db8:1::2 ⇄ 2001:db8:1::3, subnets 2001:db8:a::/64 ⇄ 2001:db8:b::/64;
//   - IPv6 inside an IPv4 tunnel: gateways 1.0.0.12 ⇄ 1.0.0.13, subnets 2001:db8:c::/64 ⇄ 2001:db8:d::/64.
// Each pair's tunnel comes up (connections ACTIVE) and pings cross in both directions between hosts behind the
// routers, seen on the wire as ESP of the outer family. Nothing answers the containers' Neighbour Discovery but
// the driver's flows: the sites' own routers are static neighbours, the containers' are not.
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driverDir, ownerTag } from '../../agent/drivers/linux/names';
import { spawnBerth, stopProcess } from '../../functions/node/processes';
import { httpApi, type Api } from '../../functions/node/seed-vpn';
import { freePort, waitFor } from '../integration/cluster';
import { hostLock, linuxSkipReason, purgeDriverState, sh, startPrivateOvs, TEST_ROOT, type PrivateOvs } from './host';
import { ovsState } from './probe';
import { addSite, ping, removeSite } from './sites';

const skip = linuxSkipReason();
const ROOT = `${TEST_ROOT}/e2e-ipv6`;
const BRIDGE = 'br-te2e6';
const STATE = `${ROOT}/agent`;
const HOST = 'linux-e2e6';
const ADMIN = 'e2e6-admin-token-0123456789abcdef';
const AGENT = 'e2e6-agent-token-0123456789abcdef';

interface SiteSpec { name: string; gw: string; cidr: string; host: string; ns: string; mac: string }
interface Pair { what: string; outer: 4 | 6; a: SiteSpec; b: SiteSpec }
const ALL_PAIRS: Pair[] = [
  {
    what: 'IPv6 outside and inside', outer: 6,
    a: { name: 'ganymede', gw: '2001:db8:1::2', cidr: '2001:db8:a::/64', host: '2001:db8:a::10', ns: 's6-ga', mac: 'fa:16:3e:00:6e:01' },
    b: { name: 'callisto', gw: '2001:db8:1::3', cidr: '2001:db8:b::/64', host: '2001:db8:b::10', ns: 's6-ca', mac: 'fa:16:3e:00:6e:02' },
  },
  {
    what: 'IPv6 inside an IPv4 tunnel', outer: 4,
    a: { name: 'io', gw: '1.0.0.12', cidr: '2001:db8:c::/64', host: '2001:db8:c::10', ns: 's6-io', mac: 'fa:16:3e:00:6e:03' },
    b: { name: 'europa', gw: '1.0.0.13', cidr: '2001:db8:d::/64', host: '2001:db8:d::10', ns: 's6-eu', mac: 'fa:16:3e:00:6e:04' },
  },
];
const PAIRS = process.env.BERTH_E2E6_ONLY ? ALL_PAIRS.filter((p) => p.what.includes(process.env.BERTH_E2E6_ONLY!)) : ALL_PAIRS;
const SITE_NS = PAIRS.flatMap((p) => [p.a.ns, p.b.ns]);

async function create(api: Api, path: string, body: Record<string, unknown>): Promise<any> {
  const r = await api(path.endsWith('add_router_interface') ? 'PUT' : 'POST', path, body);
  if (r.status >= 300) throw new Error(`${path}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return Object.values(r.body as object)[0];
}

const family = (a: string) => (a.includes(':') ? 6 : 4);

describe.skipIf(skip !== null)(`end to end over IPv6: control plane + linux agent${skip ? ` — skipped: ${skip}` : ''}`, { timeout: 120_000 }, () => {
  let lock: Awaited<ReturnType<typeof hostLock>>;
  let ovs: PrivateOvs;
  let serve: ChildProcess | null = null;
  let agent: ChildProcess | null = null;
  let api: Api;
  const routers: Record<string, string> = {};

  /** With BERTH_E2E6_DIAG set, a failed ping prints the containers' IPv6 state, charon logs and the flows. */
  const diagnose = async () => {
    for (const c of await containers()) {
      for (const args of [['-6', 'route', 'show', 'table', 'all'], ['-6', 'neigh'], ['-6', 'addr']]) {
        console.log(c.interfaceName, args.join(' '), (await sh('ip', ['-n', c.interfaceName, ...args]).catch((x: Error) => ({ stdout: x.message }))).stdout);
      }
      console.log((await readFile(`${STATE}/linux/${c.interfaceName}/charon.log`, 'utf8').catch(() => 'no log')).slice(-3000));
    }
    console.log((await sh('ovs-ofctl', ['dump-flows', `unix:${ovs.rundir}/${BRIDGE}.mgmt`])).stdout);
  };
  const containers = async () => (await api('GET', '/v1/containers')).body.containers as any[];
  const connections = async () => (await api('GET', '/v2.0/vpn/ipsec-site-connections')).body.ipsec_site_connections as any[];

  beforeAll(async () => {
    lock = await hostLock();
    ovs = await startPrivateOvs(`${ROOT}/ovs`);
    await ovs.vsctl('add-br', BRIDGE, '--', 'set', 'bridge', BRIDGE, 'datapath_type=netdev');
    await purgeDriverState(STATE, ovs, BRIDGE);
    for (const s of SITE_NS) await removeSite(ovs.db, BRIDGE, s);
    await mkdir(ROOT, { recursive: true });
    for (const f of readdirSync(ROOT, { withFileTypes: true })) if (f.isFile()) await rm(`${ROOT}/${f.name}`, { force: true });
    const httpPort = await freePort();
    const mqttPort = await freePort();
    api = httpApi(`http://127.0.0.1:${httpPort}`, ADMIN);
    serve = spawnBerth(['serve'], {
      logFile: `${ROOT}/serve.log`,
      env: {
        BERTH_DB_URL: `file:${ROOT}/berth.db`, BERTH_PORT: String(httpPort), BERTH_HOST: '127.0.0.1', BERTH_ADMIN_TOKEN: ADMIN,
        BERTH_AGENT_TOKEN: AGENT, BERTH_SECRET_KEY: 'e2e6-secret-key-0123456789abcdef', BERTH_MQTT_PORT: String(mqttPort), BERTH_MQTT_URL: '',
      },
    });
    await waitFor('berth serve /healthz', async () => ((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).ok ? true : undefined), 30_000, 100);
    agent = spawnBerth(['agent', '--host-id', HOST, '--mqtt', `mqtt://127.0.0.1:${mqttPort}`, '--driver', 'linux', '--ovs-db', ovs.db,
      '--ovs-bridge', BRIDGE, '--datapath-type', 'netdev', '--ipsec-backend', 'libipsec', '--state-dir', STATE],
    { env: { BERTH_AGENT_TOKEN: AGENT }, logFile: `${ROOT}/agent.log` });
    await waitFor('the agent to register', async () => ((await api('GET', `/v1/hosts/${HOST}`)).body?.host?.alive ? true : undefined), 30_000, 100);
  }, 600_000);

  afterAll(async () => {
    if (!ovs) return;
    try {
      if (agent) await stopProcess(agent);
      if (serve) await stopProcess(serve);
      await purgeDriverState(STATE, ovs, BRIDGE);
      for (const s of SITE_NS) await removeSite(ovs.db, BRIDGE, s);
    } finally {
      await ovs.stop();
      await lock?.release();
    }
  }, 60_000);

  it('builds four VPN containers from the Neutron API (IPv6 gateways, IPv6 subnets): RUNNING, every connection ACTIVE', async () => {
    const ext = await create(api, '/v2.0/networks', { network: { name: 'public', 'router:external': true } });
    const ext4 = await create(api, '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '1.0.0.0/24', ip_version: 4 } });
    const ext6 = await create(api, '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '2001:db8:1::/64', ip_version: 6 } });
    const ike = await create(api, '/v2.0/vpn/ikepolicies', { ikepolicy: { name: 'ike' } });
    const ipsec = await create(api, '/v2.0/vpn/ipsecpolicies', { ipsecpolicy: { name: 'ipsec' } });
    const vpns: Record<string, string> = {};
    for (const s of PAIRS.flatMap((p) => [p.a, p.b])) {
      const net = await create(api, '/v2.0/networks', { network: { name: `${s.name}-net` } });
      const sub = await create(api, '/v2.0/subnets', { subnet: { network_id: net.id, cidr: s.cidr, ip_version: 6 } });
      const extSub = family(s.gw) === 6 ? ext6 : ext4;
      const router = await create(api, '/v2.0/routers', { router: { name: s.name, external_gateway_info: { network_id: ext.id, external_fixed_ips: [{ subnet_id: extSub.id, ip_address: s.gw }] } } });
      await create(api, `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id });
      routers[s.name] = router.id;
      vpns[s.name] = (await create(api, '/v2.0/vpn/vpnservices', { vpnservice: { name: s.name, router_id: router.id, subnet_id: sub.id } })).id;
    }
    for (const { a, b } of PAIRS) {
      for (const [from, to] of [[a, b], [b, a]]) {
        await create(api, '/v2.0/vpn/ipsec-site-connections', {
          ipsec_site_connection: {
            name: `${from.name}-to-${to.name}`, vpnservice_id: vpns[from.name], ikepolicy_id: ike.id, ipsecpolicy_id: ipsec.id,
            peer_address: to.gw, peer_id: to.gw, peer_cidrs: [to.cidr], psk: `e2e6-${[from.name, to.name].sort().join('-')}`,
          },
        });
      }
    }
    const running = await waitFor('four RUNNING containers on the linux host', async () => {
      const cs = await containers();
      return cs.length === 2 * PAIRS.length && cs.every((c) => c.status === 'RUNNING' && c.hostId === HOST) ? cs : undefined;
    }, 60_000, 200);
    for (const c of running) expect(existsSync(`/run/netns/${c.interfaceName}`)).toBe(true);
    await waitFor('four ACTIVE connections', async () => {
      const cs = await connections();
      return cs.length === 2 * PAIRS.length && cs.every((c) => c.status === 'ACTIVE') ? cs : undefined;
    }, 60_000, 200);
  });

  it('southbound: every route via a next hop of its own family; three REDIRECTs for the outer gateway', async () => {
    for (const { a, b } of PAIRS) {
      for (const s of [a, b]) {
        const sb = (await api('GET', `/v1/routers/${routers[s.name]}/southbound`)).body;
        expect(sb.routes.filter((r: any) => (r.nextHopGateway && family(r.nextHopGateway) !== family(r.dstCidr)) || family(r.srcCidr) !== family(r.dstCidr))).toEqual([]);
        expect(sb.routes.filter((r: any) => r.origin === 'ipsec').map((r: any) => [r.srcCidr, r.dstCidr, family(r.nextHopGateway)]))
          .toEqual([[s.cidr, (s === a ? b : a).cidr, 6]]);
        expect(sb.rules.map((r: any) => [r.nwDstIp, r.nwProto, r.tpDst])).toEqual([[s.gw, 50, null], [s.gw, 17, 500], [s.gw, 17, 4500]]);
      }
    }
  });

  it.each(PAIRS.map((p) => [p.what, p] as const))('%s: pings cross in both directions, as ESP of the outer family on the container port', async (_what, { outer, a, b }) => {
    for (const s of [a, b]) {
      const sb = (await api('GET', `/v1/routers/${routers[s.name]}/southbound`)).body;
      const routerMac = sb.ports.find((p: { kind: string }) => p.kind === 'service').mac;
      await addSite({ db: ovs.db, bridge: BRIDGE, name: s.ns, mac: s.mac, cidrAddress: `${s.host}/64`, routerMac });
    }
    const port = (await containers()).find((c) => c.configurationId === routers[a.name]).interfaceName;
    const capture = sh('timeout', ['40', 'tcpdump', '-ni', port, '-c', '2', '-l', `${outer === 6 ? 'ip6' : 'ip'} and udp port 4500 and greater 100`], undefined, 45_000)
      .catch((e: Error) => ({ stdout: e.message }));
    await new Promise((r) => setTimeout(r, 500));
    // The first packets may wait for the container's Neighbour Discovery of its router: retry a little.
    for (const [from, to] of [[a, b], [b, a]]) {
      try {
        await waitFor(`ping ${from.host} → ${to.host}`, async () => ((await ping(from.ns, to.host)) >= 2 ? true : undefined), 30_000, 200);
      } catch (e) {
        if (process.env.BERTH_E2E6_DIAG) await diagnose();
        throw e;
      }
    }
    const esc = (ip: string) => ip.replace(/\./g, '\\.');
    expect((await capture).stdout).toMatch(new RegExp(`${esc(a.gw)}\\.4500 > ${esc(b.gw)}\\.4500: UDP-encap: ESP\\(spi=`));
  });

  it('removes namespaces, ports, flows and files when the connections are deleted', async () => {
    const names = (await containers()).map((c) => c.interfaceName);
    for (const c of await connections()) expect((await api('DELETE', `/v2.0/vpn/ipsec-site-connections/${c.id}`)).status).toBe(204);
    await waitFor('no containers left', async () => ((await containers()).length === 0 ? true : undefined), 30_000, 200);
    await waitFor('the agent to remove them', () => (names.every((n) => !existsSync(`/run/netns/${n}`)) ? true : undefined), 30_000, 100);
    const state = await ovsState(ovs, BRIDGE, ownerTag(STATE));
    expect([...state.ports.keys()]).toEqual([]);
    expect(state.flowsByCookie.size).toBe(0);
    expect(readdirSync(driverDir(STATE))).toEqual([]);
  });
});
