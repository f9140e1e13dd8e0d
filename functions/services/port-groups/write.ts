// Creating, renaming and deleting port groups and changing their members (one write transaction each).
import { and, eq, ne } from 'drizzle-orm';
import { conflict, notFound } from '../../../shared/errors';
import type { Deps } from '../../deps';
import type { Db } from '../../db/client';
import { containerGroups, portGroupMembers, portGroups } from '../../db/schema';
import { getPortGroupRow, requirePorts, showPortGroup } from './read';
import type { CreatePortGroupBody, PatchPortGroupBody } from './schemas';

async function requireFreeName(tx: Db, name: string, exceptId?: string) {
  const cond = exceptId ? and(eq(portGroups.name, name), ne(portGroups.id, exceptId)) : eq(portGroups.name, name);
  const [clash] = await tx.select({ id: portGroups.id }).from(portGroups).where(cond).limit(1);
  if (clash) throw conflict(`a port group named '${name}' already exists (${clash.id})`);
}

export async function createPortGroup(deps: Deps, body: CreatePortGroupBody) {
  const id = deps.ids.uuid();
  const portIds = [...new Set(body.portIds ?? [])];
  return deps.database.write(async (tx) => {
    await requireFreeName(tx, body.name);
    await requirePorts(tx, portIds);
    await tx.insert(portGroups).values({ id, name: body.name, createdAt: deps.clock.now() });
    if (portIds.length) await tx.insert(portGroupMembers).values(portIds.map((portId) => ({ groupId: id, portId })));
    return showPortGroup(tx, id);
  });
}

export async function renamePortGroup(deps: Deps, id: string, body: PatchPortGroupBody) {
  return deps.database.write(async (tx) => {
    await getPortGroupRow(tx, id);
    await requireFreeName(tx, body.name, id);
    await tx.update(portGroups).set({ name: body.name }).where(eq(portGroups.id, id));
    return showPortGroup(tx, id);
  });
}

export async function deletePortGroup(deps: Deps, id: string) {
  await deps.database.write(async (tx) => {
    await getPortGroupRow(tx, id);
    const [user] = await tx.select({ id: containerGroups.id }).from(containerGroups).where(eq(containerGroups.portGroupId, id)).limit(1);
    if (user) throw conflict(`port group ${id} is used by container group ${user.id}; clear its portGroupId (PATCH /v1/container-groups/${user.id}) first`);
    await tx.delete(portGroupMembers).where(eq(portGroupMembers.groupId, id));
    await tx.delete(portGroups).where(eq(portGroups.id, id));
  });
}

/** Idempotent: adding a member twice leaves one membership. */
export async function addPortGroupMember(deps: Deps, id: string, portId: string) {
  return deps.database.write(async (tx) => {
    await getPortGroupRow(tx, id);
    await requirePorts(tx, [portId]);
    await tx.insert(portGroupMembers).values({ groupId: id, portId }).onConflictDoNothing();
    return showPortGroup(tx, id);
  });
}

export async function removePortGroupMember(deps: Deps, id: string, portId: string) {
  await deps.database.write(async (tx) => {
    await getPortGroupRow(tx, id);
    const removed = await tx.delete(portGroupMembers)
      .where(and(eq(portGroupMembers.groupId, id), eq(portGroupMembers.portId, portId)))
      .returning({ portId: portGroupMembers.portId });
    if (removed.length === 0) {
      await requirePorts(tx, [portId]);
      throw notFound(`port ${portId} is not a member of port group ${id}`);
    }
  });
}
