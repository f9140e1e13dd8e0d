// Per-host MQTT credentials (issue 9): issue/rotate (admin), enrol (fleet token, once per host id), verify, revoke.
// Only a salted hash is stored (functions/crypto.ts hashSecret); the secret is shown once, to its issuer.
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { zHostId } from '../../../shared/protocol/topics';
import { hashSecret, verifySecret } from '../../crypto';
import type { Database, Db } from '../../db/client';
import { hostCredentials, hosts } from '../../db/schema';
import type { Deps } from '../../deps';
import { markHostDirty } from './write';

/** The answer of POST /v1/hosts/{id}/token (the only time the secret is shown). */
export const hostTokenResponse = z.object({ token: z.object({ hostId: zHostId, token: z.string() }) });
export type HostTokenResponse = z.infer<typeof hostTokenResponse>;

/** Secrets an agent proposes at enrolment must be at least this long (it generates 48 hex characters). */
export const MIN_HOST_SECRET_LENGTH = 32;

/** Who may schedule onto a host the fleet token enrolled: at once (auto) or after an operator uncordons it (manual). */
export type HostApproval = 'auto' | 'manual';

async function ensureHostRow(tx: Db, hostId: string, now: number, cordoned: boolean): Promise<void> {
  const created = await tx.insert(hosts).values({ id: hostId, name: hostId, cordoned, createdAt: now, updatedAt: now })
    .onConflictDoNothing().returning({ id: hosts.id });
  // A new host gets its (empty) desired document at once, so its agent's first subscribe finds one.
  if (created.length > 0) await markHostDirty(tx, hostId, now);
}

/**
 * Issues host hostId a new secret (admin): creates the host record if needed; a second call rotates (the old hash
 * is replaced, so the old secret stops working; the broker closes its connection through deps.credentialChanged).
 */
export async function issueHostToken(deps: Deps, hostId: string): Promise<HostTokenResponse> {
  const secret = deps.ids.token();
  const secretHash = await hashSecret(secret);
  const now = deps.clock.now();
  await deps.database.write(async (tx) => {
    await ensureHostRow(tx, hostId, now, false);
    await tx.insert(hostCredentials).values({ hostId, secretHash, issuedBy: 'admin', createdAt: now })
      .onConflictDoUpdate({ target: hostCredentials.hostId, set: { secretHash, issuedBy: 'admin', createdAt: now } });
  });
  deps.credentialChanged?.(hostId);
  return { token: { hostId, token: secret } };
}

export type EnrolOutcome = 'enrolled' | 'same' | 'taken';

/**
 * Enrols hostId with the secret its agent proposes (the caller has checked the fleet token): only a host id with no
 * credential yet; 'same' when this very secret is already its credential (an agent retrying an enrolment that
 * went through), 'taken' otherwise — the fleet token never authenticates an enrolled host.
 */
export async function enrolHost(database: Database, hostId: string, secret: string, o: { now: number; approval: HostApproval }): Promise<EnrolOutcome> {
  if (secret.length < MIN_HOST_SECRET_LENGTH) return 'taken';
  const secretHash = await hashSecret(secret);
  const existing = await credentialHash(database.db, hostId);
  if (existing !== undefined) return (await verifySecret(secret, existing)) ? 'same' : 'taken';
  return database.write(async (tx) => {
    const inserted = await tx.insert(hostCredentials).values({ hostId, secretHash, issuedBy: 'fleet', createdAt: o.now })
      .onConflictDoNothing().returning({ hostId: hostCredentials.hostId });
    if (inserted.length === 0) return 'taken'; // another enrolment of this id won the race
    // Manual approval: the new host is cordoned (takes no containers) until an operator uncordons it.
    await ensureHostRow(tx, hostId, o.now, o.approval === 'manual');
    return 'enrolled';
  });
}

export async function credentialHash(db: Db, hostId: string): Promise<string | undefined> {
  const [row] = await db.select({ h: hostCredentials.secretHash }).from(hostCredentials).where(eq(hostCredentials.hostId, hostId)).limit(1);
  return row?.h;
}

/** Every stored credential (for Mosquitto's password_file, and the broker's re-check of connected hosts). */
export async function allCredentials(db: Db): Promise<{ hostId: string; secretHash: string }[]> {
  return db.select({ hostId: hostCredentials.hostId, secretHash: hostCredentials.secretHash }).from(hostCredentials);
}

export async function revokeHostCredential(tx: Db, hostId: string): Promise<void> {
  await tx.delete(hostCredentials).where(eq(hostCredentials.hostId, hostId));
}

/** The broker's view of the credentials (functions/node/mqtt-acl.ts HostCredentialStore). */
export function databaseCredentialStore(database: Database, ctx: () => { now: number; approval: HostApproval }) {
  return {
    hashFor: (hostId: string) => credentialHash(database.db, hostId),
    enrol: (hostId: string, secret: string) => enrolHost(database, hostId, secret, ctx()),
  };
}
