// Creating, updating and deleting IPsec site connections: one write transaction each, validated against the
// merged values, translated (syncRouter) in the same transaction. The PSK is encrypted before it is stored.
import { eq } from 'drizzle-orm';
import type { Deps } from '../../deps';
import { byId } from '../../db/prepared';
import { ikePolicies, ipsecPolicies, ipsecSiteConnections, vpnServices } from '../../db/schema';
import type { Auth } from '../../http/env';
import { syncRouter, syncRouterWith } from '../../translator/sync';
import { ownerUnder } from '../ikepolicies/fields';
import { visibleIkePolicy } from '../ikepolicies/read';
import { visibleIpsecPolicy } from '../ipsecpolicies/read';
import { getSiteConnectionRow } from './read';
import type { CreateSiteConnectionBody, UpdateSiteConnectionBody } from './schemas';
import { readTopology } from './topology';
import { validateConnection, type CandidateConnection } from './validate';
import { siteConnectionView, type SiteConnectionRow } from './view';

export const CONNECTION_DEFAULTS = { mtu: 1500, initiator: 'bi-directional', local_id: '', dpd: { action: 'hold', interval: 30, timeout: 120 } } as const;

export async function createSiteConnection(deps: Deps, auth: Auth, body: CreateSiteConnectionBody) {
  const now = deps.clock.now();
  const id = deps.ids.uuid();
  const pskCiphertext = await deps.secrets.encrypt(body.psk);
  return deps.database.write(async (tx) => {
    // One round trip for every read (the service, its policies, its topology) …
    const { service, topology, first: [[ike], [ipsec]] } = await readTopology(tx, auth, {
      serviceId: body.vpnservice_id, groups: { local: body.local_ep_group_id ?? null, peer: body.peer_ep_group_id ?? null },
      first: [byId(tx, ikePolicies, body.ikepolicy_id), byId(tx, ipsecPolicies, body.ipsecpolicy_id)],
    });
    visibleIkePolicy(auth, ike, body.ikepolicy_id);
    visibleIpsecPolicy(auth, ipsec, body.ipsecpolicy_id);
    const candidate: CandidateConnection = {
      peerAddress: body.peer_address,
      peerCidrs: body.peer_cidrs ?? [],
      localEpGroupId: body.local_ep_group_id ?? null,
      peerEpGroupId: body.peer_ep_group_id ?? null,
      mtu: body.mtu ?? CONNECTION_DEFAULTS.mtu,
      dpd: { ...CONNECTION_DEFAULTS.dpd, ...body.dpd },
    };
    validateConnection(candidate, topology());
    // … one for the INSERT and the router's snapshot, one for the router's southbound writes (then the COMMIT).
    const insert = tx.insert(ipsecSiteConnections).values({
      id, tenantId: ownerUnder(auth, body, service.tenantId), name: body.name ?? '', description: body.description ?? '',
      vpnServiceId: service.id, ikePolicyId: body.ikepolicy_id, ipsecPolicyId: body.ipsecpolicy_id,
      peerAddress: candidate.peerAddress, peerId: body.peer_id, localId: body.local_id ?? CONNECTION_DEFAULTS.local_id,
      peerCidrs: candidate.peerCidrs, localEpGroupId: candidate.localEpGroupId, peerEpGroupId: candidate.peerEpGroupId,
      pskCiphertext, mtu: candidate.mtu, initiator: body.initiator ?? CONNECTION_DEFAULTS.initiator,
      dpdAction: candidate.dpd.action, dpdInterval: candidate.dpd.interval, dpdTimeout: candidate.dpd.timeout,
      adminStateUp: body.admin_state_up ?? true,
      // PENDING_CREATE until the agent reports the tunnel: berth never claims ACTIVE it has not seen.
      status: 'PENDING_CREATE', routeMode: 'static', authMode: 'psk',
      createdAt: now, updatedAt: now,
    }).returning();
    // The translation writes only southbound rows and the services' external IPs: the row inserted is the answer.
    const { before: [[row]] } = await syncRouterWith(tx, deps, service.routerId, { before: [insert], after: [] });
    return siteConnectionView(row);
  });
}

/** The connection after the update: every field the body leaves out keeps its current value (dpd key by key). */
function merged(row: SiteConnectionRow, body: UpdateSiteConnectionBody): CandidateConnection {
  return {
    peerAddress: body.peer_address ?? row.peerAddress,
    peerCidrs: body.peer_cidrs ?? row.peerCidrs,
    localEpGroupId: body.local_ep_group_id !== undefined ? body.local_ep_group_id : row.localEpGroupId,
    peerEpGroupId: body.peer_ep_group_id !== undefined ? body.peer_ep_group_id : row.peerEpGroupId,
    mtu: body.mtu ?? row.mtu,
    dpd: {
      action: body.dpd?.action ?? row.dpdAction,
      interval: body.dpd?.interval ?? row.dpdInterval,
      timeout: body.dpd?.timeout ?? row.dpdTimeout,
    },
  };
}

export async function updateSiteConnection(deps: Deps, auth: Auth, id: string, body: UpdateSiteConnectionBody) {
  const pskCiphertext = body.psk !== undefined ? await deps.secrets.encrypt(body.psk) : undefined;
  return deps.database.write(async (tx) => {
    const row = await getSiteConnectionRow(tx, auth, id);
    const candidate = merged(row, body);
    const { service, topology } = await readTopology(tx, auth, {
      serviceId: row.vpnServiceId, checkService: false,
      groups: { local: candidate.localEpGroupId, peer: candidate.peerEpGroupId },
      current: { local: row.localEpGroupId, peer: row.peerEpGroupId },
    });
    validateConnection(candidate, topology());
    await tx.update(ipsecSiteConnections).set({
      ...(body.name !== undefined && { name: body.name }),
      ...(body.description !== undefined && { description: body.description }),
      ...(body.peer_id !== undefined && { peerId: body.peer_id }),
      ...(body.local_id !== undefined && { localId: body.local_id }),
      ...(body.initiator !== undefined && { initiator: body.initiator }),
      ...(body.admin_state_up !== undefined && { adminStateUp: body.admin_state_up }),
      ...(pskCiphertext !== undefined && { pskCiphertext }),
      peerAddress: candidate.peerAddress, peerCidrs: candidate.peerCidrs,
      localEpGroupId: candidate.localEpGroupId, peerEpGroupId: candidate.peerEpGroupId, mtu: candidate.mtu,
      dpdAction: candidate.dpd.action, dpdInterval: candidate.dpd.interval, dpdTimeout: candidate.dpd.timeout,
      // The agent has to apply the change before the tunnel's state is known again.
      status: 'PENDING_UPDATE',
      // The relay decides again with the changed values (relay/unsent.ts): sent, or ERROR with a new reason.
      sendError: null,
      updatedAt: deps.clock.now(),
    }).where(eq(ipsecSiteConnections.id, id));
    await syncRouter(tx, deps, service.routerId);
    return siteConnectionView(await getSiteConnectionRow(tx, auth, id));
  });
}

export async function deleteSiteConnection(deps: Deps, auth: Auth, id: string) {
  await deps.database.write(async (tx) => {
    const row = await getSiteConnectionRow(tx, auth, id);
    const [service] = await tx.select({ routerId: vpnServices.routerId }).from(vpnServices).where(eq(vpnServices.id, row.vpnServiceId)).limit(1);
    await tx.delete(ipsecSiteConnections).where(eq(ipsecSiteConnections.id, id));
    await syncRouter(tx, deps, service.routerId);
  });
}
