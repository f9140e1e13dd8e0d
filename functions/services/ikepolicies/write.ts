// Creating, updating and deleting IKE policies (one write transaction each).
import { eq } from 'drizzle-orm';
import { conflict } from '../../../shared/errors';
import type { Db } from '../../db/client';
import type { Deps } from '../../deps';
import { ikePolicies, ipsecSiteConnections } from '../../db/schema';
import { owningTenant } from '../../http/auth';
import type { Auth } from '../../http/env';
import { POLICY_DEFAULTS } from './fields';
import { getIkePolicyRow } from './read';
import type { CreateIkePolicyBody, UpdateIkePolicyBody } from './schemas';
import { ikePolicyView } from './view';

export const IKE_DEFAULTS = { ...POLICY_DEFAULTS, phase1_negotiation_mode: 'main', ike_version: 'v2' } as const;

/** Fields that only label the policy; everything else shapes live tunnels. */
const LABELS = new Set(['name', 'description']);

export async function createIkePolicy(deps: Deps, auth: Auth, body: CreateIkePolicyBody) {
  const tenantId = owningTenant(auth, body);
  const now = deps.clock.now();
  const id = deps.ids.uuid();
  return deps.database.write(async (tx) => {
    await tx.insert(ikePolicies).values({
      id, tenantId, name: body.name ?? '', description: body.description ?? '',
      authAlgorithm: body.auth_algorithm ?? IKE_DEFAULTS.auth_algorithm,
      encryptionAlgorithm: body.encryption_algorithm ?? IKE_DEFAULTS.encryption_algorithm,
      phase1NegotiationMode: body.phase1_negotiation_mode ?? IKE_DEFAULTS.phase1_negotiation_mode,
      lifetimeUnits: body.lifetime?.units ?? IKE_DEFAULTS.lifetime.units,
      lifetimeValue: body.lifetime?.value ?? IKE_DEFAULTS.lifetime.value,
      ikeVersion: body.ike_version ?? IKE_DEFAULTS.ike_version,
      pfs: body.pfs ?? IKE_DEFAULTS.pfs,
      createdAt: now, updatedAt: now,
    });
    return ikePolicyView(await getIkePolicyRow(tx, auth, id));
  });
}

async function inUse(tx: Db, id: string) {
  const [used] = await tx.select({ id: ipsecSiteConnections.id }).from(ipsecSiteConnections).where(eq(ipsecSiteConnections.ikePolicyId, id)).limit(1);
  return used !== undefined;
}

const inUseError = (id: string, verb: string) =>
  conflict(`IKEPolicy ${id} is in use by an existing IPsecSiteConnection and can't be ${verb}.`, 'IKEPolicyInUse');

export async function updateIkePolicy(deps: Deps, auth: Auth, id: string, body: UpdateIkePolicyBody) {
  return deps.database.write(async (tx) => {
    const row = await getIkePolicyRow(tx, auth, id);
    // As in Neutron, a policy in use keeps its tunnel settings; berth still lets its label change.
    const shaping = Object.keys(body).filter((k) => !LABELS.has(k) && body[k as keyof UpdateIkePolicyBody] !== undefined);
    if (shaping.length > 0 && (await inUse(tx, id))) throw inUseError(id, `updated (${shaping.join(', ')})`);
    await tx.update(ikePolicies).set({
      ...(body.name !== undefined && { name: body.name }),
      ...(body.description !== undefined && { description: body.description }),
      ...(body.auth_algorithm !== undefined && { authAlgorithm: body.auth_algorithm }),
      ...(body.encryption_algorithm !== undefined && { encryptionAlgorithm: body.encryption_algorithm }),
      ...(body.phase1_negotiation_mode !== undefined && { phase1NegotiationMode: body.phase1_negotiation_mode }),
      ...(body.ike_version !== undefined && { ikeVersion: body.ike_version }),
      ...(body.pfs !== undefined && { pfs: body.pfs }),
      lifetimeUnits: body.lifetime?.units ?? row.lifetimeUnits,
      lifetimeValue: body.lifetime?.value ?? row.lifetimeValue,
      updatedAt: deps.clock.now(),
    }).where(eq(ikePolicies.id, id));
    return ikePolicyView(await getIkePolicyRow(tx, auth, id));
  });
}

export async function deleteIkePolicy(deps: Deps, auth: Auth, id: string) {
  await deps.database.write(async (tx) => {
    await getIkePolicyRow(tx, auth, id);
    if (await inUse(tx, id)) throw inUseError(id, 'deleted');
    await tx.delete(ikePolicies).where(eq(ikePolicies.id, id));
  });
}
