// IKE policy rows as Neutron shows them.
import type { ikePolicies } from '../../db/schema';
import { tenantFields } from '../../http/neutron';

export type IkePolicyRow = typeof ikePolicies.$inferSelect;

export const ikePolicyView = (p: IkePolicyRow) => ({
  id: p.id,
  name: p.name,
  description: p.description,
  ...tenantFields(p.tenantId),
  auth_algorithm: p.authAlgorithm,
  encryption_algorithm: p.encryptionAlgorithm,
  phase1_negotiation_mode: p.phase1NegotiationMode,
  lifetime: { units: p.lifetimeUnits, value: p.lifetimeValue },
  ike_version: p.ikeVersion,
  pfs: p.pfs,
});
