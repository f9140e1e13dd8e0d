// Test-only helpers: VPNaaS rows written straight to the database (the VPNaaS API is another module's job).
import type { Db } from '../db/client';
import { endpointGroups, ikePolicies, ipsecPolicies, ipsecSiteConnections, vpnServices } from '../db/schema';
import { cryptoIds } from '../../shared/ids';

let seq = 0;
// Rows created in one test must sort in creation order, even within one millisecond.
const stamp = () => 1_700_000_000_000 + ++seq;

export async function insertVpnService(db: Db, o: { tenantId: string; routerId: string; subnetId?: string | null }) {
  const id = cryptoIds.uuid();
  const now = stamp();
  await db.insert(vpnServices).values({ id, tenantId: o.tenantId, name: `vpn-${seq}`, routerId: o.routerId, subnetId: o.subnetId ?? null, createdAt: now, updatedAt: now });
  return id;
}

export async function insertEndpointGroup(db: Db, o: { tenantId: string; type: 'cidr' | 'subnet'; endpoints: string[] }) {
  const id = cryptoIds.uuid();
  const now = stamp();
  await db.insert(endpointGroups).values({ id, tenantId: o.tenantId, type: o.type, endpoints: o.endpoints, createdAt: now, updatedAt: now });
  return id;
}

export async function insertConnection(db: Db, o: {
  tenantId: string; vpnServiceId: string; peerAddress?: string; peerCidrs?: string[]; localEpGroupId?: string; peerEpGroupId?: string;
}) {
  const now = stamp();
  const ikeId = cryptoIds.uuid();
  const ipsecId = cryptoIds.uuid();
  await db.insert(ikePolicies).values({
    id: ikeId, tenantId: o.tenantId, authAlgorithm: 'sha1', encryptionAlgorithm: 'aes-128', phase1NegotiationMode: 'main',
    lifetimeValue: 3600, ikeVersion: 'v1', pfs: 'group5', createdAt: now, updatedAt: now,
  });
  await db.insert(ipsecPolicies).values({
    id: ipsecId, tenantId: o.tenantId, transformProtocol: 'esp', authAlgorithm: 'sha1', encryptionAlgorithm: 'aes-128',
    encapsulationMode: 'tunnel', lifetimeValue: 3600, pfs: 'group5', createdAt: now, updatedAt: now,
  });
  const id = cryptoIds.uuid();
  const peer = o.peerAddress ?? '1.0.0.3';
  await db.insert(ipsecSiteConnections).values({
    id, tenantId: o.tenantId, name: `conn-${seq}`, vpnServiceId: o.vpnServiceId, ikePolicyId: ikeId, ipsecPolicyId: ipsecId,
    peerAddress: peer, peerId: peer, peerCidrs: o.peerCidrs ?? [], localEpGroupId: o.localEpGroupId ?? null,
    peerEpGroupId: o.peerEpGroupId ?? null, pskCiphertext: 'not-a-real-ciphertext', createdAt: now, updatedAt: now,
  });
  return id;
}
