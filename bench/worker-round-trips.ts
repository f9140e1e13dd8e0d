// Database round trips on the Worker's path, counted exactly: berth's own app and controller step in this process
// over @libsql/client's HTTP client (what the Worker bundles) against the libSQL stand-in — one Database used by
// nothing else, so every HTTP request it sends belongs to the call being measured.
import { createApp } from '../functions/app';
import { controllerStep } from '../functions/controller/tick';
import { SecretBox } from '../functions/crypto';
import { openDatabase } from '../functions/db/client';
import { nullPublisher, type Deps } from '../functions/deps';
import { applyAgentBatch } from '../functions/ingest/batcher';
import { classify, type AgentMessage } from '../functions/ingest/classify';
import { applyMigrations } from '../functions/node/migrate';
import type { Api } from '../functions/node/seed-vpn';
import { systemClock } from '../shared/clock';
import { cryptoIds } from '../shared/ids';
import { silentLogger } from '../shared/logger';
import { vpnFactory } from '../test/integration/failover-kit';
import { startLibsqlHttpStandIn } from '../test/standins/libsql-http/server';

const HOSTS = ['rt0', 'rt1', 'rt2'];

/** Each host's current boot: a Last Will names the boot it ends (ingest ignores one of an older boot). */
const boots = new Map<string, string>();

/** A host coming up (presence + heartbeat under a fresh boot id), or its Last Will (online false, same boot). */
function agentMessages(now: number, hosts = HOSTS, online = true): AgentMessage[] {
  const out: AgentMessage[] = [];
  for (const hostId of hosts) {
    if (online || !boots.has(hostId)) boots.set(hostId, cryptoIds.uuid());
    const bootId = boots.get(hostId)!;
    const msgs = online
      ? [['presence', { v: 1, hostId, bootId, online: true, at: now }], ['heartbeat', { v: 1, hostId, bootId, seq: 0, at: now, observedGeneration: 0, count: 0, quota: -1, load: 0 }]] as const
      : [['presence', { v: 1, hostId, bootId, online: false, at: now }]] as const;
    for (const [kind, payload] of msgs) {
      const r = classify(`berth/v1/hosts/${hostId}/${kind}`, JSON.stringify(payload));
      if (!r.ok) throw new Error(`bench message refused: ${r.reason}`);
      out.push(r.msg);
    }
  }
  return out;
}

export async function roundTripsOverHttp(dbPath: string, creates: number): Promise<{ create: number[]; placingStep: number[]; failoverStep: number[]; idleStep: number[] }> {
  const standIn = await startLibsqlHttpStandIn({ path: dbPath });
  const database = await openDatabase({ url: standIn.url });
  try {
    await applyMigrations(database);
    const config = {
      port: 0, host: '127.0.0.1', dbUrl: standIn.url, mqttPort: 0, adminToken: 'bench-admin-token-0123456789',
      agentToken: 'bench-agent-token-0123456789', secretKey: 'bench-secret-key-0123456789', adminTenantId: 'admin', maxBodyBytes: 1 << 20,
    };
    const deps: Deps = { database, clock: systemClock, ids: cryptoIds, logger: silentLogger, config, publisher: nullPublisher, secrets: new SecretBox(config.secretKey) };
    const app = createApp(deps);
    const create: number[] = [];
    const api: Api = async (method, path, body) => {
      const before = database.roundTrips.total;
      const res = await app.request(path, { method, headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (method === 'POST' && path === '/v2.0/vpn/ipsec-site-connections') create.push(database.roundTrips.total - before);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    };
    await applyAgentBatch(deps, agentMessages(systemClock.now()));
    const factory = await vpnFactory(api);
    const step = async () => {
      const before = database.roundTrips.total;
      const r = await controllerStep(deps, { holder: 'bench', leaseTtlMs: 10_000 });
      return { rt: database.roundTrips.total - before, types: new Set(r.applied.map((a) => a.type)) };
    };
    await step(); // takes the lease
    // A new leader judges no host during its grace (hostDeadAfter, 2 s): wait it out so failover steps act.
    await new Promise((r) => setTimeout(r, 2500));
    const placingStep: number[] = [];
    const failoverStep: number[] = [];
    const idleStep: number[] = [];
    for (let i = 0; i < creates; i++) {
      await applyAgentBatch(deps, agentMessages(systemClock.now())); // every host heard from just now
      await factory.vpn(100 + i);
      const placing = await step(); // a create only marks the container; the controller places it
      if (placing.types.has('place')) placingStep.push(placing.rt);
      // The host the create placed it on sends its Last Will: the next step moves its containers.
      const placed = await database.client.execute('SELECT host_id FROM containers WHERE host_id IS NOT NULL LIMIT 1');
      const victim = String(placed.rows[0]?.host_id ?? HOSTS[0]);
      await applyAgentBatch(deps, agentMessages(systemClock.now(), [victim], false));
      const s = await step();
      if (s.types.has('reschedule') || s.types.has('setDown')) failoverStep.push(s.rt);
      const idle = await step(); // nothing left to do
      if (idle.types.size === 0) idleStep.push(idle.rt);
    }
    // A figure the report needs must not silently go missing (it did: Last Wills of a wrong boot were ignored).
    if (placingStep.length === 0 || failoverStep.length === 0 || idleStep.length === 0) {
      throw new Error(`controller steps not measured: placing ${placingStep.length}, failover ${failoverStep.length}, idle ${idleStep.length}`);
    }
    return { create, placingStep, failoverStep, idleStep };
  } finally {
    database.close();
    await standIn.close();
  }
}

/** One Neutron write verb: its label, method, path and body (ids filled in from earlier creates). */
type Verb = readonly [label: string, method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown];

/**
 * The round trips of every Neutron write verb berth implements, one sample each (the counts are deterministic):
 * a VPN built up (creates, the router interface), every resource updated, then torn down in dependency order.
 * Throws if any verb does not succeed, so a count never belongs to an error path.
 */
export async function neutronWriteRoundTrips(dbPath: string): Promise<Record<string, number>> {
  const standIn = await startLibsqlHttpStandIn({ path: dbPath });
  const database = await openDatabase({ url: standIn.url });
  try {
    await applyMigrations(database);
    const config = {
      port: 0, host: '127.0.0.1', dbUrl: standIn.url, mqttPort: 0, adminToken: 'bench-admin-token-0123456789',
      agentToken: 'bench-agent-token-0123456789', secretKey: 'bench-secret-key-0123456789', adminTenantId: 'admin', maxBodyBytes: 1 << 20,
    };
    const deps: Deps = { database, clock: systemClock, ids: cryptoIds, logger: silentLogger, config, publisher: nullPublisher, secrets: new SecretBox(config.secretKey) };
    const app = createApp(deps);
    const counts: Record<string, number> = {};
    const ids: Record<string, string> = {};
    const run = async ([label, method, path, body]: Verb): Promise<any> => {
      const before = database.roundTrips.total;
      const res = await app.request(path, { method, headers: { authorization: `Bearer ${config.adminToken}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      counts[label] = database.roundTrips.total - before;
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${label}: HTTP ${res.status} ${text.slice(0, 300)}`);
      return text ? JSON.parse(text) : undefined;
    };
    const create = async (label: string, path: string, key: string, body: unknown) => {
      ids[key] = (await run([label, 'POST', path, body]))[key].id;
      return ids[key];
    };
    const ext = await create('create network', '/v2.0/networks', 'network', { network: { name: 'public', 'router:external': true } });
    const extSub = await create('create subnet', '/v2.0/subnets', 'subnet', { subnet: { network_id: ext, cidr: '1.0.0.0/24', ip_version: 4 } });
    const net = await create('create network', '/v2.0/networks', 'network', { network: { name: 'net' } });
    const sub = await create('create subnet', '/v2.0/subnets', 'subnet', { subnet: { network_id: net, cidr: '10.1.0.0/24', ip_version: 4 } });
    const router = await create('create router', '/v2.0/routers', 'router', {
      router: { name: 'router', external_gateway_info: { network_id: ext, external_fixed_ips: [{ subnet_id: extSub, ip_address: '1.0.0.10' }] } },
    });
    await run(['add_router_interface', 'PUT', `/v2.0/routers/${router}/add_router_interface`, { subnet_id: sub }]);
    const ike = await create('create IKE policy', '/v2.0/vpn/ikepolicies', 'ikepolicy', { ikepolicy: { name: 'ike' } });
    const ipsec = await create('create IPsec policy', '/v2.0/vpn/ipsecpolicies', 'ipsecpolicy', { ipsecpolicy: { name: 'ipsec' } });
    const svc = await create('create VPN service', '/v2.0/vpn/vpnservices', 'vpnservice', { vpnservice: { name: 'vpn', router_id: router, subnet_id: sub } });
    const eg = await create('create endpoint group', '/v2.0/vpn/endpoint-groups', 'endpoint_group', { endpoint_group: { name: 'peers', type: 'cidr', endpoints: ['172.17.0.0/24'] } });
    const conn = await create('create site connection', '/v2.0/vpn/ipsec-site-connections', 'ipsec_site_connection', {
      ipsec_site_connection: {
        name: 'conn', vpnservice_id: svc, ikepolicy_id: ike, ipsecpolicy_id: ipsec,
        peer_address: '2.0.0.1', peer_id: '2.0.0.1', peer_cidrs: ['172.16.1.0/24'], psk: 'psk-1-0123456789',
      },
    });
    const verbs: Verb[] = [
      ['update network', 'PUT', `/v2.0/networks/${net}`, { network: { name: 'net-2' } }],
      ['update subnet', 'PUT', `/v2.0/subnets/${sub}`, { subnet: { name: 'sub-2' } }],
      ['update router', 'PUT', `/v2.0/routers/${router}`, { router: { name: 'router-2' } }],
      ['update IKE policy', 'PUT', `/v2.0/vpn/ikepolicies/${ike}`, { ikepolicy: { name: 'ike-2' } }],
      ['update IPsec policy', 'PUT', `/v2.0/vpn/ipsecpolicies/${ipsec}`, { ipsecpolicy: { name: 'ipsec-2' } }],
      ['update VPN service', 'PUT', `/v2.0/vpn/vpnservices/${svc}`, { vpnservice: { name: 'vpn-2' } }],
      ['update endpoint group', 'PUT', `/v2.0/vpn/endpoint-groups/${eg}`, { endpoint_group: { name: 'peers-2' } }],
      ['update site connection', 'PUT', `/v2.0/vpn/ipsec-site-connections/${conn}`, { ipsec_site_connection: { peer_cidrs: ['172.16.2.0/24'] } }],
      ['delete site connection', 'DELETE', `/v2.0/vpn/ipsec-site-connections/${conn}`],
      ['delete VPN service', 'DELETE', `/v2.0/vpn/vpnservices/${svc}`],
      ['delete endpoint group', 'DELETE', `/v2.0/vpn/endpoint-groups/${eg}`],
      ['delete IKE policy', 'DELETE', `/v2.0/vpn/ikepolicies/${ike}`],
      ['delete IPsec policy', 'DELETE', `/v2.0/vpn/ipsecpolicies/${ipsec}`],
      ['remove_router_interface', 'PUT', `/v2.0/routers/${router}/remove_router_interface`, { subnet_id: sub }],
      ['delete router', 'DELETE', `/v2.0/routers/${router}`],
      ['delete subnet', 'DELETE', `/v2.0/subnets/${sub}`],
      ['delete network', 'DELETE', `/v2.0/networks/${net}`],
    ];
    for (const v of verbs) await run(v);
    return counts;
  } finally {
    database.close();
    await standIn.close();
  }
}
