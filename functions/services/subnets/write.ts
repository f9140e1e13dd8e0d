// Creating, updating and deleting subnets (one write transaction each).
import { eq } from 'drizzle-orm';
import { AppError, badRequest, conflict, notFound } from '../../../shared/errors';
import { canonicalIp, cidrsOverlap, firstHost, isHostAddress, parseCidr } from '../../../shared/model/net';
import type { Deps } from '../../deps';
import { networks, subnets } from '../../db/schema';
import { canSee, owningTenant } from '../../http/auth';
import type { Auth } from '../../http/env';
import { getOwnSubnetRow, showSubnet } from './read';
import type { CreateSubnet, UpdateSubnet } from './schemas';
import { gatewayHoldsIp, hasRouterInterface, subnetInUseReason } from './usage';

/** gateway_ip as given (undefined: keep/default, null: none), canonical and checked against cidr. */
function checkedGateway(cidr: string, gateway: string | null | undefined): string | null | undefined {
  if (gateway == null) return gateway;
  const ip = canonicalIp(gateway);
  if (!isHostAddress(cidr, ip)) throw badRequest(`Invalid input: gateway_ip ${ip} is not a usable host address of cidr ${cidr}`, 'InvalidInput');
  return ip;
}

export async function createSubnet(deps: Deps, auth: Auth, body: CreateSubnet) {
  const parsed = parseCidr(body.cidr)!; // zCidr already accepted it
  const cidr = `${parsed.address}/${parsed.prefix}`;
  if (body.ip_version !== undefined && body.ip_version !== parsed.version) {
    throw badRequest(`Invalid input: ip_version ${body.ip_version} does not match cidr ${cidr} (IPv${parsed.version})`, 'InvalidInput');
  }
  const gatewayIp = body.gateway_ip === undefined ? firstHost(cidr) : checkedGateway(cidr, body.gateway_ip)!;
  const now = deps.clock.now();
  const id = deps.ids.uuid();
  return deps.database.write(async (tx) => {
    const [net] = await tx.select().from(networks).where(eq(networks.id, body.network_id)).limit(1);
    if (!net || (!canSee(auth, net.tenantId) && !net.routerExternal)) throw notFound(`Network ${body.network_id} could not be found.`, 'NetworkNotFound');
    // A tenant sees external networks of others but may not add subnets to them.
    if (!canSee(auth, net.tenantId)) throw new AppError('FORBIDDEN', `a tenant may create subnets only on its own networks; network ${net.id} belongs to another tenant`);
    const named = body.tenant_id ?? body.project_id;
    // An admin creating on a tenant's network without naming a tenant creates it for the network's owner.
    const tenantId = named !== undefined || auth.role === 'tenant' ? owningTenant(auth, body) : net.tenantId;
    const siblings = await tx.select({ id: subnets.id, cidr: subnets.cidr }).from(subnets).where(eq(subnets.networkId, net.id));
    const clash = siblings.find((s) => cidrsOverlap(s.cidr, cidr));
    if (clash) throw badRequest(`Invalid input: cidr ${cidr} overlaps with subnet ${clash.id} (${clash.cidr}) on network ${net.id}`, 'InvalidInput');
    await tx.insert(subnets).values({
      id, tenantId, networkId: net.id, name: body.name ?? '', description: body.description ?? '',
      cidr, ipVersion: parsed.version, gatewayIp, createdAt: now, updatedAt: now,
    });
    return showSubnet(tx, auth, id);
  });
}

export async function updateSubnet(deps: Deps, auth: Auth, id: string, body: UpdateSubnet) {
  return deps.database.write(async (tx) => {
    const row = await getOwnSubnetRow(tx, auth, id);
    const gatewayIp = checkedGateway(row.cidr, body.gateway_ip);
    if (gatewayIp !== undefined && gatewayIp !== row.gatewayIp) {
      // The router interface port sits on the gateway address: moving it would orphan the port.
      if (await hasRouterInterface(tx, id)) throw conflict(`Gateway ip ${row.gatewayIp} of subnet ${id} is in use by a router interface; remove the interface first.`, 'GatewayIpInUse');
      if (gatewayIp && (await gatewayHoldsIp(tx, row, gatewayIp))) throw conflict(`Gateway ip ${gatewayIp} is already allocated to a router gateway on subnet ${id}.`, 'GatewayIpInUse');
    }
    await tx.update(subnets).set({
      ...(body.name !== undefined && { name: body.name }),
      ...(body.description !== undefined && { description: body.description }),
      ...(gatewayIp !== undefined && { gatewayIp }),
      updatedAt: deps.clock.now(),
    }).where(eq(subnets.id, id));
    return showSubnet(tx, auth, id);
  });
}

export async function deleteSubnet(deps: Deps, auth: Auth, id: string) {
  await deps.database.write(async (tx) => {
    const row = await getOwnSubnetRow(tx, auth, id);
    const reason = await subnetInUseReason(tx, row);
    if (reason) throw conflict(`Unable to complete operation on subnet ${id}: ${reason}.`, 'SubnetInUse');
    await tx.delete(subnets).where(eq(subnets.id, id));
  });
}
