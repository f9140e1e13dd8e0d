// Topology fixtures written straight to the database (for tests of layers above networks/subnets/routers).
// Seed example: external network 1.0.0.0/24; router "r-mercury" with gateway 1.0.0.2 and the local subnet
// 192.168.1.0/24 attached (router port 192.168.1.1); the peer (venus) is at 1.0.0.3 with 192.168.2.0/24.
import type { Db } from '../../functions/db/client';
import { networks, ports, routerInterfaces, routers, subnets } from '../../functions/db/schema';
import { cryptoIds } from '../../shared/ids';

export interface SeedTopology {
  tenantId: string;
  externalNetworkId: string;
  externalSubnetId: string;
  routerId: string;
  localSubnetId: string;
  localNetworkId: string;
}

let counter = 0;

export async function insertSubnet(db: Db, o: { tenantId: string; networkId: string; cidr: string; gatewayIp?: string | null; ipVersion?: 4 | 6 }) {
  const id = cryptoIds.uuid();
  const now = Date.now();
  await db.insert(subnets).values({ id, tenantId: o.tenantId, networkId: o.networkId, cidr: o.cidr, ipVersion: o.ipVersion ?? (o.cidr.includes(':') ? 6 : 4), gatewayIp: o.gatewayIp ?? null, createdAt: now, updatedAt: now });
  return id;
}

export async function insertNetwork(db: Db, o: { tenantId: string; name?: string; external?: boolean }) {
  const id = cryptoIds.uuid();
  const now = Date.now();
  await db.insert(networks).values({ id, tenantId: o.tenantId, name: o.name ?? `net-${++counter}`, routerExternal: o.external ?? false, createdAt: now, updatedAt: now });
  return id;
}

/** Attaches subnet to router the way add_router_interface does: a router_interface port on the gateway IP. */
export async function attachInterface(db: Db, o: { tenantId: string; routerId: string; subnetId: string; address: string; prefixLen: number }) {
  const portId = cryptoIds.uuid();
  const now = Date.now();
  await db.insert(ports).values({ id: portId, tenantId: o.tenantId, routerId: o.routerId, kind: 'router_interface', subnetId: o.subnetId, address: o.address, prefixLen: o.prefixLen, mac: cryptoIds.mac(), createdAt: now });
  await db.insert(routerInterfaces).values({ portId, routerId: o.routerId, subnetId: o.subnetId, tenantId: o.tenantId, createdAt: now });
  return portId;
}

export async function seedTopology(db: Db, o: { tenantId?: string; gatewayIp?: string; localCidr?: string; azHints?: string[] } = {}): Promise<SeedTopology> {
  const tenantId = o.tenantId ?? 'tenant-a';
  const now = Date.now();
  const externalNetworkId = await insertNetwork(db, { tenantId: 'admin', name: 'public', external: true });
  const externalSubnetId = await insertSubnet(db, { tenantId: 'admin', networkId: externalNetworkId, cidr: '1.0.0.0/24', gatewayIp: '1.0.0.1' });
  const localNetworkId = await insertNetwork(db, { tenantId, name: 'private' });
  const localCidr = o.localCidr ?? '192.168.1.0/24';
  const localSubnetId = await insertSubnet(db, { tenantId, networkId: localNetworkId, cidr: localCidr, gatewayIp: localCidr.replace(/0\/\d+$/, '1') });
  const routerId = cryptoIds.uuid();
  await db.insert(routers).values({
    id: routerId, tenantId, name: 'r-mercury', gatewayNetworkId: externalNetworkId,
    gatewayFixedIps: [{ subnet_id: externalSubnetId, ip_address: o.gatewayIp ?? '1.0.0.2' }],
    availabilityZoneHints: o.azHints ?? [], createdAt: now, updatedAt: now,
  });
  await attachInterface(db, { tenantId, routerId, subnetId: localSubnetId, address: localCidr.replace(/0\/\d+$/, '1'), prefixLen: Number(localCidr.split('/')[1]) });
  return { tenantId, externalNetworkId, externalSubnetId, routerId, localSubnetId, localNetworkId };
}
