// Request bodies for /v2.0/vpn/endpoint-groups (strict; type and endpoints are create-only).
import { z } from 'zod';
import { nList } from '../../http/neutron-convert';
import { createOnly, createTenantFields, updateTenantFields, zDescription, zName } from '../ikepolicies/fields';

/** Neutron also knows network, router and vlan groups; berth's site connections use only these two. */
export const ENDPOINT_GROUP_TYPES = ['cidr', 'subnet'] as const;

/** Enough for any real site; bounds the routes a connection makes (local × peer). */
export const MAX_ENDPOINTS = 100;

const common = { name: zName.optional(), description: zDescription.optional() };

export const createEndpointGroupBody = z.strictObject({
  ...common,
  ...createTenantFields,
  type: z.enum(ENDPOINT_GROUP_TYPES, {
    error: (i) => i.input === undefined
      ? "is required: 'cidr' or 'subnet'"
      : `berth supports endpoint group types 'cidr' and 'subnet', not ${JSON.stringify(i.input)}`,
  }),
  endpoints: nList(z.array(z.string().min(1).max(255), { error: 'is required: a list of CIDRs or subnet ids' })
    .min(1, 'needs at least one endpoint')
    .max(MAX_ENDPOINTS, `may hold at most ${MAX_ENDPOINTS} endpoints`)),
});

export const updateEndpointGroupBody = z.strictObject({ ...common, ...updateTenantFields, type: createOnly(), endpoints: createOnly() });

export type CreateEndpointGroupBody = z.infer<typeof createEndpointGroupBody>;
export type UpdateEndpointGroupBody = z.infer<typeof updateEndpointGroupBody>;
