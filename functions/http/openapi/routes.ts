// The route registry: every path berth serves, with the zod schemas that validate it. The OpenAPI document is
// generated from this list, and a test (openapi.test.ts) fails when the app has a route missing here or this
// lists one the app lacks — adding a route means adding its entry (a few lines) to ROUTES below.
import { hostTokenResponse } from '../../services/hosts/credentials';
import { eventsQuery, eventsResponse } from '../../routes/v1/events';
import { topologyResponse } from '../../routes/v1/topology';
import { z } from 'zod';
import { agentEventsBody } from '../../ingest/http';
import { extensionView } from '../../routes/neutron/extensions';
import { patchContainerGroupBody } from '../../services/container-groups/schemas';
import { listContainersQuery, migrateBody } from '../../services/containers/schemas';
import { createEndpointGroupBody, updateEndpointGroupBody } from '../../services/endpoint-groups/schemas';
import { createHostGroupBody, patchHostGroupBody } from '../../services/host-groups/schemas';
import { drainBody } from '../../services/hosts/drain';
import { patchHostBody } from '../../services/hosts/schemas';
import { createIkePolicyBody, updateIkePolicyBody } from '../../services/ikepolicies/schemas';
import { createIpsecPolicyBody, updateIpsecPolicyBody } from '../../services/ipsecpolicies/schemas';
import { createNetworkBody, updateNetworkBody } from '../../services/networks/schemas';
import { createPortGroupBody, patchPortGroupBody } from '../../services/port-groups/schemas';
import { rebalanceBody } from '../../services/rebalance/rebalance';
import { createRouterBody, interfaceBody, updateRouterBody } from '../../services/routers/schemas';
import { createSiteConnectionBody, updateSiteConnectionBody } from '../../services/site-connections/schemas';
import { createSubnetBody, updateSubnetBody } from '../../services/subnets/schemas';
import { createTokenBody } from '../../services/tokens/schemas';
import { createVpnServiceBody, updateVpnServiceBody } from '../../services/vpnservices/schemas';
import * as nv from './neutron-views';
import * as ov from './operator-views';
import { neutronLinks, neutronResourceDocs, type RouteDoc } from './registry';

const neutron: RouteDoc[] = [
  ...neutronResourceDocs({ path: '/v2.0/networks', singular: 'network', plural: 'networks', title: 'networks', createBody: createNetworkBody, updateBody: updateNetworkBody, view: nv.networkView }),
  ...neutronResourceDocs({ path: '/v2.0/subnets', singular: 'subnet', plural: 'subnets', title: 'subnets', createBody: createSubnetBody, updateBody: updateSubnetBody, view: nv.subnetView }),
  ...neutronResourceDocs({ path: '/v2.0/routers', singular: 'router', plural: 'routers', title: 'routers', createBody: createRouterBody, updateBody: updateRouterBody, view: nv.routerView }),
  { method: 'put', path: '/v2.0/routers/{id}/add_router_interface', api: 'neutron', summary: 'Attach a subnet to a router', request: interfaceBody, response: nv.routerInterfaceView, status: 200, errors: [409] },
  { method: 'put', path: '/v2.0/routers/{id}/remove_router_interface', api: 'neutron', summary: 'Detach a subnet from a router', request: interfaceBody, response: nv.routerInterfaceView, status: 200, errors: [409] },
  ...neutronResourceDocs({ path: '/v2.0/vpn/ikepolicies', singular: 'ikepolicy', plural: 'ikepolicies', title: 'IKE policies', createBody: createIkePolicyBody, updateBody: updateIkePolicyBody, view: nv.ikePolicyView }),
  ...neutronResourceDocs({ path: '/v2.0/vpn/ipsecpolicies', singular: 'ipsecpolicy', plural: 'ipsecpolicies', title: 'IPsec policies', createBody: createIpsecPolicyBody, updateBody: updateIpsecPolicyBody, view: nv.ipsecPolicyView }),
  ...neutronResourceDocs({ path: '/v2.0/vpn/vpnservices', singular: 'vpnservice', plural: 'vpnservices', title: 'VPN services', createBody: createVpnServiceBody, updateBody: updateVpnServiceBody, view: nv.vpnServiceView }),
  ...neutronResourceDocs({ path: '/v2.0/vpn/endpoint-groups', singular: 'endpoint_group', plural: 'endpoint_groups', title: 'endpoint groups', createBody: createEndpointGroupBody, updateBody: updateEndpointGroupBody, view: nv.endpointGroupView }),
  ...neutronResourceDocs({ path: '/v2.0/vpn/ipsec-site-connections', singular: 'ipsec_site_connection', plural: 'ipsec_site_connections', title: 'IPsec site connections', createBody: createSiteConnectionBody, updateBody: updateSiteConnectionBody, view: nv.siteConnectionView }),
  { method: 'get', path: '/v2.0/ports', api: 'neutron', summary: 'List router interface ports (read-only; add_router_interface makes them)', neutronList: true, response: z.object({ ports: z.array(nv.portView), ports_links: neutronLinks.optional() }), status: 200 },
  { method: 'get', path: '/v2.0/ports/{id}', api: 'neutron', summary: 'Show a router interface port', response: z.object({ port: nv.portView }), status: 200 },
  { method: 'get', path: '/v2.0/extensions', api: 'neutron', summary: 'List the Neutron extensions berth implements', response: z.object({ extensions: z.array(extensionView) }), status: 200 },
  { method: 'get', path: '/v2.0/extensions/{alias}', api: 'neutron', summary: 'Show one extension', response: z.object({ extension: extensionView }), status: 200 },
];

const admin = { api: 'operator', adminOnly: true } as const;
const operator: RouteDoc[] = [
  { ...admin, method: 'get', path: '/v1/hosts', summary: 'List hosts', response: z.object({ hosts: z.array(ov.hostView) }), status: 200 },
  { ...admin, method: 'get', path: '/v1/hosts/{id}', summary: 'Show a host', response: z.object({ host: ov.hostView }), status: 200 },
  { ...admin, method: 'patch', path: '/v1/hosts/{id}', summary: 'Change a host\'s scheduling knobs', request: patchHostBody, response: z.object({ host: ov.hostView }), status: 200 },
  { ...admin, method: 'delete', path: '/v1/hosts/{id}', summary: 'Forget a dead, empty host (its MQTT credential is revoked)', status: 204, errors: [409] },
  { ...admin, method: 'post', path: '/v1/hosts/{id}/token', summary: 'Issue (or rotate) a host\'s own MQTT secret, shown once; creates the host record if needed', response: hostTokenResponse, status: 201 },
  { ...admin, method: 'post', path: '/v1/hosts/{id}/drain', summary: 'Drain a host (cordon, move every container off)', request: drainBody, requestOptional: true, response: z.object({ drain: ov.drainStartView }), status: 202, errors: [409] },
  { ...admin, method: 'get', path: '/v1/hosts/{id}/drain', summary: 'A drain\'s progress', response: z.object({ drain: ov.drainStatusView }), status: 200 },
  { ...admin, method: 'get', path: '/v1/host-groups', summary: 'List host groups', response: z.object({ hostGroups: z.array(ov.hostGroupView) }), status: 200 },
  { ...admin, method: 'post', path: '/v1/host-groups', summary: 'Create a host group', request: createHostGroupBody, response: z.object({ hostGroup: ov.hostGroupView }), status: 201, errors: [409] },
  { ...admin, method: 'get', path: '/v1/host-groups/{id}', summary: 'Show a host group', response: z.object({ hostGroup: ov.hostGroupView }), status: 200 },
  { ...admin, method: 'patch', path: '/v1/host-groups/{id}', summary: 'Rename a host group', request: patchHostGroupBody, response: z.object({ hostGroup: ov.hostGroupView }), status: 200, errors: [409] },
  { ...admin, method: 'delete', path: '/v1/host-groups/{id}', summary: 'Delete a host group', status: 204, errors: [409] },
  { ...admin, method: 'put', path: '/v1/host-groups/{id}/hosts/{hostId}', summary: 'Add a host to a group', response: z.object({ hostGroup: ov.hostGroupView }), status: 200 },
  { ...admin, method: 'delete', path: '/v1/host-groups/{id}/hosts/{hostId}', summary: 'Remove a host from a group', status: 204 },
  { ...admin, method: 'get', path: '/v1/port-groups', summary: 'List port groups', response: z.object({ portGroups: z.array(ov.portGroupView) }), status: 200 },
  { ...admin, method: 'post', path: '/v1/port-groups', summary: 'Create a port group', request: createPortGroupBody, response: z.object({ portGroup: ov.portGroupView }), status: 201, errors: [409] },
  { ...admin, method: 'get', path: '/v1/port-groups/{id}', summary: 'Show a port group', response: z.object({ portGroup: ov.portGroupView }), status: 200 },
  { ...admin, method: 'patch', path: '/v1/port-groups/{id}', summary: 'Rename a port group', request: patchPortGroupBody, response: z.object({ portGroup: ov.portGroupView }), status: 200, errors: [409] },
  { ...admin, method: 'delete', path: '/v1/port-groups/{id}', summary: 'Delete a port group', status: 204, errors: [409] },
  { ...admin, method: 'put', path: '/v1/port-groups/{id}/ports/{portId}', summary: 'Add a port to a group', response: z.object({ portGroup: ov.portGroupView }), status: 200 },
  { ...admin, method: 'delete', path: '/v1/port-groups/{id}/ports/{portId}', summary: 'Remove a port from a group', status: 204 },
  { ...admin, method: 'get', path: '/v1/container-groups', summary: 'List container groups', response: z.object({ containerGroups: z.array(ov.containerGroupView) }), status: 200 },
  { ...admin, method: 'get', path: '/v1/container-groups/{id}', summary: 'Show a container group', response: z.object({ containerGroup: ov.containerGroupView }), status: 200 },
  { ...admin, method: 'patch', path: '/v1/container-groups/{id}', summary: 'Change a container group\'s policy or affinity', request: patchContainerGroupBody, response: z.object({ containerGroup: ov.containerGroupView }), status: 200 },
  { ...admin, method: 'get', path: '/v1/containers', summary: 'List containers', query: listContainersQuery, response: z.object({ containers: z.array(ov.containerView) }), status: 200 },
  { ...admin, method: 'get', path: '/v1/containers/{id}', summary: 'Show a container', response: z.object({ container: ov.containerView }), status: 200 },
  { ...admin, method: 'get', path: '/v1/containers/{id}/events', summary: 'A container\'s event history', response: z.object({ events: z.array(ov.containerEventView) }), status: 200 },
  { ...admin, method: 'get', path: '/v1/containers/{id}/explain', summary: 'Per host: eligible, or the reason not', response: z.object({ explain: ov.explainView }), status: 200 },
  { ...admin, method: 'put', path: '/v1/containers/{id}/host', summary: 'Migrate a container to a host', request: migrateBody, response: z.object({ container: ov.containerView }), status: 202, errors: [409] },
  { ...admin, method: 'delete', path: '/v1/containers/{id}/host', summary: 'Re-run automatic scheduling for a container', response: z.object({ container: ov.containerView }), status: 202 },
  { ...admin, method: 'get', path: '/v1/tokens', summary: 'List API tokens (never their secrets)', response: z.object({ tokens: z.array(ov.tokenView) }), status: 200 },
  { ...admin, method: 'post', path: '/v1/tokens', summary: 'Issue a tenant token (the secret is shown once)', request: createTokenBody, response: z.object({ token: ov.issuedTokenView }), status: 201 },
  { ...admin, method: 'delete', path: '/v1/tokens/{id}', summary: 'Revoke a token', status: 204 },
  { ...admin, method: 'get', path: '/v1/routers/{id}/southbound', summary: 'A router\'s southbound model (ports, routes, chains, rules)', response: ov.southboundView, status: 200 },
  { ...admin, method: 'get', path: '/v1/events', summary: 'The fleet\'s event feed, newest last (?since=<id>); with Accept: text/event-stream the same as server-sent events, resumable with Last-Event-ID', query: eventsQuery, response: eventsResponse, status: 200 },
  { ...admin, method: 'get', path: '/v1/topology', summary: 'The virtual layer in one read (routers, subnets, VPN services, site connections with their status and status reason, their containers and hosts; never a PSK)', response: topologyResponse, status: 200 },
  { ...admin, method: 'post', path: '/v1/rebalance', summary: 'Plan or make moves that even out the fleet', request: rebalanceBody, requestOptional: true, response: ov.rebalanceView, status: 200 },
  {
    method: 'post', path: '/v1/agent-events', api: 'public', summary: 'Agent messages over HTTP (runtimes without a broker connection; authenticated with the control credential)',
    request: agentEventsBody, response: z.object({ accepted: z.number().int(), dropped: z.record(z.string(), z.number().int()) }), status: 200, errors: [400, 401, 503],
  },
];

const open: RouteDoc[] = [
  { method: 'get', path: '/healthz', api: 'public', summary: 'Liveness: the database answers', response: ov.healthView, status: 200, errors: [503] },
  { ...admin, method: 'get', path: '/metrics', summary: 'Prometheus metrics; the admin token or the read-only telemetry token (BERTH_TELEMETRY_TOKEN) as bearer', responseType: 'text/plain', status: 200, errors: [404] },
  { method: 'get', path: '/openapi.json', api: 'public', summary: 'This document', response: z.record(z.string(), z.unknown()), status: 200 },
  { method: 'get', path: '/', api: 'public', summary: 'The dashboard (asks for a token, or takes it from #token=)', responseType: 'text/html', status: 200 },
  { method: 'get', path: '/dashboard/app.js', api: 'public', summary: 'The dashboard\'s script', responseType: 'text/javascript', status: 200 },
  { method: 'get', path: '/dashboard/app.css', api: 'public', summary: 'The dashboard\'s style sheet', responseType: 'text/css', status: 200 },
  { method: 'get', path: '/asyncapi.json', api: 'public', summary: 'The MQTT protocol: every topic and payload (AsyncAPI 3.0, from the protocol\'s zod schemas)', response: z.record(z.string(), z.unknown()), status: 200 },
  { method: 'get', path: '/docs', api: 'public', summary: 'The API reference page (Swagger UI)', responseType: 'text/html', status: 200 },
  { method: 'get', path: '/docs/{file}', api: 'public', summary: 'The API reference page\'s assets (served from the swagger-ui-dist package)', responseType: 'application/octet-stream', status: 200 },
];

/** Every route berth serves. Routes that only some runtimes mount (agent-events: the Worker) are listed too. */
export const ROUTES: RouteDoc[] = [...neutron, ...operator, ...open];

/** Routes present only where a runtime mounts them (createApp options). */
export const OPTIONAL_ROUTES = new Set(['post /v1/agent-events']);
