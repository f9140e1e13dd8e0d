// Request bodies for /v2.0/vpn/ipsecpolicies (strict: an unknown field is a 400; defaults are applied in write.ts).
import { z } from 'zod';
import { nDict } from '../../http/neutron-convert';
import { AUTH_ALGORITHMS, ENCRYPTION_ALGORITHMS, PFS_GROUPS, createTenantFields, updateTenantFields, zDescription, zLifetime, zLowerEnum, zName } from '../ikepolicies/fields';

const common = {
  name: zName.optional(),
  description: zDescription.optional(),
  // Neutron's strongSwan/libreswan validators refuse ah-esp too: the *Swan daemons cannot combine them.
  transform_protocol: zLowerEnum(['esp', 'ah', 'ah-esp'])
    .refine((t) => t !== 'ah-esp', "'ah-esp' is not supported by berth's strongSwan containers; use 'esp' or 'ah'")
    .optional(),
  auth_algorithm: zLowerEnum(AUTH_ALGORITHMS).optional(),
  encryption_algorithm: zLowerEnum(ENCRYPTION_ALGORITHMS).optional(),
  encapsulation_mode: zLowerEnum(['tunnel', 'transport']).optional(),
  lifetime: nDict(zLifetime).optional(),
  pfs: zLowerEnum(PFS_GROUPS).optional(),
};

export const createIpsecPolicyBody = z.strictObject({ ...common, ...createTenantFields });
export const updateIpsecPolicyBody = z.strictObject({ ...common, ...updateTenantFields });

export type CreateIpsecPolicyBody = z.infer<typeof createIpsecPolicyBody>;
export type UpdateIpsecPolicyBody = z.infer<typeof updateIpsecPolicyBody>;
