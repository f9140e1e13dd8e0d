// Endpoint group rows as Neutron shows them.
import type { endpointGroups } from '../../db/schema';
import { tenantFields } from '../../http/neutron';

export type EndpointGroupRow = typeof endpointGroups.$inferSelect;

export const endpointGroupView = (g: EndpointGroupRow) => ({
  id: g.id,
  name: g.name,
  description: g.description,
  ...tenantFields(g.tenantId),
  type: g.type,
  endpoints: g.endpoints,
});
