// The seeded fault scheduler: which faults exist, how each is injected and healed. Decisions come only from the
// world's seeded RNG, so a seed replays the same schedule.
import type { Delivery, NetworkHooks } from '../../agent/link-memory';
import type { Rng } from './rng';
import type { World } from './world';

export const FAULT_KINDS = [
  'agentCrash', // kill -9, restarted later with its state (containers, fencing mark)
  'agentWipe', // kill -9, restarted later on a reinstalled host (no containers, no mark)
  'partition', // one host cut off from the broker, healed later
  'controlPartition', // the control plane cut off from the broker
  'loss', // messages lost for a while (a lost QoS 1 message takes its connection with it)
  'duplicate', // messages delivered twice for a while
  'delay', // messages delayed (and so reordered) for a while
  'brokerRestart', // the broker restarts and loses every retained message
  'dbBusy', // the database answers SQLITE_BUSY to the next writes
  'leaderPause', // a controller replica is stopped (SIGSTOP) mid-work, resumed later: another takes over
  'clockJump', // the clock jumps forward
  'dbReset', // the control plane's database is replaced by a fresh one (a reinstall)
  'dbRestore', // the control plane's database is replaced by an older backup
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Every kind. (dbReset/dbRestore became safe with the reset-proof fencing of issue 10 item 1.) */
export const DEFAULT_FAULTS: FaultKind[] = [...FAULT_KINDS];

/** The network's state, read by the broker for every delivery. */
export class Weather {
  loss = 0;
  duplicate = 0;
  delayMaxMs = 0;
  readonly cut = new Set<string>();

  constructor(private readonly rng: Rng) {}

  hooks(): NetworkHooks {
    return {
      deliver: (): Delivery => {
        if (this.loss === 0 && this.duplicate === 0 && this.delayMaxMs === 0) return {};
        return {
          drop: this.loss > 0 && this.rng.chance(this.loss),
          duplicate: this.duplicate > 0 && this.rng.chance(this.duplicate),
          delayMs: this.delayMaxMs > 0 ? this.rng.int(0, this.delayMaxMs) : 0,
        };
      },
      cut: (clientId) => this.cut.has(clientId),
    };
  }

  calm(): void {
    this.loss = 0;
    this.duplicate = 0;
    this.delayMaxMs = 0;
    this.cut.clear();
  }
}

/** One fault of a fixed schedule (regression cases): `ms` is its duration, a broker's downtime or a BUSY count. */
export interface ScriptedFault { atMs: number; kind: FaultKind; host?: string; ms?: number }

interface Pending { at: number; what: string; heal: () => Promise<void> | void }

export class FaultScheduler {
  readonly injected: Partial<Record<FaultKind, number>> = {};
  private pending: Pending[] = [];
  private backup: string | null = null;
  /** Human-readable schedule (printed with a failing seed). */
  readonly history: string[] = [];

  constructor(
    private readonly world: World, private readonly weather: Weather, private readonly kinds: readonly FaultKind[], private readonly rng: Rng,
    /** Steps the wall clock (timers keep their schedule). */
    private readonly jumpClock: (to: number) => void,
  ) {}

  /** Heals whose time has come. */
  async due(now: number, upTo = now): Promise<void> {
    const ready = this.pending.filter((p) => p.at <= upTo);
    this.pending = this.pending.filter((p) => p.at > upTo);
    for (const p of ready) {
      this.history.push(`${now}: heal ${p.what}`);
      await p.heal();
    }
  }

  /** Everything stops: every pending heal runs now. */
  async healAll(now: number): Promise<void> {
    await this.due(now, Infinity);
    this.weather.calm();
    for (let i = 0; i < this.world.replicas.length; i++) this.world.resumeReplica(i);
    for (const a of this.world.agents.values()) if (!a.running) await this.world.startAgent(a);
    this.history.push(`${now}: all faults healed`);
  }

  private later(ms: number, what: string, heal: () => Promise<void> | void): void {
    this.pending.push({ at: Date.now() + ms, what, heal });
  }

  /** A fault now: drawn from the seed, or (a scripted regression) exactly the one given. */
  async inject(now: number, forced?: ScriptedFault): Promise<void> {
    if (this.kinds.length === 0 && !forced) return;
    const kind = forced?.kind ?? this.rng.pick(this.kinds);
    const w = this.world;
    const agents = [...w.agents.values()];
    const a = forced?.host ? w.agents.get(forced.host)! : this.rng.pick(agents);
    const d = forced?.ms ?? this.rng.int(200, 6000);
    let what: string = kind;
    switch (kind) {
      case 'agentCrash':
      case 'agentWipe': {
        if (!a.running) return;
        await w.crashAgent(a);
        what = `${kind} ${a.hostId} for ${d} ms`;
        this.later(d, what, async () => {
          if (kind === 'agentWipe') w.wipeHost(a);
          if (!a.running) await w.startAgent(a);
        });
        break;
      }
      case 'partition': {
        const id = `berth-agent-${a.hostId}`;
        if (this.weather.cut.has(id)) return;
        this.weather.cut.add(id);
        what = `partition ${a.hostId} for ${d} ms`;
        this.later(d, what, () => { this.weather.cut.delete(id); });
        break;
      }
      case 'controlPartition': {
        if (this.weather.cut.has('berth-control')) return;
        this.weather.cut.add('berth-control');
        what = `partition the control plane for ${d} ms`;
        this.later(d, what, () => { this.weather.cut.delete('berth-control'); });
        break;
      }
      case 'loss': {
        const p = this.rng.int(5, 50) / 100;
        this.weather.loss = p;
        what = `loss ${p} for ${d} ms`;
        this.later(d, what, () => { this.weather.loss = 0; });
        break;
      }
      case 'duplicate': {
        const p = this.rng.int(10, 100) / 100;
        this.weather.duplicate = p;
        what = `duplicate ${p} for ${d} ms`;
        this.later(d, what, () => { this.weather.duplicate = 0; });
        break;
      }
      case 'delay': {
        const max = this.rng.int(10, 1500);
        this.weather.delayMaxMs = max;
        what = `delay up to ${max} ms for ${d} ms`;
        this.later(d, what, () => { this.weather.delayMaxMs = 0; });
        break;
      }
      case 'brokerRestart': {
        const down = forced?.ms ?? this.rng.int(50, 3000);
        w.broker.restart(down);
        what = `broker restart, down ${down} ms`;
        break;
      }
      case 'dbBusy': {
        const n = forced?.ms ?? this.rng.int(1, 12);
        w.dbControl.busy += n;
        what = `database busy for ${n} transactions`;
        break;
      }
      case 'leaderPause': {
        const i = this.rng.int(0, w.replicas.length - 1);
        if (w.replicas[i].paused) return;
        w.pauseReplica(i);
        what = `pause replica ${w.replicas[i].holder} for ${d} ms`;
        this.later(d, what, () => w.resumeReplica(i));
        break;
      }
      case 'clockJump': {
        const ms = this.rng.int(100, 5000);
        // Wall time steps (NTP); timers keep their schedule, every clock read sees the jump.
        this.jumpClock(now + ms);
        what = `clock jumps +${ms} ms`;
        break;
      }
      case 'dbReset':
      case 'dbRestore': {
        if (kind === 'dbRestore' && !this.backup) {
          this.backup = await w.backup();
          what = 'backup taken (for a later restore)';
          break;
        }
        await w.swapDatabase(kind === 'dbReset' ? w.templateDb : this.backup!);
        what = kind === 'dbReset' ? 'database replaced by a fresh one' : 'database restored from the backup';
        break;
      }
    }
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    this.history.push(`${now}: ${what}`);
  }
}
