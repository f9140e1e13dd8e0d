// Request bodies for /v1/hosts (strict: an unknown field is a 400; an empty PATCH is a 400).
import { z } from 'zod';

/** Upper bounds keep weighted selection sums far from float trouble; real fleets use small numbers. */
export const MAX_CONTAINER_WEIGHT = 1_000_000;
export const MAX_CONTAINER_LIMIT = 1_000_000;

export const patchHostBody = z
  .strictObject({
    containerWeight: z.int().min(0).max(MAX_CONTAINER_WEIGHT).optional(),
    /** -1 = no limit */
    containerLimit: z.int().min(-1).max(MAX_CONTAINER_LIMIT).optional(),
    enforceContainerLimit: z.boolean().optional(),
    cordoned: z.boolean().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: 'nothing to change: give at least one of containerWeight, containerLimit, enforceContainerLimit, cordoned',
  });

export type PatchHostBody = z.infer<typeof patchHostBody>;
