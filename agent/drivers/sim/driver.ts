// The sim driver: containers in memory, persisted to the state directory (so a restarted agent adopts them),
// with fault injection. Used by tests, demos and fleet benchmarks; it reports simulated tunnels.
import { join } from 'node:path';
import { z } from 'zod';
import { systemClock, type Clock } from '../../../shared/clock';
import { containerAddresses } from '../../../shared/protocol/addresses';
import { zDesiredContainer, type TunnelReport } from '../../../shared/protocol/messages';
import { ensureDir, FileWriter, readJsonIfExists } from '../../files';
import { DriverError, type ContainerHealth, type ContainerSpec, type Driver, type ObservedContainer } from '../contract';
import { faultApplies, type SimFaults } from './faults';

/** Simulated traffic through an up tunnel: bytes per second each way (a packet is 100 bytes). */
const SIM_BYTES_IN_PER_S = 1200;
const SIM_BYTES_OUT_PER_S = 800;

/**
 * Plausible telemetry for a tunnel up since `upAt`: its CHILD_SA is rekeyed every lifetime, and the counters
 * count since the last rekey (as strongSwan's per-SA counters do), growing with the clock in between.
 */
export function simTraffic(upAt: number, lifetimeSeconds: number, now: number) {
  const period = lifetimeSeconds * 1000;
  const sinceUp = Math.max(0, now - upAt);
  const lastRekeyAt = upAt + Math.floor(sinceUp / period) * period;
  const s = (now - lastRekeyAt) / 1000;
  const bytesIn = Math.floor(s * SIM_BYTES_IN_PER_S);
  const bytesOut = Math.floor(s * SIM_BYTES_OUT_PER_S);
  return { bytesIn, bytesOut, packetsIn: Math.floor(bytesIn / 100), packetsOut: Math.floor(bytesOut / 100), establishedAt: upAt, lastRekeyAt };
}

export const SIM_STATE_FILE = 'sim-driver.json';

const zRecord = z.object({
  spec: zDesiredContainer,
  incarnation: z.string(),
  /** Epoch ms after which the container is RUNNING (slow start). */
  runningAt: z.number(),
  crashed: z.boolean(),
});
type SimRecord = z.infer<typeof zRecord>;

const zState = z.object({
  createCount: z.number().int(),
  updateCount: z.number().int(),
  deleteCount: z.number().int(),
  containers: z.array(zRecord),
});
/** What the sim keeps on disk (also read by tests: createCount proves adoption did not recreate). */
export type SimState = z.infer<typeof zState>;

export interface SimDriverOptions {
  /** Where to persist containers; omitted = memory only (benchmarks with many agents in one process). */
  stateDir?: string;
  faults?: SimFaults;
  clock?: Clock;
  /** Memory-only state to start from and keep writing to (the simulation's stand-in for a host's disk). */
  state?: SimState;
}

export class SimDriver implements Driver {
  readonly name = 'sim';
  private faults: SimFaults;
  private readonly pendingHangs = new Set<(e: Error) => void>();
  private closed = false;

  private constructor(
    private readonly state: SimState,
    private readonly writer: FileWriter | null,
    private readonly clock: Clock,
    faults: SimFaults,
  ) {
    this.faults = { ...faults };
    this.applyCrashFaults();
  }

  static async open(opts: SimDriverOptions = {}): Promise<SimDriver> {
    let state: SimState = opts.state ?? { createCount: 0, updateCount: 0, deleteCount: 0, containers: [] };
    let writer: FileWriter | null = null;
    if (opts.stateDir) {
      await ensureDir(opts.stateDir);
      const path = join(opts.stateDir, SIM_STATE_FILE);
      const raw = await readJsonIfExists(path);
      if (raw !== undefined) {
        const r = zState.safeParse(raw);
        if (!r.success) throw new Error(`${path} is not a sim driver state file`);
        state = r.data;
      }
      writer = new FileWriter(path);
    }
    return new SimDriver(state, writer, opts.clock ?? systemClock, opts.faults ?? {});
  }

  /** Replace the fault set (crash faults apply at once to existing containers). */
  setFaults(faults: SimFaults): void {
    this.faults = { ...faults };
    this.applyCrashFaults();
  }

  /** Crash one container now (it reports ERROR until deleted). */
  async crash(id: string): Promise<void> {
    const r = this.find(id);
    if (!r) throw new DriverError('NOT_FOUND', `no container ${id}`);
    r.crashed = true;
    await this.persist();
  }

  stats(): { createCount: number; updateCount: number; deleteCount: number } {
    const { createCount, updateCount, deleteCount } = this.state;
    return { createCount, updateCount, deleteCount };
  }

  async list(): Promise<ObservedContainer[]> {
    this.assertOpen();
    return this.state.containers.map((r) => this.observe(r));
  }

  async create(spec: ContainerSpec): Promise<ObservedContainer> {
    this.assertOpen();
    if (this.find(spec.id)) throw new DriverError('EXISTS', `container ${spec.id} already exists`);
    if (this.faults.flakyCreate && this.faults.flakyCreate > 0) {
      this.faults.flakyCreate -= 1;
      throw new DriverError('UNAVAILABLE', 'simulated transient create failure');
    }
    if (faultApplies(this.faults.failCreate, spec.id)) throw new DriverError('FAILED', 'simulated create failure');
    const r: SimRecord = {
      spec: structuredClone(spec),
      incarnation: crypto.randomUUID(),
      runningAt: this.clock.now() + (this.faults.slowStartMs ?? 0),
      crashed: (this.faults.crash ?? []).includes(spec.id),
    };
    this.state.containers.push(r);
    this.state.createCount += 1;
    await this.persist();
    return this.observe(r);
  }

  async update(spec: ContainerSpec, _previous: ContainerSpec): Promise<ObservedContainer> {
    this.assertOpen();
    const r = this.find(spec.id);
    if (!r) throw new DriverError('NOT_FOUND', `no container ${spec.id}`);
    // In place: same incarnation, running state kept — like reloading only the changed connections.
    r.spec = structuredClone(spec);
    this.state.updateCount += 1;
    await this.persist();
    return this.observe(r);
  }

  async delete(id: string): Promise<void> {
    this.assertOpen();
    const i = this.state.containers.findIndex((r) => r.spec.id === id);
    if (i < 0) return;
    this.state.containers.splice(i, 1);
    this.state.deleteCount += 1;
    await this.persist();
  }

  async health(id: string): Promise<ContainerHealth> {
    this.assertOpen();
    const r = this.find(id);
    if (!r) throw new DriverError('NOT_FOUND', `no container ${id}`);
    if (faultApplies(this.faults.hangHealth, id)) {
      return new Promise((_resolve, reject) => { this.pendingHangs.add(reject); });
    }
    const o = this.observe(r);
    return { status: o.status, message: o.message, tunnels: this.tunnels(r, o.status) };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const reject of this.pendingHangs) reject(new DriverError('UNAVAILABLE', 'driver closed'));
    this.pendingHangs.clear();
    await this.writer?.flush();
  }

  private find(id: string): SimRecord | undefined {
    return this.state.containers.find((r) => r.spec.id === id);
  }

  private observe(r: SimRecord): ObservedContainer {
    const status = r.crashed ? 'ERROR' : this.clock.now() < r.runningAt ? 'STARTING' : 'RUNNING';
    return {
      id: r.spec.id,
      spec: structuredClone(r.spec),
      status,
      message: r.crashed ? 'CRASHED: simulated container crash' : '',
      // The linux driver names the namespace after the interface (vpn-xxxxxxxx); the sim mirrors it.
      namespace: r.spec.interfaceName,
      interfaceName: r.spec.interfaceName,
      addresses: containerAddresses(r.spec.config),
      incarnation: r.incarnation,
    };
  }

  private tunnels(r: SimRecord, status: string): TunnelReport[] {
    return r.spec.config.connections.map((c): TunnelReport => {
      if (!c.adminStateUp) return { connectionId: c.id, state: 'down', message: 'admin state down' };
      if (status === 'RUNNING') return { connectionId: c.id, state: 'up', ikeState: 'ESTABLISHED', childState: 'INSTALLED', ...simTraffic(r.runningAt, c.ipsec.lifetimeSeconds, this.clock.now()) };
      if (status === 'STARTING') return { connectionId: c.id, state: 'connecting', ikeState: 'CONNECTING' };
      return { connectionId: c.id, state: 'down' };
    });
  }

  private applyCrashFaults(): void {
    let changed = false;
    for (const id of this.faults.crash ?? []) {
      const r = this.find(id);
      if (r && !r.crashed) r.crashed = changed = true;
    }
    if (changed) void this.persist().catch(() => {});
  }

  private async persist(): Promise<void> {
    await this.writer?.write(this.state);
  }

  private assertOpen(): void {
    if (this.closed) throw new DriverError('UNAVAILABLE', 'driver closed');
  }
}
