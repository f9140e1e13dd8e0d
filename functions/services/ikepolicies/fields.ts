// Body fields shared by the VPNaaS resources (policies, VPN services, endpoint groups, site connections):
// allowed algorithm names, lifetime, and the create-only / read-only markers that make a clear 400.
import { z } from 'zod';
import { nInt } from '../../http/neutron-convert';
import { owningTenant } from '../../http/auth';
import type { Auth } from '../../http/env';

/** Neutron's auth algorithms. sha1 is accepted for compatibility only; it is never a default. */
export const AUTH_ALGORITHMS = ['sha1', 'sha256', 'sha384', 'sha512', 'aes-xcbc', 'aes-cmac'] as const;

const AES_SIZES = ['128', '192', '256'] as const;
/** Neutron's encryption algorithms. 3des is accepted for compatibility only; it is never a default. */
export const ENCRYPTION_ALGORITHMS = [
  '3des',
  ...AES_SIZES.map((s) => `aes-${s}`),
  ...AES_SIZES.flatMap((s) => ['8', '12', '16'].map((icv) => `aes-${s}-ccm-${icv}`)),
  ...AES_SIZES.flatMap((s) => ['8', '12', '16'].map((icv) => `aes-${s}-gcm-${icv}`)),
] as [string, ...string[]];

export const PFS_GROUPS = ['group2', 'group5', ...Array.from({ length: 18 }, (_, i) => `group${14 + i}`)] as [string, ...string[]];

/** The modern defaults both policies share (the notes: sha256 + aes-128, group14, 3600 s). */
export const POLICY_DEFAULTS = { auth_algorithm: 'sha256', encryption_algorithm: 'aes-128', pfs: 'group14', lifetime: { units: 'seconds', value: 3600 } } as const;

/** An enum compared case-insensitively (clients send "Group14", "SHA256") and stored lower case. */
export const zLowerEnum = <T extends readonly [string, ...string[]]>(values: T) => z.string().toLowerCase().pipe(z.enum(values));

export const MIN_LIFETIME_SECONDS = 60;

/** Lifetime as Neutron writes it; either key may be left out (create: defaults, update: current value). */
export const zLifetime = z.strictObject({
  units: z.string().toLowerCase().refine((u) => u === 'seconds', {
    error: (i) => (i.input === 'kilobytes' ? "units 'kilobytes' is not supported by berth; use 'seconds'" : "units must be 'seconds'"),
  }).optional(),
  value: nInt(z.number().int().min(MIN_LIFETIME_SECONDS, `must be at least ${MIN_LIFETIME_SECONDS} seconds`).max(2_147_483_647)).optional(),
});

export const zName = z.string().max(255);
export const zDescription = z.string().max(255);

/** Text that ends up in the agent's IPsec configuration: shared with the desired-state schema. */
export { zConfigText } from '../../../shared/protocol/fields';

/** A field that exists on the resource but may only be given at creation. */
export const createOnly = () => z.never({ error: 'cannot be changed after creation (create-only field)' }).optional();

/** A field berth computes; a client may not set it. */
export const readOnly = () => z.never({ error: 'is read-only' }).optional();

/** Fields every VPN create body accepts: the owner (admin only names another tenant) and the read-only id. */
export const createTenantFields = {
  tenant_id: z.string().min(1).max(255).optional(),
  project_id: z.string().min(1).max(255).optional(),
  id: readOnly(),
};

/** The same fields in an update body: the owner never changes. */
export const updateTenantFields = { tenant_id: createOnly(), project_id: createOnly(), id: readOnly() };

/**
 * The owner of an object created under a parent (a VPN service on a router, a connection on a VPN service):
 * as owningTenant, except that an admin who names no tenant creates it for the parent's tenant, so the
 * parent's owner can see (and is blocked only by) what hangs off their object.
 */
export function ownerUnder(auth: Auth, body: { tenant_id?: string; project_id?: string }, parentTenantId: string): string {
  if (auth.role === 'admin' && body.tenant_id === undefined && body.project_id === undefined) return parentTenantId;
  return owningTenant(auth, body);
}
