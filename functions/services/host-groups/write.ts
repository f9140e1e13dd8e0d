// Creating, renaming and deleting host groups and changing their members (one write transaction each).
import { and, eq, ne } from 'drizzle-orm';
import { conflict, notFound } from '../../../shared/errors';
import type { Deps } from '../../deps';
import type { Db } from '../../db/client';
import { containerGroups, hostGroupMembers, hostGroups } from '../../db/schema';
import { getHostGroupRow, requireHosts, showHostGroup } from './read';
import type { CreateHostGroupBody, PatchHostGroupBody } from './schemas';

async function requireFreeName(tx: Db, name: string, exceptId?: string) {
  const cond = exceptId ? and(eq(hostGroups.name, name), ne(hostGroups.id, exceptId)) : eq(hostGroups.name, name);
  const [clash] = await tx.select({ id: hostGroups.id }).from(hostGroups).where(cond).limit(1);
  if (clash) throw conflict(`a host group named '${name}' already exists (${clash.id})`);
}

export async function createHostGroup(deps: Deps, body: CreateHostGroupBody) {
  const id = deps.ids.uuid();
  const hostIds = [...new Set(body.hostIds ?? [])];
  return deps.database.write(async (tx) => {
    await requireFreeName(tx, body.name);
    await requireHosts(tx, hostIds);
    await tx.insert(hostGroups).values({ id, name: body.name, createdAt: deps.clock.now() });
    if (hostIds.length) await tx.insert(hostGroupMembers).values(hostIds.map((hostId) => ({ groupId: id, hostId })));
    return showHostGroup(tx, id);
  });
}

export async function renameHostGroup(deps: Deps, id: string, body: PatchHostGroupBody) {
  return deps.database.write(async (tx) => {
    await getHostGroupRow(tx, id);
    await requireFreeName(tx, body.name, id);
    await tx.update(hostGroups).set({ name: body.name }).where(eq(hostGroups.id, id));
    return showHostGroup(tx, id);
  });
}

export async function deleteHostGroup(deps: Deps, id: string) {
  await deps.database.write(async (tx) => {
    await getHostGroupRow(tx, id);
    const [user] = await tx.select({ id: containerGroups.id }).from(containerGroups).where(eq(containerGroups.hostGroupId, id)).limit(1);
    if (user) throw conflict(`host group ${id} is used by container group ${user.id}; clear its hostGroupId (PATCH /v1/container-groups/${user.id}) first`);
    await tx.delete(hostGroupMembers).where(eq(hostGroupMembers.groupId, id));
    await tx.delete(hostGroups).where(eq(hostGroups.id, id));
  });
}

/** Idempotent: adding a member twice leaves one membership. */
export async function addHostGroupMember(deps: Deps, id: string, hostId: string) {
  return deps.database.write(async (tx) => {
    await getHostGroupRow(tx, id);
    await requireHosts(tx, [hostId]);
    await tx.insert(hostGroupMembers).values({ groupId: id, hostId }).onConflictDoNothing();
    return showHostGroup(tx, id);
  });
}

export async function removeHostGroupMember(deps: Deps, id: string, hostId: string) {
  await deps.database.write(async (tx) => {
    await getHostGroupRow(tx, id);
    const removed = await tx.delete(hostGroupMembers)
      .where(and(eq(hostGroupMembers.groupId, id), eq(hostGroupMembers.hostId, hostId)))
      .returning({ hostId: hostGroupMembers.hostId });
    if (removed.length === 0) {
      await requireHosts(tx, [hostId]);
      throw notFound(`host ${hostId} is not a member of host group ${id}`);
    }
  });
}
