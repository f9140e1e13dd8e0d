// Request bodies for /v2.0/vpn/ikepolicies (strict: an unknown field is a 400; defaults are applied in write.ts).
import { z } from 'zod';
import { nDict } from '../../http/neutron-convert';
import { AUTH_ALGORITHMS, ENCRYPTION_ALGORITHMS, PFS_GROUPS, createTenantFields, updateTenantFields, zDescription, zLifetime, zLowerEnum, zName } from './fields';

const common = {
  name: zName.optional(),
  description: zDescription.optional(),
  auth_algorithm: zLowerEnum(AUTH_ALGORITHMS).optional(),
  encryption_algorithm: zLowerEnum(ENCRYPTION_ALGORITHMS).optional(),
  phase1_negotiation_mode: zLowerEnum(['main', 'aggressive']).optional(),
  lifetime: nDict(zLifetime).optional(),
  ike_version: zLowerEnum(['v1', 'v2']).optional(),
  pfs: zLowerEnum(PFS_GROUPS).optional(),
};

export const createIkePolicyBody = z.strictObject({ ...common, ...createTenantFields });
export const updateIkePolicyBody = z.strictObject({ ...common, ...updateTenantFields });

export type CreateIkePolicyBody = z.infer<typeof createIkePolicyBody>;
export type UpdateIkePolicyBody = z.infer<typeof updateIkePolicyBody>;
