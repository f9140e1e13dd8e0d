// A small in-memory fleet for the plan's tests: a fake clock, agents that heartbeat and report as told, and an
// applier that does to the rows what the real (database) applier must do with each action.
import type { Policy, SchedGroup } from '../scheduler/types';
import { fleetFingerprint } from './fleet';
import { plan } from './plan';
import { DEFAULT_TIMERS, type Action, type ContainerStatus, type PlanContainer, type PlanHost, type Timers } from './types';

/** How a host's agent behaves: heartbeats and reports its containers (healthy), or heartbeats only (mute). */
export type Agent = 'healthy' | 'mute' | 'gone';

export interface WorldHost extends Omit<PlanHost, 'containerCount'> {
  agent: Agent;
}

export class World {
  now = 1_000_000;
  leaderSince = this.now;
  hosts = new Map<string, WorldHost>();
  groups = new Map<string, Omit<SchedGroup, 'containerHosts'>>();
  containers = new Map<string, PlanContainer>();
  events: Extract<Action, { type: 'event' }>[] = [];
  private fp = '';
  private fleetChangedAt: number | null = null;
  seed = '';

  constructor(readonly t: Timers = DEFAULT_TIMERS) {}

  addHost(id: string, o: Partial<WorldHost> = {}): this {
    this.hosts.set(id, {
      id, alive: true, containerWeight: 1, containerLimit: -1, enforceContainerLimit: false, cordoned: false, badUntil: null,
      lastSeenAt: this.now, bootId: `${id}-boot1`, badBootId: null, agent: 'healthy', ...o,
    });
    return this;
  }

  host(id: string): WorldHost {
    const h = this.hosts.get(id);
    if (!h) throw new Error(`no host ${id}`);
    return h;
  }

  addGroup(id: string, o: Partial<Omit<SchedGroup, 'containerHosts'>> & { policy?: Policy } = {}): this {
    this.groups.set(id, { id, policy: 'least', hostGroupHostIds: null, portGroupHostIds: null, antiAffinity: false, ...o });
    return this;
  }

  addContainer(id: string, groupId = 'g', o: Partial<PlanContainer> = {}): this {
    if (!this.groups.has(groupId)) this.addGroup(groupId);
    this.containers.set(id, {
      id, groupId, hostId: null, schedulerState: 'DOWN', status: null, placementGeneration: 0, scheduledAt: null,
      retries: 0, nextAttemptAt: null, attemptedAt: null, ...o,
    });
    return this;
  }

  container(id: string): PlanContainer {
    const c = this.containers.get(id);
    if (!c) throw new Error(`no container ${id}`);
    return c;
  }

  /** The agent dies uncleanly: its Last Will makes it not alive at once, and it stays silent. */
  killAgent(id: string): void {
    Object.assign(this.host(id), { alive: false, agent: 'gone' });
  }

  /** The agent restarts: new bootId, heard from now. */
  restartAgent(id: string): void {
    const h = this.host(id);
    const n = Number(h.bootId?.split('boot')[1] ?? 0) + 1;
    Object.assign(h, { bootId: `${id}-boot${n}`, alive: true, lastSeenAt: this.now, agent: 'healthy' });
  }

  /** A new leader takes over now. */
  newLeader(): void {
    this.leaderSince = this.now;
    this.fp = '';
  }

  report(containerId: string, status: ContainerStatus): void {
    const c = this.container(containerId);
    c.status = status;
    if (status === 'RUNNING') c.schedulerState = 'UP'; // as ingest does
  }

  snapshot() {
    const counts = new Map<string, number>();
    const placed: Record<string, Record<string, string | null>> = {};
    for (const g of this.groups.keys()) placed[g] = {};
    for (const c of this.containers.values()) {
      if (c.hostId) counts.set(c.hostId, (counts.get(c.hostId) ?? 0) + 1);
      placed[c.groupId][c.id] = c.hostId;
    }
    const hosts: PlanHost[] = [...this.hosts.values()].map(({ agent: _agent, ...h }) => ({ ...h, containerCount: counts.get(h.id) ?? 0 }));
    const groups = Object.fromEntries([...this.groups.values()].map((g) => [g.id, { ...g, containerHosts: placed[g.id] }]));
    return { hosts, groups };
  }

  /** One controller tick: plan, then apply; returns the actions (noops included). */
  tick(): Action[] {
    const { hosts, groups } = this.snapshot();
    const fp = fleetFingerprint(hosts, groups, this.now, this.t);
    if (fp !== this.fp) {
      this.fp = fp;
      this.fleetChangedAt = this.now;
    }
    const actions = plan({
      hosts, groups, containers: [...this.containers.values()], leaderSince: this.leaderSince, fleetChangedAt: this.fleetChangedAt, seed: this.seed,
    }, this.now, this.t);
    for (const a of actions) this.apply(a);
    return actions;
  }

  /** Time passes in steps of `step`: agents heartbeat and (if healthy) start what they were given; the controller ticks. */
  advance(ms: number, step = 250): Action[] {
    const all: Action[] = [];
    for (let done = 0; done < ms; done += step) {
      this.now += Math.min(step, ms - done);
      // As ingest does: any heartbeat means alive.
      for (const h of this.hosts.values()) if (h.agent !== 'gone') Object.assign(h, { lastSeenAt: this.now, alive: true });
      for (const c of this.containers.values()) {
        const h = c.hostId ? this.hosts.get(c.hostId) : undefined;
        if (h?.agent === 'healthy' && h.alive && c.status === null) this.report(c.id, 'STARTING');
        else if (h?.agent === 'healthy' && h.alive && c.status === 'STARTING') this.report(c.id, 'RUNNING');
      }
      all.push(...this.tick());
    }
    return all;
  }

  private apply(a: Action): void {
    const place = (c: PlanContainer, hostId: string, state: 'SCHEDULED' | 'RESCHEDULED', gen: number) =>
      Object.assign(c, { hostId, schedulerState: state, status: null, placementGeneration: gen, scheduledAt: this.now, retries: 0, nextAttemptAt: null });
    switch (a.type) {
      case 'hostDead': this.host(a.hostId).alive = false; break;
      case 'markHostBad': Object.assign(this.host(a.hostId), { badUntil: a.until, badBootId: a.bootId }); break;
      case 'clearHostBad': Object.assign(this.host(a.hostId), { badUntil: null, badBootId: null }); break;
      case 'up': this.container(a.containerId).schedulerState = 'UP'; break;
      case 'place': place(this.container(a.containerId), a.hostId, 'SCHEDULED', a.placementGeneration); break;
      case 'reschedule': place(this.container(a.containerId), a.to, 'RESCHEDULED', a.placementGeneration); break;
      case 'setDown':
        Object.assign(this.container(a.containerId), {
          hostId: null, schedulerState: 'DOWN', status: null, placementGeneration: a.placementGeneration,
          retries: a.retries, nextAttemptAt: a.retryAt, attemptedAt: this.now,
        });
        break;
      case 'event': this.events.push(a); break;
      case 'noop': break;
    }
  }
}

/** The actions that change something (no noops, no events). */
export const changes = (actions: Action[]) => actions.filter((a) => a.type !== 'noop' && a.type !== 'event');
