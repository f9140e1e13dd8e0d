// API benchmark: create-site-connection latency (translation included) at 1 and 50 concurrent clients — closed
// loop (capacity) and 50 paced clients at rising offered rates (latency as tenants see it) — and northbound writes
// per second, against `berth serve` on the embedded file database. The baseline measured in the same run is
// GET /healthz (the HTTP + one SELECT floor); the ratio column says how far above it a call is.
import { call, fmt, pct, printTable, runConcurrent, runPaced, startServe, writeJson, type Server } from './lib';

interface Site { routerId: string; vpnserviceId: string }

async function setupSites(s: Server, n: number): Promise<Site[]> {
  const ext = (await call(s, 'POST', '/v2.0/networks', { network: { name: 'public', 'router:external': true } })).network;
  const extSub = (await call(s, 'POST', '/v2.0/subnets', { subnet: { network_id: ext.id, cidr: '10.128.0.0/16', ip_version: 4 } })).subnet;
  const sites: Site[] = [];
  const jobs = Array.from({ length: n }, (_, i) => async () => {
    const net = (await call(s, 'POST', '/v2.0/networks', { network: { name: `private-${i}` } })).network;
    const sub = (await call(s, 'POST', '/v2.0/subnets', { subnet: { network_id: net.id, cidr: `10.${i >> 8}.${i & 255}.0/24`, ip_version: 4 } })).subnet;
    const router = (await call(s, 'POST', '/v2.0/routers', { router: { name: `r-${i}`, external_gateway_info: { network_id: ext.id, external_fixed_ips: [{ subnet_id: extSub.id }] } } })).router;
    await call(s, 'PUT', `/v2.0/routers/${router.id}/add_router_interface`, { subnet_id: sub.id });
    const vpn = (await call(s, 'POST', '/v2.0/vpn/vpnservices', { vpnservice: { router_id: router.id, subnet_id: sub.id, name: `vpn-${i}` } })).vpnservice;
    sites.push({ routerId: router.id, vpnserviceId: vpn.id });
  });
  await runConcurrent(8, jobs);
  return sites;
}

let seq = 0;
const createConnection = (s: Server, site: Site, ike: string, ipsec: string) => () =>
  call(s, 'POST', '/v2.0/vpn/ipsec-site-connections', {
    ipsec_site_connection: {
      name: `c-${++seq}`, vpnservice_id: site.vpnserviceId, ikepolicy_id: ike, ipsecpolicy_id: ipsec,
      peer_address: '1.0.0.3', peer_id: '1.0.0.3', psk: 'bench-secret', peer_cidrs: [`172.16.${seq % 256}.0/24`],
    },
  });

export async function benchApi(opts: { quick: boolean }) {
  const s = await startServe();
  try {
    const ike = (await call(s, 'POST', '/v2.0/vpn/ikepolicies', { ikepolicy: { name: 'ike' } })).ikepolicy.id;
    const ipsec = (await call(s, 'POST', '/v2.0/vpn/ipsecpolicies', { ipsecpolicy: { name: 'ipsec' } })).ipsecpolicy.id;
    const nSites = opts.quick ? 60 : 200;
    const sites = await setupSites(s, nSites);
    const perRun = opts.quick ? 100 : 500;

    // Warm up (JIT, connection pools) before measuring.
    await runConcurrent(4, Array.from({ length: 40 }, (_, i) => createConnection(s, sites[i % sites.length], ike, ipsec)));

    const results: Record<string, unknown>[] = [];
    const healthJobs = (n: number) => Array.from({ length: n }, () => () => fetch(`${s.url}/healthz`).then((r) => r.text()));
    for (const concurrency of [1, 50]) {
      const base = await runConcurrent(concurrency, healthJobs(perRun));
      const create = await runConcurrent(concurrency, Array.from({ length: perRun }, (_, i) => createConnection(s, sites[i % sites.length], ike, ipsec)));
      results.push({
        operation: 'create ipsec-site-connection', concurrency, n: perRun,
        p50: pct(create.latencies, 50), p99: pct(create.latencies, 99), perSecond: perRun / (create.wallMs / 1000),
        baselineP50: pct(base.latencies, 50), baselineP99: pct(base.latencies, 99),
        ratioP50: pct(create.latencies, 50) / pct(base.latencies, 50),
      });
    }
    // The same 50 clients as tenants' automation behaves: each sends at its own pace; the total offered rate
    // steps up until the p99 passes the target. The closed loop above measures capacity, not this.
    const paced: Record<string, unknown>[] = [];
    for (const rate of opts.quick ? [25, 50] : [25, 50, 100, 150, 200]) {
      const base = await runPaced(50, rate, opts.quick ? 4 : 10, () => fetch(`${s.url}/healthz`).then((r) => r.text()));
      const create = await runPaced(50, rate, opts.quick ? 4 : 10, () => createConnection(s, sites[seq % sites.length], ike, ipsec)());
      paced.push({
        operation: 'create ipsec-site-connection', clients: 50, offeredPerSecond: rate, n: create.latencies.length,
        p50: pct(create.latencies, 50), p99: pct(create.latencies, 99), max: pct(create.latencies, 100),
        baselineP50: pct(base.latencies, 50), baselineP99: pct(base.latencies, 99),
      });
    }
    printTable('northbound API, 50 paced clients (open loop: latency from the scheduled send, queueing included)', ['operation', 'clients', 'offered per s', 'n', 'p50 ms', 'p99 ms', 'max ms', 'healthz p50 / p99 ms'],
      paced.map((r: any) => [r.operation, r.clients, r.offeredPerSecond, r.n, fmt(r.p50), fmt(r.p99), fmt(r.max), `${fmt(r.baselineP50)} / ${fmt(r.baselineP99)}`]));

    const writes = await runConcurrent(50, Array.from({ length: perRun }, (_, i) => () => call(s, 'POST', '/v2.0/networks', { network: { name: `w-${i}` } })));
    results.push({ operation: 'create network (northbound write)', concurrency: 50, n: perRun, p50: pct(writes.latencies, 50), p99: pct(writes.latencies, 99), perSecond: perRun / (writes.wallMs / 1000) });

    printTable('northbound API (berth serve, embedded libSQL file database)', ['operation', 'clients', 'n', 'p50 ms', 'p99 ms', 'per s', 'healthz p50 / p99 ms', 'p50 ÷ healthz'],
      results.map((r: any) => [r.operation, r.concurrency, r.n, fmt(r.p50), fmt(r.p99), r.perSecond.toFixed(0), r.baselineP50 === undefined ? '-' : `${fmt(r.baselineP50)} / ${fmt(r.baselineP99)}`, r.ratioP50 === undefined ? '-' : r.ratioP50.toFixed(1) + '×']));
    writeJson('api', { target: 'p99 < 20 ms at 50 clients', results, paced });
    return { results, paced };
  } finally {
    await s.stop();
  }
}
