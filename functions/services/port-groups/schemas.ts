// Request bodies for /v1/port-groups (strict: an unknown field is a 400); names follow host-group rules.
import { z } from 'zod';
import { zGroupName, zMemberId } from '../host-groups/schemas';

export const createPortGroupBody = z.strictObject({
  name: zGroupName,
  portIds: z.array(zMemberId).max(1000).optional(),
});

export const patchPortGroupBody = z.strictObject({ name: zGroupName });

export type CreatePortGroupBody = z.infer<typeof createPortGroupBody>;
export type PatchPortGroupBody = z.infer<typeof patchPortGroupBody>;
