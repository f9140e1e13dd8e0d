// Request bodies for /v1/container-groups (strict: an unknown field is a 400; an empty PATCH is a 400).
import { z } from 'zod';

export const CONTAINER_GROUP_POLICIES = ['weighted', 'least'] as const;

export const patchContainerGroupBody = z
  .strictObject({
    policy: z.enum(CONTAINER_GROUP_POLICIES).optional(),
    /** null clears the affinity */
    hostGroupId: z.string().min(1).max(255).nullable().optional(),
    portGroupId: z.string().min(1).max(255).nullable().optional(),
    antiAffinity: z.boolean().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'nothing to change: give at least one of policy, hostGroupId, portGroupId, antiAffinity',
  });

export type PatchContainerGroupBody = z.infer<typeof patchContainerGroupBody>;
