// The outbox relay (runtime-neutral): dirty hosts → complete desired documents → the Publisher (retained, QoS 1).
//
// One pass: (1) in one write transaction, for every dirty host bump hosts.desiredGeneration, build its document and
// CLAIM the mark by rewriting markedAt to -generation (a value no writer uses: writers stamp the clock); (2) publish
// and await the broker's acknowledgement; (3) in one write transaction delete each mark still holding our claim.
// A write that re-marks a host meanwhile stamps a new markedAt, so the host stays dirty and is published again;
// a crash anywhere before (3) leaves the mark, so the next pass (or the next process) republishes. Many marks of
// one host collapse into one document. A mark for a host with no row (deleted) is dropped, nothing is published:
// deleting a host requires it to hold no containers, so its last document was already empty.
import { secondsSince } from '../observe';
import { inArray, sql } from 'drizzle-orm';
import type { Deps } from '../deps';
import type { Db } from '../db/client';
import { dirtyHosts, hosts } from '../db/schema';
import { encodeMessage, zDesiredState, type DesiredState } from '../../shared/protocol/messages';
import { TOPIC_QOS, topics } from '../../shared/protocol/topics';
import { markHostsDirtySteps } from '../services/hosts/write';
import { inOneTrip } from '../db/batch';
import { buildDesired } from './build';
import { readContainerInputs } from './read';
import { bareColumn } from '../db/sql-names';
import { unsentChanges, type UnsentChanges } from './unsent';
import { unsentSteps } from './unsent-write';
import { CONTROLLER_LEASE, databaseIdOf, databaseIdStep, documentEpoch, leaseEpochOf, leaseEpochStep } from './fence';

export { CONTROLLER_LEASE };

export interface RelayOptions {
  /** Hosts per pass (default 500): a large backlog goes out over several passes. */
  maxHosts?: number;
  /** How long a pass waits for the broker's acknowledgements (default 5 s); unacknowledged hosts stay dirty. */
  publishTimeoutMs?: number;
}

export interface RelayResult {
  published: string[];
  /** Not acknowledged in time or refused: still dirty, retried by the next pass. */
  failed: string[];
  /** Marks dropped because the host no longer exists. */
  dropped: string[];
}

type RelayDeps = Pick<Deps, 'database' | 'clock' | 'logger' | 'publisher' | 'secrets' | 'observer'>;

export async function runRelay(deps: RelayDeps, opts: RelayOptions = {}): Promise<RelayResult> {
  const result: RelayResult = { published: [], failed: [], dropped: [] };
  const pending = await deps.database.db.select({ hostId: dirtyHosts.hostId }).from(dirtyHosts).limit(opts.maxHosts ?? 500);
  if (pending.length === 0) return result;

  const { docs, dropped, invalid } = await deps.database.write((tx) => claim(tx, deps, pending.map((p) => p.hostId)));
  result.dropped.push(...dropped);
  result.failed.push(...invalid);
  await Promise.all(docs.map(async (doc) => {
    const start = performance.now();
    try {
      await withTimeout(deps.publisher.publish(topics.desired(doc.hostId), encodeMessage(doc), TOPIC_QOS.desired), opts.publishTimeoutMs ?? 5000);
      deps.observer?.relayPublish({ seconds: secondsSince(start), ok: true });
      result.published.push(doc.hostId);
    } catch (e) {
      deps.observer?.relayPublish({ seconds: secondsSince(start), ok: false });
      result.failed.push(doc.hostId);
      deps.logger.warn({ hostId: doc.hostId, generation: doc.generation, err: String((e as Error)?.message ?? e) }, 'desired state not published; will retry');
    }
  }));
  if (result.published.length > 0) {
    const published = new Map(docs.map((d) => [d.hostId, d.generation]));
    await deps.database.write((tx) => release(tx, result.published.map((h) => [h, published.get(h)!]), deps.clock.now()));
  }
  return result;
}

interface Claimed { docs: DesiredState[]; dropped: string[]; invalid: string[] }

/** Runs inside Database.write, which may run it again after SQLITE_BUSY: it only returns what it did. */
async function claim(tx: Db, deps: RelayDeps, hostIds: string[]): Promise<Claimed> {
  const out: Claimed = { docs: [], dropped: [], invalid: [] };
  // The marks, the hosts' generations, the lease epoch and the database's identity: one round trip.
  const [marks, hostRows, epochRows, identityRows] = await inOneTrip(tx, [
    tx.select().from(dirtyHosts).where(inArray(dirtyHosts.hostId, hostIds)),
    tx.select({ id: hosts.id, desiredGeneration: hosts.desiredGeneration, fenceEpoch: hosts.fenceEpoch }).from(hosts).where(inArray(hosts.id, hostIds)),
    leaseEpochStep(tx),
    databaseIdStep(tx),
  ]);
  const rows = new Map(hostRows.map((h) => [h.id, h]));
  const leaseEpoch = leaseEpochOf(epochRows);
  const database = databaseIdOf(identityRows);

  const live = marks.filter((m) => rows.has(m.hostId));
  const gone = marks.filter((m) => !rows.has(m.hostId));
  out.dropped.push(...gone.map((m) => m.hostId));
  const inputs = await readContainerInputs(tx, live.map((m) => m.hostId), deps.secrets);
  const unsent: UnsentChanges = { services: [], connections: [], events: [] };
  for (const m of live) {
    const row = rows.get(m.hostId)!;
    const generation = row.desiredGeneration + 1;
    // A host's floor (a restored backup, a taken-over host) lifts only its own documents: relay/fence.ts.
    const { doc: built, omitted } = buildDesired(m.hostId, documentEpoch(leaseEpoch, row.fenceEpoch), generation, inputs.get(m.hostId) ?? []);
    const doc = database ? { ...built, database } : built;
    for (const o of omitted) deps.logger.error({ hostId: m.hostId, ...o }, 'left out of the desired state');
    const checked = zDesiredState.safeParse(doc);
    if (!checked.success) {
      // Cannot happen with per-container validation; if it does, publish nothing rather than garbage.
      deps.logger.error({ hostId: m.hostId, issues: checked.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'desired state invalid; not published');
      out.invalid.push(m.hostId);
      continue;
    }
    out.docs.push(checked.data);
    // What this document leaves out (or includes again) shows on the Neutron objects: relay/unsent.ts.
    const changes = unsentChanges(inputs.get(m.hostId) ?? [], omitted);
    unsent.services.push(...changes.services);
    unsent.connections.push(...changes.connections);
    unsent.events.push(...changes.events);
  }
  // Set-based, one round trip however many hosts: the gone hosts' marks dropped (unless marked again meanwhile),
  // each built host's generation taken and its mark claimed (-generation: "being published"), what the documents
  // leave out recorded on the Neutron objects (and what they include again cleared).
  const claimed = JSON.stringify(out.docs.map((d) => [d.hostId, d.generation]));
  await inOneTrip(tx, [
    tx.run(sql`DELETE FROM ${dirtyHosts} WHERE EXISTS (SELECT 1 FROM json_each(${JSON.stringify(gone.map((m) => [m.hostId, m.markedAt]))}) AS j
      WHERE ${dirtyHosts.hostId} = j.value ->> 0 AND ${dirtyHosts.markedAt} = j.value ->> 1)`),
    tx.run(sql`UPDATE ${hosts} SET ${bareColumn(hosts.desiredGeneration)} = j.value ->> 1 FROM json_each(${claimed}) AS j WHERE ${hosts.id} = j.value ->> 0`),
    tx.run(sql`UPDATE ${dirtyHosts} SET ${bareColumn(dirtyHosts.markedAt)} = -(j.value ->> 1) FROM json_each(${claimed}) AS j WHERE ${dirtyHosts.hostId} = j.value ->> 0`),
    ...unsentSteps(tx, unsent, deps.clock.now()),
  ]);
  return out;
}

async function release(tx: Db, done: [string, number][], now: number): Promise<void> {
  const rows = new Map((await tx.select({ id: hosts.id, g: hosts.desiredGeneration }).from(hosts)
    .where(inArray(hosts.id, done.map(([h]) => h)))).map((r) => [r.id, r.g]));
  // A newer document was built meanwhile (another replica): ours may have landed after it, so go again.
  const superseded = done.filter(([h, g]) => (rows.get(h) ?? g) > g).map(([h]) => h);
  const finished = done.filter(([h, g]) => !((rows.get(h) ?? g) > g)).map(([h, g]) => [h, -g]);
  await inOneTrip(tx, [
    ...markHostsDirtySteps(tx, superseded, now),
    tx.run(sql`DELETE FROM ${dirtyHosts} WHERE EXISTS (SELECT 1 FROM json_each(${JSON.stringify(finished)}) AS j
      WHERE ${dirtyHosts.hostId} = j.value ->> 0 AND ${dirtyHosts.markedAt} = j.value ->> 1)`),
  ]);
}

/** Every host gets its document again (a broker that lost its retained messages, e.g. the embedded one restarting). */
export async function markAllHostsDirty(deps: Pick<Deps, 'database' | 'clock'>): Promise<void> {
  const now = deps.clock.now();
  const [host, markedAt] = [bareColumn(dirtyHosts.hostId), bareColumn(dirtyHosts.markedAt)];
  await deps.database.write((tx) => tx.run(sql`insert into ${dirtyHosts} (${host}, ${markedAt}) select ${hosts.id}, ${now} from ${hosts} where true
    on conflict(${host}) do update set ${markedAt} = excluded.${markedAt}`));
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no acknowledgement within ${ms} ms`)), ms); });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
