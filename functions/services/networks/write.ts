// Creating, updating and deleting networks (one write transaction each).
import { eq } from 'drizzle-orm';
import type { z } from 'zod';
import { AppError, conflict } from '../../../shared/errors';
import type { Deps } from '../../deps';
import { networks, subnets } from '../../db/schema';
import { canSee, owningTenant } from '../../http/auth';
import type { Auth } from '../../http/env';
import { getNetworkRow, showNetwork } from './read';
import type { createNetworkBody, updateNetworkBody } from './schemas';

export async function createNetwork(deps: Deps, auth: Auth, body: z.infer<typeof createNetworkBody>) {
  if (body['router:external'] && auth.role !== 'admin') throw new AppError('FORBIDDEN', 'only an admin may create an external network');
  const tenantId = owningTenant(auth, body);
  const now = deps.clock.now();
  const id = deps.ids.uuid();
  return deps.database.write(async (tx) => {
    await tx.insert(networks).values({
      id, tenantId, name: body.name ?? '', description: body.description ?? '',
      routerExternal: body['router:external'] ?? false, adminStateUp: body.admin_state_up ?? true,
      createdAt: now, updatedAt: now,
    });
    return showNetwork(tx, auth, id);
  });
}

export async function updateNetwork(deps: Deps, auth: Auth, id: string, body: z.infer<typeof updateNetworkBody>) {
  return deps.database.write(async (tx) => {
    const row = await getNetworkRow(tx, auth, id);
    if (!canSee(auth, row.tenantId)) throw new AppError('NOT_FOUND', `Network ${id} could not be found.`, { type: 'NetworkNotFound' });
    if (body['router:external'] !== undefined && auth.role !== 'admin') throw new AppError('FORBIDDEN', 'only an admin may change router:external');
    await tx.update(networks).set({
      ...(body.name !== undefined && { name: body.name }),
      ...(body.description !== undefined && { description: body.description }),
      ...(body.admin_state_up !== undefined && { adminStateUp: body.admin_state_up }),
      ...(body['router:external'] !== undefined && { routerExternal: body['router:external'] }),
      updatedAt: deps.clock.now(),
    }).where(eq(networks.id, id));
    return showNetwork(tx, auth, id);
  });
}

export async function deleteNetwork(deps: Deps, auth: Auth, id: string) {
  await deps.database.write(async (tx) => {
    const row = await getNetworkRow(tx, auth, id);
    if (!canSee(auth, row.tenantId)) throw new AppError('NOT_FOUND', `Network ${id} could not be found.`, { type: 'NetworkNotFound' });
    const [sub] = await tx.select({ id: subnets.id }).from(subnets).where(eq(subnets.networkId, id)).limit(1);
    if (sub) throw conflict(`Unable to complete operation on network ${id}. There are one or more subnets in use on the network.`, 'NetworkInUse');
    await tx.delete(networks).where(eq(networks.id, id));
  });
}
