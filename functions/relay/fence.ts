// Fencing across database resets and restores (issue 10; docs/decisions.md "Issue 10"). Agents refuse any
// document older than the (epoch, generation) mark they persisted. A restored older backup, or a fresh database,
// would publish below those marks forever; so each heartbeat carries the agent's mark (with the database the
// document came from) and the control plane publishes THAT HOST's next document above it. A reported value
// never reaches global state (the lease epoch, another host): it only raises the reporting host's own floor,
// so a lying agent can at worst make its own documents carry larger numbers.
import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { databaseIdentity, leases } from '../db/schema';
import { compareVersions } from '../../shared/protocol/messages';

/** The lease whose epoch fences desired documents (DESIGN section 6); 0 until a controller holds it. */
export const CONTROLLER_LEASE = 'controller';

/**
 * A reported mark above this is not something any control plane could have sent (2^48 documents): dropped, so
 * a hostile agent cannot push its own generations towards Number.MAX_SAFE_INTEGER and make them unbuildable.
 */
export const MAX_PLAUSIBLE_MARK = 2 ** 48;

export interface ReportedMark { database?: string; epoch: number; generation: number }

export interface HostFence {
  /** The host's own epoch floor (hosts.fenceEpoch). */
  fenceEpoch: number;
  /** The generation of the last document built for the host (hosts.desiredGeneration). */
  desiredGeneration: number;
  /** The host has reported holding one of this database's documents (hosts.fenceHeld). */
  fenceHeld: boolean;
}

export type MarkVerdict =
  | { kind: 'ok'; held: boolean }
  /** The host refuses what we would publish next: raise its own floor to the mark. */
  | { kind: 'raise'; held: boolean; fenceEpoch: number; desiredGeneration: number; why: 'restore' | 'takeover' }
  /** It held our documents and now holds another database's: a second control plane on this broker. */
  | { kind: 'conflict'; other: string }
  | { kind: 'implausible' };

/** The epoch a host's documents carry: the lease's, or the host's own floor when that is higher. */
export const documentEpoch = (leaseEpoch: number, fenceEpoch: number): number => Math.max(leaseEpoch, fenceEpoch);

/**
 * Pure rule for one reported mark. Ours and ahead of anything we could have published → we were restored
 * from an older backup: continue above it. Another database's (or none named) and the host never held ours →
 * a fresh database taking the host over: continue above it. Another database's after the host held ours →
 * someone else's control plane took it: do not leapfrog (two control planes would flip the host forever).
 */
export function judgeReportedMark(mark: ReportedMark, host: HostFence, leaseEpoch: number, databaseId: string): MarkVerdict {
  if (mark.epoch > MAX_PLAUSIBLE_MARK || mark.generation > MAX_PLAUSIBLE_MARK) return { kind: 'implausible' };
  const ours = mark.database === databaseId;
  if (!ours && host.fenceHeld) return { kind: 'conflict', other: mark.database ?? '(unnamed)' };
  const held = host.fenceHeld || ours;
  const next = { epoch: documentEpoch(leaseEpoch, host.fenceEpoch), generation: host.desiredGeneration };
  // Equal is fine: the agent accepts an equal version (that is how it re-reads the retained copy). But a
  // generation of ours that we have no record of building means the host holds a document from a future this
  // database lost (a restored backup): even when our next document would be accepted, nothing else makes us send
  // one (sim seed 1154: restored under a new lease epoch, the host kept a VPN the backup never had).
  const unknownOfOurs = ours && mark.generation > host.desiredGeneration;
  if (compareVersions(mark, next) <= 0 && !unknownOfOurs) return { kind: 'ok', held };
  return {
    kind: 'raise', held, why: ours ? 'restore' : 'takeover',
    fenceEpoch: Math.max(host.fenceEpoch, mark.epoch), desiredGeneration: Math.max(host.desiredGeneration, mark.generation),
  };
}

/** This database's identity (made by migration 0003); '' only on a database not migrated that far. */
export async function readDatabaseId(tx: Db): Promise<string> {
  return databaseIdOf(await databaseIdStep(tx));
}

/** readDatabaseId's query, not yet run (a step of a batch, functions/db/batch.ts); databaseIdOf reads its rows. */
export const databaseIdStep = (tx: Db) => tx.select({ id: databaseIdentity.id }).from(databaseIdentity).limit(1);
export const databaseIdOf = (rows: { id: string }[]) => rows[0]?.id ?? '';

export async function readLeaseEpoch(tx: Db): Promise<number> {
  return leaseEpochOf(await leaseEpochStep(tx));
}

/** readLeaseEpoch's query, not yet run (a step of a batch); leaseEpochOf reads its rows. */
export const leaseEpochStep = (tx: Db) => tx.select({ epoch: leases.epoch }).from(leases).where(eq(leases.name, CONTROLLER_LEASE)).limit(1);
export const leaseEpochOf = (rows: { epoch: number }[]) => rows[0]?.epoch ?? 0;
