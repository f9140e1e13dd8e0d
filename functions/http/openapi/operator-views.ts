// The /v1 objects as berth returns them (the shapes of functions/services/*/view.ts and the operator verbs'
// answers), as zod schemas: the OpenAPI document's response schemas and what the walk test validates real
// responses with. Loose objects where an answer carries diagnostic extras (explain, drain, southbound).
import { z } from 'zod';

const iso = z.string().nullable();

export const hostView = z.strictObject({
  id: z.string(), name: z.string(), alive: z.boolean(), containerWeight: z.number().int(), containerLimit: z.number().int(),
  enforceContainerLimit: z.boolean(), cordoned: z.boolean(), containerCount: z.number().int(), lastHeartbeatAt: iso,
  bootId: z.string().nullable(), reportedCount: z.number().int().nullable(), reportedQuota: z.number().int().nullable(),
});

export const hostGroupView = z.strictObject({ id: z.string(), name: z.string(), hostIds: z.array(z.string()) });
export const portGroupView = z.strictObject({ id: z.string(), name: z.string(), portIds: z.array(z.string()) });

export const containerGroupView = z.strictObject({
  id: z.string(), policy: z.enum(['weighted', 'least']), hostGroupId: z.string().nullable(), portGroupId: z.string().nullable(),
  antiAffinity: z.boolean(), routerId: z.string().nullable(),
});

export const containerView = z.strictObject({
  id: z.string(), groupId: z.string(), portId: z.string(), serviceType: z.string(), configurationId: z.string(),
  hostId: z.string().nullable(), status: z.enum(['STARTING', 'RUNNING', 'STOPPING', 'STOPPED', 'ERROR']).nullable(), statusMessage: z.string(),
  schedulerState: z.enum(['DOWN', 'SCHEDULED', 'RESCHEDULED', 'UP']),
  namespace: z.string().nullable(), interfaceName: z.string().nullable(), placementGeneration: z.number().int(),
});

export const containerEventView = z.strictObject({ at: z.string(), type: z.string(), hostId: z.string().nullable(), reason: z.string().nullable() });

export const explainView = z.object({
  containerId: z.string(),
  hosts: z.array(z.object({ hostId: z.string(), eligible: z.boolean(), reason: z.string() })),
});

export const drainStartView = z.object({ hostId: z.string(), containers: z.number().int(), maxParallel: z.number().int() });
export const drainStatusView = z.looseObject({
  hostId: z.string(), draining: z.boolean(), cordoned: z.boolean(), maxParallel: z.number().int().nullable(), startedAt: iso,
  inFlightContainers: z.array(z.object({ containerId: z.string(), to: z.string().nullable() })), blocked: z.array(z.unknown()),
});

export const tokenView = z.strictObject({ id: z.string(), tenantId: z.string().nullable(), role: z.string(), createdAt: iso });
export const issuedTokenView = z.strictObject({ id: z.string(), tenantId: z.string().nullable(), role: z.string(), token: z.string() });

export const rebalanceView = z.looseObject({
  moves: z.array(z.object({ containerId: z.string(), from: z.string().nullable(), to: z.string().nullable(), reason: z.string() })),
  dryRun: z.boolean(),
});

export const southboundView = z.strictObject({
  ports: z.array(z.looseObject({ id: z.string() })),
  routes: z.array(z.looseObject({
    id: z.string(), srcCidr: z.string().nullable(), dstCidr: z.string(), nextHopPortId: z.string().nullable(),
    nextHopGateway: z.string().nullable(), ipsecSiteConnectionId: z.string().nullable(),
  })),
  chains: z.array(z.looseObject({ id: z.string(), name: z.string() })),
  rules: z.array(z.looseObject({ id: z.string(), chainId: z.string(), action: z.string() })),
});

export const healthView = z.object({ status: z.enum(['ok', 'unavailable']), reason: z.string().optional() });
