// /v2.0/ports, read-only: a router's interface ports as Neutron shows them (device_owner network:router_interface),
// because clients read them — `openstack router show` lists a router's interfaces with GET /v2.0/ports?device_id=.
// Ports are made by add_router_interface, never through this API; a service container's own port is internal.
import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { ports, subnets } from '../../db/schema';
import { notFound } from '../../../shared/errors';
import { canSee } from '../../http/auth';
import type { Auth } from '../../http/env';
import { isoOrNull, tenantFields } from '../../http/neutron';

const interfacePorts = (db: Db) =>
  db.select({ port: ports, networkId: subnets.networkId }).from(ports).innerJoin(subnets, eq(subnets.id, ports.subnetId));

type Joined = Awaited<ReturnType<ReturnType<typeof interfacePorts>['where']>>[number];

const portView = ({ port, networkId }: Joined) => ({
  id: port.id,
  name: '',
  description: '',
  ...tenantFields(port.tenantId),
  network_id: networkId,
  admin_state_up: true,
  status: 'ACTIVE',
  mac_address: port.mac,
  fixed_ips: [{ subnet_id: port.subnetId!, ip_address: port.address }],
  device_id: port.routerId,
  device_owner: 'network:router_interface',
  created_at: isoOrNull(port.createdAt),
});

export async function listPorts(db: Db, auth: Auth) {
  const rows = await interfacePorts(db).where(eq(ports.kind, 'router_interface')).orderBy(asc(ports.createdAt), asc(ports.id));
  return rows.filter((r) => canSee(auth, r.port.tenantId)).map(portView);
}

export async function showPort(db: Db, auth: Auth, id: string) {
  const [row] = await interfacePorts(db).where(and(eq(ports.kind, 'router_interface'), eq(ports.id, id))).limit(1);
  if (!row || !canSee(auth, row.port.tenantId)) throw notFound(`Port ${id} could not be found.`, 'PortNotFound');
  return portView(row);
}
