// Request body of POST /v1/tokens (strict: an unknown field is a 400).
import { z } from 'zod';

export const createTokenBody = z.strictObject({
  tenantId: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[^\s\p{Cc}]+$/u, 'must not contain whitespace or control characters'),
});

export type CreateTokenBody = z.infer<typeof createTokenBody>;
