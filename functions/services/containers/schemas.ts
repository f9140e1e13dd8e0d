// Query parameters of GET /v1/containers (strict: an unknown parameter or value is a 400, not silently ignored).
import { z } from 'zod';

export const CONTAINER_STATUSES = ['STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'ERROR'] as const;
export const SCHEDULER_STATES = ['DOWN', 'SCHEDULED', 'RESCHEDULED', 'UP'] as const;

export const listContainersQuery = z.strictObject({
  hostId: z.string().min(1).max(255).optional(),
  status: z.enum(CONTAINER_STATUSES).optional(),
  schedulerState: z.enum(SCHEDULER_STATES).optional(),
  groupId: z.string().min(1).max(255).optional(),
  configurationId: z.string().min(1).max(255).optional(),
});

export type ListContainersQuery = z.infer<typeof listContainersQuery>;

/** PUT /v1/containers/{id}/host: the host to migrate to (an agent's host id). */
export const migrateBody = z.strictObject({
  hostId: z.string().min(1).max(255),
});
