// Network rows as Neutron shows them.
import type { networks } from '../../db/schema';
import { isoOrNull, tenantFields } from '../../http/neutron';

export type NetworkRow = typeof networks.$inferSelect;

export const networkView = (n: NetworkRow, subnetIds: string[]) => ({
  id: n.id,
  name: n.name,
  description: n.description,
  ...tenantFields(n.tenantId),
  'router:external': n.routerExternal,
  admin_state_up: n.adminStateUp,
  status: n.status,
  shared: false,
  subnets: subnetIds,
  created_at: isoOrNull(n.createdAt),
  updated_at: isoOrNull(n.updatedAt),
});
