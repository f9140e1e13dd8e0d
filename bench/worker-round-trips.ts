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
