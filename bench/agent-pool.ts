// The fleet benchmark's load generator, spread over child processes (bench/agent-shard.ts, at most
// AGENTS_PER_SHARD simulated agents each) so that the generator is never what limits a level: one process holding
// 10,000 MQTT clients stalled past ~8,000 and Mosquitto dropped them all for missed keepalives (issue 12). The pool
// keeps a mirror of every agent's state (up, lost, crashed, silent) from the shards' events, and reads each
// shard's CPU and RSS from /proc like any other measured process.
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AgentState, FakeAgentOptions } from './fake-agents';

export const AGENTS_PER_SHARD = 1000;

type AgentOptions = Omit<FakeAgentOptions, 'hostId' | 'token'>;

export type ShardCommand =
  | { t: 'init'; options: AgentOptions }
  | { t: 'connect'; id: number; agents: [string, string][]; concurrency: number }
  | { t: 'record'; id: number; on: boolean }
  | { t: 'act'; id: number; hostId: string; what: 'crash' | 'silence' }
  | { t: 'stop' };

export type ShardEvent =
  | { t: 'connected'; id: number; failures: string[] }
  | { t: 'recorded'; id: number; sent: [string, number, number, number][] }
  | { t: 'acted'; id: number; at: number; ok: boolean }
  | { t: 'lost'; hostId: string };

/** One heartbeat sent in the recorded window: host, seq, wall-clock `at` written into it, monotonic send time. */
export interface SentRecord { hostId: string; seq: number; at: number; t: number }

export class AgentPool {
  readonly state = new Map<string, AgentState>();
  private readonly shardOf = new Map<string, ChildProcess>();
  private readonly waiting = new Map<number, (e: ShardEvent) => void>();
  private nextId = 0;
  private constructor(readonly shards: ChildProcess[]) {
    for (const s of shards) {
      s.on('message', (e: ShardEvent) => {
        // A drop can arrive before its chunk's connect reply: it must stick (connect() leaves 'lost' alone).
        if (e.t === 'lost') { if (this.state.get(e.hostId) !== 'crashed' && this.state.get(e.hostId) !== 'silent') this.state.set(e.hostId, 'lost'); return; }
        this.waiting.get(e.id)?.(e);
        this.waiting.delete(e.id);
      });
    }
  }

  /** Forks ceil(n / AGENTS_PER_SHARD) shards (at least one). */
  static start(n: number, options: AgentOptions): AgentPool {
    const file = fileURLToPath(new URL('./agent-shard.ts', import.meta.url));
    const count = Math.max(1, Math.ceil(n / AGENTS_PER_SHARD));
    const shards = Array.from({ length: count }, () => fork(file, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
    for (const s of shards) s.send({ t: 'init', options } satisfies ShardCommand);
    return new AgentPool(shards);
  }

  get pids(): number[] { return this.shards.map((s) => s.pid!); }

  private ask<E extends ShardEvent>(shard: ChildProcess, cmd: ShardCommand & { id: number }): Promise<E> {
    return new Promise((resolve) => {
      this.waiting.set(cmd.id, resolve as (e: ShardEvent) => void);
      shard.send(cmd);
    });
  }

  /**
   * Connects these agents (host id, password), spread evenly over the shards (a host stays on its shard), each
   * shard with `concurrency` CONNECTs in flight. Returns the failures ("host: why").
   */
  async connect(agents: readonly [string, string][], concurrency: number): Promise<string[]> {
    const parts = this.shards.map(() => [] as [string, string][]);
    agents.forEach((a, i) => {
      const shard = this.shardOf.get(a[0]) ?? this.shards[i % this.shards.length];
      this.shardOf.set(a[0], shard);
      parts[this.shards.indexOf(shard)].push(a);
    });
    const per = Math.max(1, Math.ceil(concurrency / this.shards.length));
    const replies = await Promise.all(parts.map((p, i) => (p.length
      ? this.ask<Extract<ShardEvent, { t: 'connected' }>>(this.shards[i], { t: 'connect', id: this.nextId++, agents: p, concurrency: per })
      : Promise.resolve({ failures: [] as string[] }))));
    const failures = replies.flatMap((r) => r.failures);
    const failed = new Set(failures.map((f) => f.slice(0, f.indexOf(':'))));
    for (const [h] of agents) if (!failed.has(h) && this.state.get(h) !== 'lost') this.state.set(h, 'up');
    return failures;
  }

  upIds(): string[] { return [...this.state].filter(([, s]) => s === 'up').map(([h]) => h); }
  isUp(hostId: string): boolean { return this.state.get(hostId) === 'up'; }
  count(s: AgentState): number { let c = 0; for (const v of this.state.values()) if (v === s) c++; return c; }

  /** Starts recording every heartbeat sent (seq, times). */
  async startRecording(): Promise<void> {
    for (const s of this.shards) s.send({ t: 'record', id: -1, on: true } satisfies ShardCommand);
  }

  /** Stops recording and returns what was sent meanwhile. */
  async stopRecording(): Promise<SentRecord[]> {
    const replies = await Promise.all(this.shards.map((s) => this.ask<Extract<ShardEvent, { t: 'recorded' }>>(s, { t: 'record', id: this.nextId++, on: false })));
    return replies.flatMap((r) => r.sent.map(([hostId, seq, at, t]) => ({ hostId, seq, at, t })));
  }

  /**
   * Crashes (socket destroyed, no DISCONNECT) or silences (nothing sent or read, socket kept open) one agent;
   * resolves with the shard's clock when it did it (null if the agent was not up).
   */
  async act(hostId: string, what: 'crash' | 'silence'): Promise<number | null> {
    const shard = this.shardOf.get(hostId);
    if (!shard || !this.isUp(hostId)) return null;
    const r = await this.ask<Extract<ShardEvent, { t: 'acted' }>>(shard, { t: 'act', id: this.nextId++, hostId, what });
    if (r.ok) this.state.set(hostId, what === 'crash' ? 'crashed' : 'silent');
    return r.ok ? r.at : null;
  }

  /** Ends every connection and every shard (SIGKILL for a shard still there after 5 s). */
  async stop(): Promise<void> {
    await Promise.all(this.shards.map((s) => new Promise<void>((resolve) => {
      if (s.exitCode !== null || s.signalCode !== null) return resolve();
      const kill = setTimeout(() => s.kill('SIGKILL'), 5000);
      s.once('exit', () => { clearTimeout(kill); resolve(); });
      if (s.connected) s.send({ t: 'stop' } satisfies ShardCommand);
      else s.kill('SIGTERM');
    })));
  }
}
