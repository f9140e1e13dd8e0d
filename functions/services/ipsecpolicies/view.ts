// IPsec policy rows as Neutron shows them.
import type { ipsecPolicies } from '../../db/schema';
import { tenantFields } from '../../http/neutron';

export type IpsecPolicyRow = typeof ipsecPolicies.$inferSelect;

export const ipsecPolicyView = (p: IpsecPolicyRow) => ({
  id: p.id,
  name: p.name,
  description: p.description,
  ...tenantFields(p.tenantId),
  transform_protocol: p.transformProtocol,
  auth_algorithm: p.authAlgorithm,
  encryption_algorithm: p.encryptionAlgorithm,
  encapsulation_mode: p.encapsulationMode,
  lifetime: { units: p.lifetimeUnits, value: p.lifetimeValue },
  pfs: p.pfs,
});
