// Changing a container group's policy and affinity. Placed containers stay where they are (DESIGN section 4):
// the new settings apply to the next scheduling decision only, so nothing else is written here.
import { eq } from 'drizzle-orm';
import type { Deps } from '../../deps';
import { containerGroups } from '../../db/schema';
import { getHostGroupRow } from '../host-groups/read';
import { getPortGroupRow } from '../port-groups/read';
import { getContainerGroupRow, showContainerGroup } from './read';
import type { PatchContainerGroupBody } from './schemas';

export async function updateContainerGroup(deps: Deps, id: string, body: PatchContainerGroupBody) {
  return deps.database.write(async (tx) => {
    await getContainerGroupRow(tx, id);
    if (body.hostGroupId) await getHostGroupRow(tx, body.hostGroupId);
    if (body.portGroupId) await getPortGroupRow(tx, body.portGroupId);
    await tx.update(containerGroups).set(body).where(eq(containerGroups.id, id));
    return showContainerGroup(tx, id);
  });
}
