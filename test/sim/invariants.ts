// The simulation's invariants. Safety ones are checked after every step; convergence once the faults stop.
import { containers, hosts } from '../../functions/db/schema';
import { compareVersions, zDesiredState } from '../../shared/protocol/messages';
import { parseHostTopic } from '../../shared/protocol/topics';
import type { SimApi } from './api';
import type { World } from './world';

export const INVARIANTS = [
  'no container placed on two hosts by any epoch\'s writes',
  'no write accepted from a stale epoch',
  'every wanted container RUNNING within the bound after faults stop',
  'desired and reported state converge',
  'no PSK leaves its host\'s document',
  'no response >= 500', // except 503 "retry" while the database is (made) busy
] as const;

export class SafetyChecker {
  private logIndex = 0;
  /** `${database file}/${container}@${placementGeneration}` → host, from every desired document and every database read. */
  private placements = new Map<string, string>();

  constructor(private readonly world: World, private readonly api: SimApi) {}

  async check(dbFile: number): Promise<void> {
    this.checkBrokerTraffic(dbFile);
    await this.checkDatabasePlacements(dbFile);
    this.checkAgentFencing();
  }

  private place(key: string, hostId: string, where: string): void {
    const prev = this.placements.get(key);
    if (prev === undefined) this.placements.set(key, hostId);
    else if (prev !== hostId) this.world.violate(INVARIANTS[0], `${key} on ${prev} and on ${hostId} (${where})`);
  }

  /** Every message the broker accepted since the last step: PSKs only in their own host's document, placements unique. */
  private checkBrokerTraffic(dbFile: number): void {
    const log = this.world.broker.log;
    for (; this.logIndex < log.length; this.logIndex++) {
      const { topic, payload } = log[this.logIndex];
      const t = parseHostTopic(topic);
      const leaked = [...this.api.psks.keys()].filter((p) => payload.includes(p));
      if (t?.kind !== 'desired') {
        if (leaked.length > 0) this.world.violate(INVARIANTS[4], `a PSK on ${topic}`);
        continue;
      }
      const doc = zDesiredState.safeParse(JSON.parse(payload));
      if (!doc.success) {
        this.world.violate('desired documents are valid', `${topic}: ${doc.error.issues[0]?.message}`);
        continue;
      }
      const own = new Set(doc.data.containers.flatMap((c) => c.config.connections.map((x) => x.id)));
      for (const p of leaked) {
        if (!own.has(this.api.psks.get(p)!)) this.world.violate(INVARIANTS[4], `${topic} carries the PSK of connection ${this.api.psks.get(p)}, not one of its containers'`);
      }
      for (const c of doc.data.containers) this.place(`${dbFile}/${c.id}@${c.placementGeneration}`, doc.data.hostId, `desired document epoch ${doc.data.epoch} generation ${doc.data.generation}`);
    }
  }

  private async checkDatabasePlacements(dbFile: number): Promise<void> {
    const rows = await this.world.database.db.select({ id: containers.id, hostId: containers.hostId, pg: containers.placementGeneration }).from(containers);
    for (const r of rows) if (r.hostId) this.place(`${dbFile}/${r.id}@${r.pg}`, r.hostId, 'database');
  }

  /** Each host's agents accepted desired documents in (epoch, generation) order: no older one got through. */
  private checkAgentFencing(): void {
    for (const a of this.world.agents.values()) {
      for (let i = 1; i < a.accepted.length; i++) {
        if (compareVersions(a.accepted[i], a.accepted[i - 1]) < 0) {
          this.world.violate(INVARIANTS[1], `${a.hostId} accepted epoch ${a.accepted[i].epoch} generation ${a.accepted[i].generation} after epoch ${a.accepted[i - 1].epoch} generation ${a.accepted[i - 1].generation}`);
        }
      }
      a.accepted.splice(0, a.accepted.length - 1);
    }
  }
}

/** What still differs between the database and the hosts; empty = converged. */
export async function notConverged(world: World): Promise<string[]> {
  const out: string[] = [];
  const db = world.database.db;
  const rows = await db.select({ id: containers.id, hostId: containers.hostId, pg: containers.placementGeneration, status: containers.status }).from(containers);
  const alive = new Set((await db.select({ id: hosts.id, alive: hosts.alive }).from(hosts)).filter((h) => h.alive).map((h) => h.id));
  for (const r of rows) {
    if (!r.hostId) out.push(`${r.id} not placed`);
    else if (r.status !== 'RUNNING') out.push(`${r.id} on ${r.hostId} is ${r.status ?? 'unreported'}`);
    else if (!alive.has(r.hostId)) out.push(`${r.id} on ${r.hostId}, a host not alive`);
  }
  for (const a of world.agents.values()) {
    if (!a.driver) {
      out.push(`${a.hostId}: agent not running`);
      continue;
    }
    const want = new Map(rows.filter((r) => r.hostId === a.hostId).map((r) => [r.id, r.pg]));
    const have = await a.driver.list();
    for (const c of have) {
      if (!want.has(c.id)) out.push(`${a.hostId} still holds ${c.id}`);
      else if (want.get(c.id) !== c.spec.placementGeneration) out.push(`${a.hostId} holds ${c.id} at placement ${c.spec.placementGeneration}, wanted ${want.get(c.id)}`);
      else if (c.status !== 'RUNNING') out.push(`${a.hostId}: ${c.id} is ${c.status}`);
    }
    for (const id of want.keys()) if (!have.some((c) => c.id === id)) out.push(`${a.hostId} lacks ${id}`);
  }
  return out;
}
