// The /v2.0 objects as berth returns them (the shapes of functions/services/*/view.ts), as zod schemas: the
// OpenAPI document's response schemas, the attribute list that list filters and sort keys are checked against,
// and what the OpenAPI walk test validates real responses with (so a view cannot drift from its schema).
import { z } from 'zod';

const ts = z.string().nullable();
const tenant = { tenant_id: z.string(), project_id: z.string() };
const named = { id: z.string(), name: z.string(), description: z.string(), ...tenant };
const lifetime = z.object({ units: z.string(), value: z.number().int() });

export const networkView = z.strictObject({
  ...named, 'router:external': z.boolean(), admin_state_up: z.boolean(), status: z.string(), shared: z.boolean(),
  subnets: z.array(z.string()), created_at: ts, updated_at: ts,
});

export const subnetView = z.strictObject({
  ...named, network_id: z.string(), cidr: z.string(), ip_version: z.number().int(), gateway_ip: z.string().nullable(),
  allocation_pools: z.array(z.object({ start: z.string(), end: z.string() })), enable_dhcp: z.boolean(),
  dns_nameservers: z.array(z.string()), host_routes: z.array(z.unknown()), ipv6_ra_mode: z.null(), ipv6_address_mode: z.null(),
  subnetpool_id: z.null(), created_at: ts, updated_at: ts,
});

export const routerView = z.strictObject({
  ...named, admin_state_up: z.boolean(), status: z.string(),
  external_gateway_info: z.object({
    network_id: z.string(), enable_snat: z.boolean(),
    external_fixed_ips: z.array(z.object({ subnet_id: z.string(), ip_address: z.string() })),
  }).nullable(),
  availability_zone_hints: z.array(z.string()), availability_zones: z.array(z.string()), routes: z.array(z.unknown()),
  created_at: ts, updated_at: ts,
});

/** PUT /v2.0/routers/{id}/add_router_interface and remove_router_interface. */
export const routerInterfaceView = z.object({
  id: z.string(), subnet_id: z.string(), subnet_ids: z.array(z.string()), port_id: z.string(), network_id: z.string(), ...tenant,
});

export const ikePolicyView = z.strictObject({
  ...named, auth_algorithm: z.string(), encryption_algorithm: z.string(), phase1_negotiation_mode: z.string(),
  lifetime, ike_version: z.string(), pfs: z.string(),
});

export const ipsecPolicyView = z.strictObject({
  ...named, transform_protocol: z.string(), auth_algorithm: z.string(), encryption_algorithm: z.string(),
  encapsulation_mode: z.string(), lifetime, pfs: z.string(),
});

/** berth's addition to Neutron's status: why the object is ERROR when berth knows (docs/decisions.md, issue 10). */
const statusReason = z.string().nullable()
  .describe('Why the status is ERROR when berth knows why (e.g. the relay cannot send it to its host); null otherwise. Never holds a secret.');

export const vpnServiceView = z.strictObject({
  ...named, router_id: z.string(), subnet_id: z.string().nullable(), flavor_id: z.null(), admin_state_up: z.boolean(),
  status: z.string(), status_reason: statusReason, external_v4_ip: z.string().nullable(), external_v6_ip: z.string().nullable(),
});

export const endpointGroupView = z.strictObject({ ...named, type: z.string(), endpoints: z.array(z.string()) });

export const siteConnectionView = z.strictObject({
  ...named, vpnservice_id: z.string(), ikepolicy_id: z.string(), ipsecpolicy_id: z.string(), peer_address: z.string(),
  peer_id: z.string(), local_id: z.string(), peer_cidrs: z.array(z.string()), local_ep_group_id: z.string().nullable(),
  peer_ep_group_id: z.string().nullable(), mtu: z.number().int(), initiator: z.string(),
  dpd: z.object({ action: z.string(), interval: z.number().int(), timeout: z.number().int() }),
  admin_state_up: z.boolean(), status: z.string(), status_reason: statusReason, route_mode: z.string(), auth_mode: z.string(),
});

/** Read-only: a router's interface ports (functions/services/ports/read.ts). */
export const portView = z.strictObject({
  ...named, network_id: z.string(), admin_state_up: z.boolean(), status: z.string(), mac_address: z.string(),
  fixed_ips: z.array(z.object({ subnet_id: z.string(), ip_address: z.string() })), device_id: z.string(),
  device_owner: z.string(), created_at: ts,
});
