// One simulated berth in one process: the real control plane (Hono app for API writes, two leased controller
// replicas with their drains, the outbox relay, ingest) over a real libSQL file database, an in-process broker,
// and sim agents (agent/agent.ts with the sim driver) — all on fake timers, so a seed fixes every ordering.
// Faults are applied through the handles below; test/sim/faults.ts decides when.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../../functions/app';
import type { Config } from '../../functions/config';
import { Controller } from '../../functions/controller/tick';
import { DEFAULT_TIMERS } from '../../functions/controller/types';
import type { Database, Db } from '../../functions/db/client';
import type { Deps, Publisher } from '../../functions/deps';
import { databaseIdentity } from '../../functions/db/schema';
import { IngestBatcher } from '../../functions/ingest/batcher';
import { markAllHostsDirty, runRelay, CONTROLLER_LEASE } from '../../functions/relay/relay';
import { drainTick } from '../../functions/services/hosts/drain';
import { startAgent, type Fence, type RunningAgent } from '../../agent/agent';
import { SimDriver, type SimState } from '../../agent/drivers/sim/driver';
import { judgeVersion, type Mark } from '../../agent/fence';
import { compareVersions } from '../../shared/protocol/messages';
import { MemoryBroker, MemoryLink, type NetworkHooks } from '../../agent/link-memory';
import type { Clock } from '../../shared/clock';
import type { Ids } from '../../shared/ids';
import type { Logger } from '../../shared/logger';
import { silentLogger } from '../../shared/logger';
import { AGENT_PUBLISHES, topics } from '../../shared/protocol/topics';
import { sql } from 'drizzle-orm';
import { syncSecretBox } from './crypto';
import { openSimDatabase, type SimDbControl } from './database';
import type { Rng } from './rng';

export const ADMIN_TOKEN = 'sim-admin-token-0123456789abcdef';
export const SIM_TIMERS = DEFAULT_TIMERS;
/** The agent's defaults (agent/flags.ts). */
export const AGENT_HEARTBEAT_MS = 500;
export const AGENT_SELF_FENCE_MS = 1500;
const TICK_MS = 250;

/** Sim time as the components see it (Date is faked: this is the simulated clock). */
export const simClock: Clock = { now: () => Date.now() };

/** Fencing mark kept in memory, surviving agent restarts "with state" (the host's disk). */
class MemoryFence implements Fence {
  constructor(private readonly disk: { mark: Mark | null }) {}
  current() {
    return this.disk.mark;
  }
  judge(doc: Mark) {
    return judgeVersion(doc, this.disk.mark);
  }
  /** As FenceStore.advance (agent/fence.ts), in memory. */
  async advance(doc: Mark) {
    const m = this.disk.mark;
    if (m) {
      const c = compareVersions(doc, m);
      if (c < 0 || (c === 0 && doc.database === m.database)) return;
    }
    this.disk.mark = { epoch: doc.epoch, generation: doc.generation, ...(doc.database ? { database: doc.database } : {}) };
  }
}

export interface SimAgent {
  hostId: string;
  /** The host's disk: sim driver containers and the fencing mark. */
  disk: { state: SimState; mark: Mark | null };
  running: RunningAgent | null;
  driver: SimDriver | null;
  /** Desired documents this host's agents accepted, in order (epoch, generation). */
  accepted: Mark[];
}

export interface Replica {
  holder: string;
  controller: Controller;
  /** SIGSTOPped: no tick starts, and a write in flight waits until resumed. */
  paused: boolean;
  resume: (() => void)[];
}

export interface Violation { at: number; invariant: string; detail: string }

export class World {
  readonly broker: MemoryBroker;
  readonly dbControl: SimDbControl = { busy: 0, busyAnswered: 0 };
  database!: Database;
  deps!: Deps;
  ingest!: IngestBatcher;
  app!: ReturnType<typeof createApp>;
  control!: MemoryLink;
  hearingSince: number | null = null;
  replicas: Replica[] = [];
  agents = new Map<string, SimAgent>();
  violations: Violation[] = [];
  /** HTTP answers ≥ 500 (each is a violation). */
  serverErrors = 0;
  /** 503 answers (database busy: the client is told to retry). */
  unavailable = 0;
  /** Database generations: files swapped in by reset/restore. */
  dbFiles = 0;
  private timers: ReturnType<typeof setInterval>[] = [];
  /** The migrated, empty database every run starts from (also what a reset installs). */
  templateDb = '';

  constructor(readonly dir: string, readonly rng: Rng, hooks: NetworkHooks, private readonly ids: Ids, readonly logger: Logger = silentLogger) {
    this.broker = new MemoryBroker(simClock, hooks);
  }

  violate(invariant: string, detail: string): void {
    this.violations.push({ at: simClock.now(), invariant, detail });
  }

  async start(templateDb: string, hostIds: string[]): Promise<void> {
    this.templateDb = templateDb;
    const path = this.nextDbPath();
    copyFileSync(templateDb, path);
    this.database = await openSimDatabase(path, simClock, this.dbControl);
    const config: Config = {
      port: 0, host: '127.0.0.1', dbUrl: `file:${path}`, mqttPort: 0, adminToken: ADMIN_TOKEN,
      agentToken: 'sim-agent-token-0123456789abcdef', secretKey: 'sim-secret-key-0123456789abcdef', adminTenantId: 'admin', maxBodyBytes: 64 * 1024,
    };
    const publisher: Publisher = { publish: (topic, payload, opts) => this.control.publish(topic, payload, opts) };
    this.deps = { database: this.database, clock: simClock, ids: this.ids, logger: this.logger, config, publisher, secrets: syncSecretBox(config.secretKey, this.rng) };
    this.app = createApp(this.deps);
    this.ingest = new IngestBatcher(this.deps);
    await this.newIdentity(this.database);
    this.connectControl();
    for (const holder of ['cp-a', 'cp-b']) this.startReplica(holder);
    // The outbox relay runs in every replica; one relay loop stands for them (it is not leased).
    this.every(TICK_MS, () => runRelay(this.deps).then(() => undefined));
    for (const h of hostIds) {
      const a: SimAgent = { hostId: h, disk: { state: emptyDisk(), mark: null }, running: null, driver: null, accepted: [] };
      this.agents.set(h, a);
      await this.startAgent(a);
    }
  }

  /** The control plane's own broker connection: ingest subscriptions, the relay's publishes, "hearing since". */
  private connectControl(): void {
    this.control = new MemoryLink(this.broker, simClock, 'berth-control', {
      hostId: 'berth-control', url: 'memory://sim', token: '', selfFenceMs: 7500,
      will: { topic: 'berth/v1/control/gone', payload: '{}', qos: 0, retain: false },
    });
    this.control.on('connect', () => {
      this.hearingSince = simClock.now();
      // As functions/node/serve.ts: every (re)connect republishes every host (a restarted broker lost them).
      markAllHostsDirty(this.deps).catch((e) => this.logger.error({ err: String((e as Error)?.message ?? e) }, 'cannot mark hosts for republishing'));
      for (const kind of AGENT_PUBLISHES) this.control.subscribe(topics.allHosts(kind), 1).catch(() => undefined);
    });
    this.control.on('close', () => { this.hearingSince = null; });
    this.control.on('message', (topic, payload) => this.ingest.offer(topic, payload));
    this.timers.push(setInterval(() => this.control.ping(), 1000));
  }

  /** One loop per replica, as functions/node/tick.ts: the leased controller, then the drains under its epoch. */
  private startReplica(holder: string): void {
    const replica: Replica = { holder, paused: false, resume: [], controller: undefined as unknown as Controller };
    const gate = () => (replica.paused ? new Promise<void>((r) => replica.resume.push(r)) : Promise.resolve());
    const world = this;
    // The replica's view of the database: every write waits while the process is stopped, and each committed
    // write that did not move the lease is checked against the lease it claims (the stale-epoch invariant).
    const database = {
      get db() { return world.database.db; },
      get client() { return world.database.client; },
      close: () => undefined,
      write: async <T>(fn: (tx: Db) => Promise<T>): Promise<T> => {
        await gate();
        return world.database.write(async (tx) => {
          const before = await leaseAndChanges(tx);
          const r = await fn(tx);
          const after = await leaseAndChanges(tx);
          const wrote = after.changes > before.changes;
          if (wrote && sameLease(before.lease, after.lease) && after.lease) {
            const epoch = replica.controller.epoch;
            const lease = after.lease;
            if (lease.holder !== holder || lease.epoch !== epoch || lease.expiresAt < simClock.now()) {
              world.violate('no write accepted from a stale epoch', `${holder} (believes epoch ${epoch}) committed a write while the lease is ${JSON.stringify(lease)}`);
            }
          }
          return r;
        });
      },
    } as unknown as Database;
    const deps = { ...this.deps, get database() { return database; } } as Deps;
    replica.controller = new Controller(deps, { holder, timers: SIM_TIMERS, hearingSince: () => this.hearingSince });
    this.replicas.push(replica);
    this.every(TICK_MS, async () => {
      if (replica.paused) return;
      const r = await replica.controller.tick();
      if (r.epoch !== null) await drainTick(deps, r.epoch, SIM_TIMERS);
    });
  }

  pauseReplica(i: number): void {
    this.replicas[i].paused = true;
  }

  resumeReplica(i: number): void {
    const r = this.replicas[i];
    r.paused = false;
    for (const f of r.resume.splice(0)) f();
  }

  /** A periodic pass that never overlaps itself; a failing pass is logged (as in production) and retried. */
  private every(ms: number, pass: () => Promise<void>): void {
    let running = false;
    this.timers.push(setInterval(() => {
      if (running) return;
      running = true;
      pass().catch((e) => this.logger.error({ err: String((e as Error)?.message ?? e) }, 'sim pass failed')).finally(() => { running = false; });
    }, ms));
  }

  async startAgent(a: SimAgent): Promise<void> {
    const driver = await SimDriver.open({ state: a.disk.state, clock: simClock });
    const own = (o: Record<string, unknown>) => ({ agent: a.hostId, ...o });
    const log: Logger = {
      debug: (o, m) => this.logger.debug(own(o), m),
      info: (o, m) => {
        if (m === 'desired state accepted') a.accepted.push({ epoch: o.epoch as number, generation: o.generation as number });
        this.logger.info(own(o), m);
      },
      warn: (o, m) => this.logger.warn(own(o), m),
      error: (o, m) => this.logger.error(own(o), m),
    };
    a.driver = driver;
    a.running = await startAgent({
      hostId: a.hostId, mqttUrl: 'memory://sim', token: 'sim', containerLimit: -1, enforceContainerLimit: false,
      heartbeatMs: AGENT_HEARTBEAT_MS, selfFenceMs: AGENT_SELF_FENCE_MS,
    }, {
      driver, fence: new MemoryFence(a.disk), logger: log, clock: simClock, hostLoad: () => 0,
      connect: (o) => new MemoryLink(this.broker, simClock, `berth-agent-${o.hostId}`, o),
    });
  }

  /** kill -9 of the agent process (containers stay on the host). */
  async crashAgent(a: SimAgent): Promise<void> {
    a.running?.kill();
    await a.driver?.close();
    a.running = null;
    a.driver = null;
  }

  /** The host was reinstalled: its containers and its fencing mark are gone. */
  wipeHost(a: SimAgent): void {
    a.disk.state = emptyDisk();
    a.disk.mark = null;
  }

  /** A consistent copy of the live database (VACUUM INTO), for a later restore. */
  async backup(): Promise<string> {
    const path = join(this.dir, `backup-${this.dbFiles}-${simClock.now()}.db`);
    await this.database.client.execute(`VACUUM INTO '${path}'`);
    return path;
  }

  /** The control plane's database is replaced (a fresh install, or a restored backup); processes keep running. */
  async swapDatabase(fromFile: string): Promise<void> {
    const path = this.nextDbPath();
    copyFileSync(fromFile, path);
    const next = await openSimDatabase(path, simClock, this.dbControl);
    // A fresh install makes its own identity at migration time (the template's is shared by every run).
    if (fromFile === this.templateDb) await this.newIdentity(next);
    const old = this.database;
    this.database = next;
    this.deps.database = next;
    setTimeout(() => old.close(), 5000); // writes in flight finish on the old file (as on a replaced server)
  }

  /** A database identity from the seed (migration 0003 makes a random one: not replayable). */
  private async newIdentity(db: Database): Promise<void> {
    const id = this.rng.uuid().replaceAll('-', '');
    // Installing a database is not a write of the running control plane: it must not meet injected BUSY, whose
    // retries wait on simulated timers that only the (awaiting) fault step advances (sim seed 1157 hung there).
    await db.db.update(databaseIdentity).set({ id });
  }

  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await this.app.request(path, {
      method, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // 503 is the designed answer while the database stays busy ("retry the request"); anything else ≥ 500 is a bug.
    if (res.status === 503) this.unavailable++;
    else if (res.status >= 500) {
      this.serverErrors++;
      this.violate('no response >= 500', `${method} ${path} → ${res.status} ${text.slice(0, 300)}`);
    }
    let parsed: any;
    try { parsed = text ? JSON.parse(text) : undefined; } catch { parsed = undefined; }
    return { status: res.status, body: parsed };
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const a of this.agents.values()) await this.crashAgent(a);
    await this.control.end();
    this.broker.close();
    await this.ingest.flush();
  }

  closeDatabase(): void {
    this.database.close();
  }

  private nextDbPath(): string {
    return join(this.dir, `berth-${this.dbFiles++}.db`);
  }
}

const emptyDisk = (): SimState => ({ createCount: 0, updateCount: 0, deleteCount: 0, containers: [] });

type LeaseRow = { holder: string; epoch: number; expiresAt: number } | null;

/** The controller lease and the connection's change count, in one statement (it runs twice per controller write). */
async function leaseAndChanges(tx: Db): Promise<{ lease: LeaseRow; changes: number }> {
  const rows = await tx.all<{ holder: string | null; epoch: number | null; expires_at: number | null; n: number }>(
    sql`SELECT l.holder, l.epoch, l.expires_at, total_changes() AS n FROM (SELECT 1) LEFT JOIN leases l ON l.name = ${CONTROLLER_LEASE}`,
  );
  const r = rows[0];
  const lease = r.holder === null ? null : { holder: r.holder, epoch: Number(r.epoch), expiresAt: Number(r.expires_at) };
  return { lease, changes: Number(r.n) };
}

const sameLease = (a: LeaseRow, b: LeaseRow) => JSON.stringify(a) === JSON.stringify(b);
