// Creating, updating and deleting IPsec policies (one write transaction each).
import { eq } from 'drizzle-orm';
import { conflict } from '../../../shared/errors';
import type { Db } from '../../db/client';
import type { Deps } from '../../deps';
import { ipsecPolicies, ipsecSiteConnections } from '../../db/schema';
import { owningTenant } from '../../http/auth';
import type { Auth } from '../../http/env';
import { POLICY_DEFAULTS } from '../ikepolicies/fields';
import { getIpsecPolicyRow } from './read';
import type { CreateIpsecPolicyBody, UpdateIpsecPolicyBody } from './schemas';
import { ipsecPolicyView } from './view';

export const IPSEC_DEFAULTS = { ...POLICY_DEFAULTS, transform_protocol: 'esp', encapsulation_mode: 'tunnel' } as const;

/** Fields that only label the policy; everything else shapes live tunnels. */
const LABELS = new Set(['name', 'description']);

export async function createIpsecPolicy(deps: Deps, auth: Auth, body: CreateIpsecPolicyBody) {
  const tenantId = owningTenant(auth, body);
  const now = deps.clock.now();
  const id = deps.ids.uuid();
  return deps.database.write(async (tx) => {
    await tx.insert(ipsecPolicies).values({
      id, tenantId, name: body.name ?? '', description: body.description ?? '',
      transformProtocol: body.transform_protocol ?? IPSEC_DEFAULTS.transform_protocol,
      authAlgorithm: body.auth_algorithm ?? IPSEC_DEFAULTS.auth_algorithm,
      encryptionAlgorithm: body.encryption_algorithm ?? IPSEC_DEFAULTS.encryption_algorithm,
      encapsulationMode: body.encapsulation_mode ?? IPSEC_DEFAULTS.encapsulation_mode,
      lifetimeUnits: body.lifetime?.units ?? IPSEC_DEFAULTS.lifetime.units,
      lifetimeValue: body.lifetime?.value ?? IPSEC_DEFAULTS.lifetime.value,
      pfs: body.pfs ?? IPSEC_DEFAULTS.pfs,
      createdAt: now, updatedAt: now,
    });
    return ipsecPolicyView(await getIpsecPolicyRow(tx, auth, id));
  });
}

async function inUse(tx: Db, id: string) {
  const [used] = await tx.select({ id: ipsecSiteConnections.id }).from(ipsecSiteConnections).where(eq(ipsecSiteConnections.ipsecPolicyId, id)).limit(1);
  return used !== undefined;
}

const inUseError = (id: string, verb: string) =>
  conflict(`IPsecPolicy ${id} is in use by an existing IPsecSiteConnection and can't be ${verb}.`, 'IPsecPolicyInUse');

export async function updateIpsecPolicy(deps: Deps, auth: Auth, id: string, body: UpdateIpsecPolicyBody) {
  return deps.database.write(async (tx) => {
    const row = await getIpsecPolicyRow(tx, auth, id);
    // As in Neutron, a policy in use keeps its tunnel settings; berth still lets its label change.
    const shaping = Object.keys(body).filter((k) => !LABELS.has(k) && body[k as keyof UpdateIpsecPolicyBody] !== undefined);
    if (shaping.length > 0 && (await inUse(tx, id))) throw inUseError(id, `updated (${shaping.join(', ')})`);
    await tx.update(ipsecPolicies).set({
      ...(body.name !== undefined && { name: body.name }),
      ...(body.description !== undefined && { description: body.description }),
      ...(body.transform_protocol !== undefined && { transformProtocol: body.transform_protocol }),
      ...(body.auth_algorithm !== undefined && { authAlgorithm: body.auth_algorithm }),
      ...(body.encryption_algorithm !== undefined && { encryptionAlgorithm: body.encryption_algorithm }),
      ...(body.encapsulation_mode !== undefined && { encapsulationMode: body.encapsulation_mode }),
      ...(body.pfs !== undefined && { pfs: body.pfs }),
      lifetimeUnits: body.lifetime?.units ?? row.lifetimeUnits,
      lifetimeValue: body.lifetime?.value ?? row.lifetimeValue,
      updatedAt: deps.clock.now(),
    }).where(eq(ipsecPolicies.id, id));
    return ipsecPolicyView(await getIpsecPolicyRow(tx, auth, id));
  });
}

export async function deleteIpsecPolicy(deps: Deps, auth: Auth, id: string) {
  await deps.database.write(async (tx) => {
    await getIpsecPolicyRow(tx, auth, id);
    if (await inUse(tx, id)) throw inUseError(id, 'deleted');
    await tx.delete(ipsecPolicies).where(eq(ipsecPolicies.id, id));
  });
}
