// For the subnets API: a subnet named in an endpoint group must not be deleted (Neutron: SubnetInUseByEndpointGroup).
import { sql } from 'drizzle-orm';
import { conflict } from '../../../shared/errors';
import type { Db } from '../../db/client';

/** Throws 409 SubnetInUseByEndpointGroup when any subnet-type endpoint group lists subnetId. */
export async function assertSubnetNotInEndpointGroup(tx: Db, subnetId: string): Promise<void> {
  const rows = await tx.all<{ id: string }>(
    sql`SELECT g.id AS id FROM endpoint_groups g, json_each(g.endpoints) e WHERE g.type = 'subnet' AND e.value = ${subnetId} LIMIT 1`,
  );
  if (rows.length > 0) throw conflict(`Subnet ${subnetId} is used by endpoint group ${rows[0].id}.`, 'SubnetInUseByEndpointGroup');
}
