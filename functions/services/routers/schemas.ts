// Request bodies for /v2.0/routers and its add/remove_router_interface actions (strict: unknown fields are a 400).
import { z } from 'zod';
import { nBool } from '../../http/neutron-convert';
import { zIpAddress } from '../../../shared/model/net';

const text = z.string().max(255);
const id = z.string().min(1).max(255);

const fixedIp = z.strictObject({ subnet_id: id.optional(), ip_address: zIpAddress.optional() });

/** {} or null clears the gateway; otherwise network_id names the external network. */
export const gatewayInfo = z
  .strictObject({
    network_id: id.optional(),
    enable_snat: nBool().optional(),
    external_fixed_ips: z.array(fixedIp).max(8).optional(),
  })
  .nullable();

const common = {
  name: text.optional(),
  description: text.optional(),
  admin_state_up: nBool().optional(),
  external_gateway_info: gatewayInfo.optional(),
};

export const createRouterBody = z
  .strictObject({
    ...common,
    availability_zone_hints: z.array(z.string().min(1).max(255)).max(16).optional(),
    tenant_id: id.optional(),
    project_id: id.optional(),
  })
  .refine((b) => b.tenant_id === undefined || b.project_id === undefined || b.tenant_id === b.project_id, {
    message: 'tenant_id and project_id must be equal when both are given',
  });

// availability_zone_hints is accepted by the parser only to answer with a clearer message than "unknown field".
export const updateRouterBody = z.strictObject({ ...common, availability_zone_hints: z.unknown().optional() });

export const interfaceBody = z.strictObject({ subnet_id: id.optional(), port_id: z.unknown().optional() });

export type GatewayInfo = z.infer<typeof gatewayInfo>;
export type CreateRouter = z.infer<typeof createRouterBody>;
export type UpdateRouter = z.infer<typeof updateRouterBody>;
export type InterfaceBody = z.infer<typeof interfaceBody>;
