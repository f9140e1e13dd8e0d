// Test-only: VPN rows (service, endpoint group, site connection) written straight to the database, so router and
// subnet tests can check "in use by VPN" rules without depending on the VPNaaS routes.
import type { Db } from '../../db/client';
import { endpointGroups, ikePolicies, ipsecPolicies, ipsecSiteConnections, vpnServices } from '../../db/schema';
import { cryptoIds } from '../../../shared/ids';

export async function insertVpnService(db: Db, o: { tenantId: string; routerId: string; subnetId?: string }) {
  const id = cryptoIds.uuid();
  const now = Date.now();
  await db.insert(vpnServices).values({ id, tenantId: o.tenantId, routerId: o.routerId, subnetId: o.subnetId ?? null, createdAt: now, updatedAt: now });
  return id;
}

export async function insertEndpointGroup(db: Db, o: { tenantId: string; type: 'subnet' | 'cidr'; endpoints: string[] }) {
  const id = cryptoIds.uuid();
  const now = Date.now();
  await db.insert(endpointGroups).values({ id, tenantId: o.tenantId, type: o.type, endpoints: o.endpoints, createdAt: now, updatedAt: now });
  return id;
}

/** A site connection in endpoint-group mode (with the policies it needs). */
export async function insertConnection(db: Db, o: { tenantId: string; vpnServiceId: string; localEpGroupId: string; peerEpGroupId: string }) {
  const now = Date.now();
  const ike = cryptoIds.uuid();
  const ipsec = cryptoIds.uuid();
  await db.insert(ikePolicies).values({ id: ike, tenantId: o.tenantId, authAlgorithm: 'sha256', encryptionAlgorithm: 'aes-128', phase1NegotiationMode: 'main', lifetimeValue: 3600, ikeVersion: 'v2', pfs: 'group14', createdAt: now, updatedAt: now });
  await db.insert(ipsecPolicies).values({ id: ipsec, tenantId: o.tenantId, transformProtocol: 'esp', authAlgorithm: 'sha256', encryptionAlgorithm: 'aes-128', encapsulationMode: 'tunnel', lifetimeValue: 3600, pfs: 'group14', createdAt: now, updatedAt: now });
  const id = cryptoIds.uuid();
  await db.insert(ipsecSiteConnections).values({
    id, tenantId: o.tenantId, vpnServiceId: o.vpnServiceId, ikePolicyId: ike, ipsecPolicyId: ipsec, peerAddress: '1.0.0.3', peerId: '1.0.0.3',
    localEpGroupId: o.localEpGroupId, peerEpGroupId: o.peerEpGroupId, pskCiphertext: 'x', createdAt: now, updatedAt: now,
  });
  return id;
}
