// Creating, updating and deleting endpoint groups (one write transaction each).
import { eq, inArray, or } from 'drizzle-orm';
import { badRequest, conflict } from '../../../shared/errors';
import type { Deps } from '../../deps';
import { endpointGroups, ipsecSiteConnections, subnets } from '../../db/schema';
import { canSee, owningTenant } from '../../http/auth';
import type { Auth } from '../../http/env';
import type { Db } from '../../db/client';
import { getEndpointGroupRow } from './read';
import type { CreateEndpointGroupBody, UpdateEndpointGroupBody } from './schemas';
import { assertNoDuplicates, checkCidrEndpoints } from './validate';
import { endpointGroupView } from './view';

/** Every subnet endpoint must exist and be visible to the caller (another tenant's subnet does not exist for it). */
async function checkSubnetEndpoints(tx: Db, auth: Auth, ids: string[]) {
  assertNoDuplicates(ids);
  const found = await tx.select({ id: subnets.id, tenantId: subnets.tenantId }).from(subnets).where(inArray(subnets.id, ids));
  const visible = new Set(found.filter((s) => canSee(auth, s.tenantId)).map((s) => s.id));
  const missing = ids.find((id) => !visible.has(id));
  if (missing) throw badRequest(`Subnet ${missing} in endpoint group does not exist.`, 'NonExistingSubnetInEndpointGroup');
}

export async function createEndpointGroup(deps: Deps, auth: Auth, body: CreateEndpointGroupBody) {
  const tenantId = owningTenant(auth, body);
  const now = deps.clock.now();
  const id = deps.ids.uuid();
  if (body.type === 'cidr') checkCidrEndpoints(body.endpoints);
  return deps.database.write(async (tx) => {
    if (body.type === 'subnet') await checkSubnetEndpoints(tx, auth, body.endpoints);
    await tx.insert(endpointGroups).values({
      id, tenantId, name: body.name ?? '', description: body.description ?? '',
      type: body.type, endpoints: body.endpoints, createdAt: now, updatedAt: now,
    });
    return endpointGroupView(await getEndpointGroupRow(tx, auth, id));
  });
}

export async function updateEndpointGroup(deps: Deps, auth: Auth, id: string, body: UpdateEndpointGroupBody) {
  return deps.database.write(async (tx) => {
    await getEndpointGroupRow(tx, auth, id);
    await tx.update(endpointGroups).set({
      ...(body.name !== undefined && { name: body.name }),
      ...(body.description !== undefined && { description: body.description }),
      updatedAt: deps.clock.now(),
    }).where(eq(endpointGroups.id, id));
    return endpointGroupView(await getEndpointGroupRow(tx, auth, id));
  });
}

export async function deleteEndpointGroup(deps: Deps, auth: Auth, id: string) {
  await deps.database.write(async (tx) => {
    await getEndpointGroupRow(tx, auth, id);
    const [used] = await tx.select({ id: ipsecSiteConnections.id }).from(ipsecSiteConnections)
      .where(or(eq(ipsecSiteConnections.localEpGroupId, id), eq(ipsecSiteConnections.peerEpGroupId, id))).limit(1);
    if (used) throw conflict(`Endpoint group ${id} is in use by IPsec site connection ${used.id} and cannot be deleted.`, 'EndpointGroupInUse');
    await tx.delete(endpointGroups).where(eq(endpointGroups.id, id));
  });
}
