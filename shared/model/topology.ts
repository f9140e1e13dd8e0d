// GET /v1/topology: the virtual layer in one read (what the dashboard draws beside the physical one) — each router
// with its gateway, attached subnets, VPN services and their site connections, and the service container with the
// host it runs on. Never carries a secret (no PSK, not even encrypted).
import { z } from 'zod';

export const topologyConnection = z.object({
  id: z.string(),
  name: z.string(),
  peerAddress: z.string(),
  peerCidrs: z.array(z.string()),
  status: z.string(),
  tunnel: z.string().nullable().describe('the last tunnel state the container reported (null: none yet)'),
});

export const topologyVpnService = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  externalIp: z.string().nullable(),
  connections: z.array(topologyConnection),
});

export const topologyRouter = z.object({
  id: z.string(),
  name: z.string(),
  tenantId: z.string(),
  gateway: z.object({ networkId: z.string(), networkName: z.string(), ips: z.array(z.string()) }).nullable(),
  subnets: z.array(z.object({ id: z.string(), name: z.string(), cidr: z.string(), gatewayIp: z.string().nullable() })),
  vpnServices: z.array(topologyVpnService),
  container: z.object({ id: z.string(), hostId: z.string().nullable(), status: z.string().nullable(), schedulerState: z.string() }).nullable(),
});

export const topologyResponse = z.object({ routers: z.array(topologyRouter) });
export type Topology = z.infer<typeof topologyResponse>;
export type TopologyRouter = z.infer<typeof topologyRouter>;
