// Request bodies for /v2.0/subnets (strict: an unknown field is a 400).
import { z } from 'zod';
import { nInt } from '../../http/neutron-convert';
import { zCidr, zIpAddress } from '../../../shared/model/net';

const text = z.string().max(255);
const tenant = z.string().min(1).max(255);

export const createSubnetBody = z
  .strictObject({
    network_id: z.string().min(1).max(255),
    cidr: zCidr,
    // Required by Neutron; berth derives it from cidr when absent.
    ip_version: nInt(z.union([z.literal(4), z.literal(6)])).optional(),
    // Absent: the first host of cidr; null: no gateway.
    gateway_ip: zIpAddress.nullable().optional(),
    name: text.optional(),
    description: text.optional(),
    tenant_id: tenant.optional(),
    project_id: tenant.optional(),
  })
  .refine((b) => b.tenant_id === undefined || b.project_id === undefined || b.tenant_id === b.project_id, {
    message: 'tenant_id and project_id must be equal when both are given',
  });

export const updateSubnetBody = z.strictObject({
  name: text.optional(),
  description: text.optional(),
  gateway_ip: zIpAddress.nullable().optional(),
});

export type CreateSubnet = z.infer<typeof createSubnetBody>;
export type UpdateSubnet = z.infer<typeof updateSubnetBody>;
