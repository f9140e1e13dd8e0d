// Request bodies for /v1/host-groups (strict: an unknown field is a 400).
import { z } from 'zod';

/** A group name; routers name host groups in availability_zone_hints, so it is a plain printable label. */
export const zGroupName = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[^\s\p{Cc}](.*[^\s\p{Cc}])?$/u, 'must not be blank or start/end with whitespace or control characters');

export const zMemberId = z.string().min(1).max(255);

export const createHostGroupBody = z.strictObject({
  name: zGroupName,
  hostIds: z.array(zMemberId).max(1000).optional(),
});

export const patchHostGroupBody = z.strictObject({ name: zGroupName });

export type CreateHostGroupBody = z.infer<typeof createHostGroupBody>;
export type PatchHostGroupBody = z.infer<typeof patchHostGroupBody>;
