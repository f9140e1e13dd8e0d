// Request bodies for /v2.0/networks (strict: an unknown field is a 400).
import { z } from 'zod';
import { nBool } from '../../http/neutron-convert';

const common = {
  name: z.string().max(255).optional(),
  description: z.string().max(255).optional(),
  admin_state_up: nBool().optional(),
  'router:external': nBool().optional(),
};

export const createNetworkBody = z.strictObject({ ...common, tenant_id: z.string().min(1).max(255).optional(), project_id: z.string().min(1).max(255).optional() });
export const updateNetworkBody = z.strictObject(common);
