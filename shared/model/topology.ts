// GET /v1/topology: the virtual layer in one read (what the dashboard draws beside the physical one) — each router
// with its gateway, attached subnets, VPN services and their site connections, and the service container with the
// host it runs on. Never carries a secret (no PSK, not even encrypted).
import { z } from 'zod';

/** Neutron's read-only status_reason: why the object is ERROR (what the relay cannot send to its host); null otherwise. */
const statusReason = z.string().nullable().describe('why it is ERROR (the status_reason Neutron shows): null when nothing stands in the way');

export const topologyConnection = z.strictObject({
  id: z.string(),
  name: z.string(),
  peerAddress: z.string(),
  peerCidrs: z.array(z.string()),
  status: z.string(),
  statusReason: statusReason,
  tunnel: z.string().nullable().describe('the last tunnel state the container reported (null: none yet)'),
});

export const topologyVpnService = z.strictObject({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  statusReason: statusReason,
  externalIp: z.string().nullable(),
  connections: z.array(topologyConnection),
});

export const topologyRouter = z.strictObject({
  id: z.string(),
  name: z.string(),
  tenantId: z.string(),
  gateway: z.strictObject({ networkId: z.string(), networkName: z.string(), ips: z.array(z.string()) }).nullable(),
  subnets: z.array(z.strictObject({ id: z.string(), name: z.string(), cidr: z.string(), gatewayIp: z.string().nullable() })),
  vpnServices: z.array(topologyVpnService),
  container: z.strictObject({
    id: z.string(), hostId: z.string().nullable(), status: z.string().nullable(), schedulerState: z.string(),
    statusMessage: z.string().describe('what its agent last said about it ("1/1 tunnels up", "CRASHED: …")'),
  }).nullable(),
});

export const topologyResponse = z.strictObject({ routers: z.array(topologyRouter) });
export type Topology = z.infer<typeof topologyResponse>;
export type TopologyRouter = z.infer<typeof topologyRouter>;
