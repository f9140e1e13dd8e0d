// Request bodies for /v2.0/vpn/ipsec-site-connections (strict). The psk is write-only: accepted here, never shown.
import { z } from 'zod';
import { nBool, nDict, nInt, nList } from '../../http/neutron-convert';
import { zCidr } from '../../../shared/model/net';
import { MAX_MTU, zConfigText, zPeerAddress } from '../../../shared/protocol/fields';
import { createOnly, createTenantFields, readOnly, updateTenantFields, zDescription, zLowerEnum } from '../ikepolicies/fields';

export { zPeerAddress };

/** Enough for any real site; bounds the routes a connection makes (local × peer). */
export const MAX_PEER_CIDRS = 100;

export const DPD_ACTIONS = ['hold', 'clear', 'disabled', 'restart', 'restart-by-peer'] as const;

/** A partial dpd object merges with the current (update) or default (create) values. */
const zDpd = z.strictObject({
  action: zLowerEnum(DPD_ACTIONS).optional(),
  interval: nInt(z.number().int().min(1).max(86_400)).optional(),
  timeout: nInt(z.number().int().min(1).max(86_400)).optional(),
});

const required = (what: string) => ({ error: (i: { input: unknown }) => (i.input === undefined ? 'is required' : `must be ${what}`) });
const zId = (what: string) => z.string(required(what)).min(1).max(255);

const common = {
  // The name, ids, PSK and MTU reach the agent: validated exactly as the desired state validates them.
  name: zConfigText(255).optional(),
  description: zDescription.optional(),
  local_id: zConfigText(255).optional(),
  peer_cidrs: nList(z.array(zCidr).max(MAX_PEER_CIDRS, `may hold at most ${MAX_PEER_CIDRS} CIDRs`)).optional(),
  local_ep_group_id: z.string().min(1).max(255).nullable().optional(),
  peer_ep_group_id: z.string().min(1).max(255).nullable().optional(),
  // Below 68 is refused with Neutron's IPsecSiteConnectionMtuError (validate.ts), as the desired state's zMtu.
  mtu: nInt(z.number().int().min(1).max(MAX_MTU)).optional(),
  initiator: zLowerEnum(['bi-directional', 'response-only']).optional(),
  dpd: nDict(zDpd).optional(),
  admin_state_up: nBool().optional(),
  status: readOnly(),
  status_reason: readOnly(),
  route_mode: readOnly(),
  auth_mode: readOnly(),
};

export const createSiteConnectionBody = z.strictObject({
  ...common,
  ...createTenantFields,
  vpnservice_id: zId('a VPN service id'),
  ikepolicy_id: zId('an IKE policy id'),
  ipsecpolicy_id: zId('an IPsec policy id'),
  peer_address: z.string(required('an IP address or DNS name')).pipe(zPeerAddress),
  peer_id: z.string(required('a string')).min(1, 'must not be empty').pipe(zConfigText(255)),
  psk: z.string(required('a non-empty string')).min(1, 'must not be empty').pipe(zConfigText(255)),
});

export const updateSiteConnectionBody = z.strictObject({
  ...common,
  ...updateTenantFields,
  vpnservice_id: createOnly(),
  ikepolicy_id: createOnly(),
  ipsecpolicy_id: createOnly(),
  peer_address: zPeerAddress.optional(),
  peer_id: z.string().min(1, 'must not be empty').pipe(zConfigText(255)).optional(),
  psk: z.string().min(1, 'must not be empty').pipe(zConfigText(255)).optional(),
});

export type CreateSiteConnectionBody = z.infer<typeof createSiteConnectionBody>;
export type UpdateSiteConnectionBody = z.infer<typeof updateSiteConnectionBody>;
