// The linux driver (DESIGN 7, 7a): each container is a network namespace with a veth pair plugged into Open
// vSwitch (iface-id = port id), its flows under a per-container cookie, and its own charon. It adopts what an
// earlier agent built (from --state-dir, then by owner tag and cookie) and removes what nothing claims.
import { containerAddresses } from '../../../shared/protocol/addresses';
import type { Logger } from '../../../shared/logger';
import { silentLogger } from '../../../shared/logger';
import { ensureDir } from '../../files';
import { DriverError, type ContainerHealth, type ContainerSpec, type Driver, type ObservedContainer } from '../contract';
import { DatapathAudit } from './audit';
import { Builder, classifyChange } from './build';
import { Charon } from './charon';
import { execRunner, type Runner } from './exec';
import { connectionCounters, parseSas, tunnelReports, type ConnectionCounters, type IkeSa } from './health';
import { cookieHex, driverDir, flowCookie, hostVethOf, namespaceOf, ownerTag } from './names';
import { Netns } from './netns';
import { Ovs, type DatapathType } from './ovs';
import { linuxPrerequisites } from './prereq';
import { RecordStore, recordCookie, type ContainerRecord } from './state';
import type { IpsecBackend } from './swanctl-conf';
import { KeyedLock } from './lock';
import { listSas } from './vici';

export interface LinuxDriverOptions {
  stateDir: string;
  /** --ovs-db (e.g. unix:/run/openvswitch/db.sock); undefined = the system's. */
  ovsDb?: string;
  bridge?: string;
  datapathType?: DatapathType;
  ipsecBackend?: IpsecBackend;
  datapath?: 'standalone' | 'external';
  uplinkPort?: string;
  logger?: Logger;
  run?: Runner;
  /** How long charon may take to answer after start (default 5 s). */
  charonStartTimeoutMs?: number;
  /** Per-command timeout (default 5 s). */
  commandTimeoutMs?: number;
  /** Health reads charon this long at most (below the agent's health timeout). */
  viciTimeoutMs?: number;
}

export class LinuxDriver implements Driver {
  readonly name = 'linux';
  private readonly records = new Map<string, ContainerRecord>();
  private readonly locks = new KeyedLock();
  private closed = false;

  private constructor(
    private readonly o: Required<Pick<LinuxDriverOptions, 'stateDir' | 'bridge' | 'datapathType' | 'ipsecBackend' | 'datapath'>> & LinuxDriverOptions,
    private readonly log: Logger,
    private readonly owner: number,
    private readonly store: RecordStore,
    private readonly netns: Netns,
    private readonly ovs: Ovs,
    private readonly charon: Charon,
    private readonly audit: DatapathAudit,
    private readonly builder: Builder,
    private uplinkOfport: number | null,
  ) {}

  static async open(opts: LinuxDriverOptions): Promise<LinuxDriver> {
    const o = {
      ...opts, bridge: opts.bridge ?? 'br-int', datapathType: opts.datapathType ?? 'system',
      ipsecBackend: opts.ipsecBackend ?? 'kernel', datapath: opts.datapath ?? 'standalone',
    };
    const log = opts.logger ?? silentLogger;
    const run = opts.run ?? execRunner;
    if (!opts.run) {
      const problems = linuxPrerequisites({ datapathType: o.datapathType });
      if (problems.length) throw new DriverError('FAILED', `linux driver: ${problems.join('; ')}`);
    }
    await ensureDir(opts.stateDir);
    await ensureDir(driverDir(opts.stateDir));
    const owner = ownerTag(opts.stateDir);
    const store = new RecordStore(opts.stateDir);
    const netns = new Netns(run, o.datapathType);
    const ovs = new Ovs({ db: o.ovsDb, bridge: o.bridge, datapathType: o.datapathType, run, timeoutMs: o.commandTimeoutMs });
    const charon = new Charon({ run, netns, backend: o.ipsecBackend, startTimeoutMs: o.charonStartTimeoutMs, commandTimeoutMs: o.commandTimeoutMs });
    const standalone = o.datapath === 'standalone';
    const audit = new DatapathAudit(ovs, owner, { standalone, uplinkPort: o.uplinkPort });

    await ovs.ensureBridge();
    let uplink: number | null = null;
    if (standalone && o.uplinkPort) {
      uplink = await ovs.ofportOf(o.uplinkPort);
      if (uplink === null) throw new DriverError('FAILED', `--uplink-port ${o.uplinkPort} is not a port of Open vSwitch (add it to ${o.bridge} first)`);
    }
    let driver: LinuxDriver | undefined;
    const builder = new Builder({ netns, ovs, charon, store, standalone, ownerTag: owner, uplinkOfport: () => driver?.uplinkOfport ?? uplink });
    driver = new LinuxDriver(o, log, owner, store, netns, ovs, charon, audit, builder, uplink);
    await driver.adopt();
    return driver;
  }

  /** At start: keep what an earlier agent built and still exists, remove half-built or broken remains. */
  private async adopt(): Promise<void> {
    const { records, strays } = await this.store.readAll();
    for (const s of strays) {
      // Deleting only the directory would leave its charon running with its key, and the name unusable (issue 10).
      try {
        const removed = await this.builder.teardownOrphan(s);
        this.log.warn({ dir: s, removed }, 'removed a container without a readable record: what its name says exists, then its directory');
      } catch (e) {
        // The directory stays, so the next start tries again; the rest of the host is adopted meanwhile.
        this.log.error({ dir: s, error: (e as Error).message }, 'could not remove a container without a readable record');
      }
    }
    for (const rec of records) {
      const ns = namespaceOf(rec.spec);
      if (rec.phase === 'building' || !Netns.exists(ns)) {
        this.log.warn({ containerId: rec.spec.id, namespace: ns, phase: rec.phase }, rec.phase === 'building'
          ? 'an earlier agent stopped while building this container: removing what it built'
          : 'the namespace of this container is gone (host restarted?): removing its remains');
        await this.builder.teardown(rec);
        continue;
      }
      let adopted = rec;
      const found = await this.charon.find(rec.spec);
      // Never stop a charon here to "fix" a second one: its exit would take the other's routing rule with it.
      if (found.length > 1) this.log.error({ containerId: rec.spec.id, namespace: ns, pids: found }, 'more than one charon runs in this namespace');
      if (!(await this.charon.alive(rec.charonPid, rec.spec))) {
        adopted = { ...rec, charonPid: found[0] ?? null };
        await this.store.write(adopted);
      }
      this.records.set(rec.spec.id, adopted);
      this.log.info({ containerId: rec.spec.id, namespace: ns, charonPid: adopted.charonPid }, 'adopted a container built by an earlier agent');
    }
    await this.audit.sweep([...this.records.values()], this.log);
  }

  private observe(rec: ContainerRecord, alive: boolean): ObservedContainer {
    return {
      id: rec.spec.id,
      spec: structuredClone(rec.spec),
      status: alive ? 'RUNNING' : 'ERROR',
      message: alive ? '' : `CRASHED: charon of ${namespaceOf(rec.spec)} is not running`,
      namespace: namespaceOf(rec.spec),
      interfaceName: hostVethOf(rec.spec),
      // What the build assigned (netns.ts assigns exactly this list); not re-read from the kernel on every poll.
      addresses: containerAddresses(rec.spec.config),
      incarnation: rec.incarnation,
    };
  }

  private async isUp(rec: ContainerRecord): Promise<boolean> {
    return Netns.exists(namespaceOf(rec.spec)) && (await this.charon.alive(rec.charonPid, rec.spec));
  }

  async list(): Promise<ObservedContainer[]> {
    this.assertOpen();
    const recs = [...this.records.values()];
    return Promise.all(recs.map(async (r) => this.observe(r, await this.isUp(r))));
  }

  async create(spec: ContainerSpec): Promise<ObservedContainer> {
    this.assertOpen();
    return this.locks.run(spec.id, async () => {
      if (this.records.has(spec.id)) throw new DriverError('EXISTS', `container ${spec.id} already exists`);
      const clash = [...this.records.values()].find((r) => r.spec.interfaceName === spec.interfaceName);
      if (clash) throw new DriverError('FAILED', `interface name ${spec.interfaceName} is already used by container ${clash.spec.id}`);
      if (Netns.exists(namespaceOf(spec))) throw new DriverError('FAILED', `namespace ${namespaceOf(spec)} already exists and was not created by this agent`);
      if (Netns.linkExists(hostVethOf(spec))) throw new DriverError('UNAVAILABLE', `a network interface named ${hostVethOf(spec)} already exists`);
      const rec: ContainerRecord = {
        v: 1, spec: structuredClone(spec), incarnation: crypto.randomUUID(), cookie: cookieHex(this.freshCookie(spec.id)),
        phase: 'building', charonPid: null, ofport: null, builtAt: Date.now(),
      };
      // The record first: a crash from here on leaves something the next start finds and removes.
      await this.store.write(rec);
      const built = await this.builder.build(rec);
      await this.store.write(built);
      this.records.set(spec.id, built);
      this.audit.invalidate();
      this.log.info({ containerId: spec.id, namespace: namespaceOf(spec), ofport: built.ofport, charonPid: built.charonPid }, 'container built');
      return this.observe(built, true);
    });
  }

  async update(spec: ContainerSpec, _previous: ContainerSpec): Promise<ObservedContainer> {
    this.assertOpen();
    return this.locks.run(spec.id, async () => {
      const rec = this.records.get(spec.id);
      if (!rec) throw new DriverError('NOT_FOUND', `no container ${spec.id}`);
      let next: ContainerRecord;
      if (classifyChange(rec.spec, spec).rebuild) {
        // The port or external IP changed: the namespace is rebuilt (a new incarnation).
        this.log.info({ containerId: spec.id }, 'port or external IP changed: rebuilding the container');
        await this.builder.teardown(rec);
        this.records.delete(spec.id);
        const fresh: ContainerRecord = { ...rec, spec: structuredClone(spec), incarnation: crypto.randomUUID(), phase: 'building', charonPid: null, ofport: null, builtAt: Date.now() };
        await this.store.write(fresh);
        next = await this.builder.build(fresh);
      } else {
        next = await this.builder.reconfigure(rec, structuredClone(spec));
      }
      await this.store.write(next);
      this.records.set(spec.id, next);
      return this.observe(next, await this.isUp(next));
    });
  }

  async delete(id: string): Promise<void> {
    this.assertOpen();
    return this.locks.run(id, async () => {
      const rec = this.records.get(id);
      if (!rec) return;
      await this.builder.teardown(rec);
      this.records.delete(id);
      this.audit.invalidate();
      this.log.info({ containerId: id, namespace: namespaceOf(rec.spec) }, 'container removed');
    });
  }

  async health(id: string): Promise<ContainerHealth> {
    this.assertOpen();
    const rec = this.records.get(id);
    if (!rec) throw new DriverError('NOT_FOUND', `no container ${id}`);
    const ns = namespaceOf(rec.spec);
    if (!Netns.exists(ns)) return { status: 'ERROR', message: `CRASHED: namespace ${ns} is gone`, tunnels: [] };
    if (!(await this.charon.alive(rec.charonPid, rec.spec))) {
      return { status: 'ERROR', message: `CRASHED: charon of ${ns} is not running: ${await this.charon.tail(this.store.paths(rec.spec.interfaceName))}`, tunnels: [] };
    }
    const portProblem = await this.checkDatapath(rec);
    if (portProblem) return { status: 'ERROR', message: `CRASHED: ${portProblem}`, tunnels: [] };
    const paths = this.store.paths(rec.spec.interfaceName);
    try {
      const sas = parseSas(await listSas(paths.vici, this.o.viciTimeoutMs ?? 700));
      return { status: 'RUNNING', message: '', tunnels: tunnelReports(rec.spec.config, sas, Date.now()) };
    } catch (e) {
      return { status: 'ERROR', message: `HEALTH_FAILED: ${(e as Error).message}`, tunnels: [] };
    }
  }

  /** SA counters per connection (what "ESP crosses the tunnel" means with the userspace ESP backend). */
  async counters(id: string): Promise<ConnectionCounters[]> {
    const rec = this.records.get(id);
    if (!rec) throw new DriverError('NOT_FOUND', `no container ${id}`);
    return connectionCounters(rec.spec.config, parseSas(await listSas(this.store.paths(rec.spec.interfaceName).vici)));
  }

  /** The container's IKE_SAs and CHILD_SAs as charon reports them now. */
  async sas(id: string): Promise<IkeSa[]> {
    const rec = this.records.get(id);
    if (!rec) throw new DriverError('NOT_FOUND', `no container ${id}`);
    return parseSas(await listSas(this.store.paths(rec.spec.interfaceName).vici));
  }

  /** What the driver keeps for a container (tests and operators: pid, cookie, ofport, incarnation). */
  record(id: string): Readonly<ContainerRecord> | undefined {
    return this.records.get(id);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /**
   * The container's OVS port must exist without error; its flows are rewritten when they are all gone (an
   * ovs-vswitchd restart or a flushed bridge) or its port number or the uplink's changed. Returns a problem.
   */
  private async checkDatapath(rec: ContainerRecord): Promise<string | null> {
    const snap = await this.audit.snapshot();
    const port = snap.ports.get(rec.spec.id);
    if (!port) return `OVS port ${hostVethOf(rec.spec)} is gone from ${this.ovs.bridge}`;
    if (port.error || port.ofport <= 0) return `OVS port ${port.name} failed: ${port.error || `ofport ${port.ofport}`}`;
    if (this.o.datapath !== 'standalone') return null;
    const uplinkMoved = snap.uplinkOfport !== this.uplinkOfport && !(this.o.uplinkPort && snap.uplinkOfport === null);
    const flowsLost = (snap.flows.get(recordCookie(rec)) ?? 0) === 0;
    if (!flowsLost && port.ofport === rec.ofport && !uplinkMoved) return null;
    await this.locks.run(rec.spec.id, async () => {
      const current = this.records.get(rec.spec.id);
      if (!current) return;
      if (uplinkMoved) this.uplinkOfport = snap.uplinkOfport;
      await this.builder.rewriteFlows(current, port.ofport);
      const next = { ...current, ofport: port.ofport };
      await this.store.write(next);
      this.records.set(rec.spec.id, next);
      this.audit.invalidate();
      this.log.warn({ containerId: rec.spec.id, ofport: port.ofport, flowsLost, uplinkMoved }, 'rewrote the flows of a container');
    });
    return null;
  }

  /** A cookie no other container of this agent uses (hash collisions get a salt). */
  private freshCookie(id: string): bigint {
    const used = new Set([...this.records.values()].map((r) => recordCookie(r)));
    for (let salt = 0; ; salt++) {
      const c = flowCookie(this.owner, id, salt);
      if (!used.has(c)) return c;
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new DriverError('UNAVAILABLE', 'driver closed');
  }
}
