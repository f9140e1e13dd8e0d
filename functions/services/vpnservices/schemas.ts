// Request bodies for /v2.0/vpn/vpnservices (strict; router_id and subnet_id are create-only, status and IPs read-only).
import { z } from 'zod';
import { nBool } from '../../http/neutron-convert';
import { createOnly, createTenantFields, readOnly, updateTenantFields, zDescription, zName } from '../ikepolicies/fields';

const common = {
  name: zName.optional(),
  description: zDescription.optional(),
  admin_state_up: nBool().optional(),
  status: readOnly(),
  status_reason: readOnly(),
  external_v4_ip: readOnly(),
  external_v6_ip: readOnly(),
};

export const createVpnServiceBody = z.strictObject({
  ...common,
  ...createTenantFields,
  router_id: z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a router id') }).min(1).max(255),
  /** Legacy mode: the one local subnet. null or absent: endpoint-group mode. */
  subnet_id: z.string().min(1).max(255).nullable().optional(),
});

export const updateVpnServiceBody = z.strictObject({ ...common, ...updateTenantFields, router_id: createOnly(), subnet_id: createOnly() });

export type CreateVpnServiceBody = z.infer<typeof createVpnServiceBody>;
export type UpdateVpnServiceBody = z.infer<typeof updateVpnServiceBody>;
