// /v2.0/vpn/endpoint-groups: the service verbs behind the shared Neutron resource routes.
import { endpointGroupView } from '../../http/openapi/neutron-views';
import { neutronResourceRoutes } from '../../http/neutron-resource';
import { listEndpointGroups, showEndpointGroup } from '../../services/endpoint-groups/read';
import { createEndpointGroup, deleteEndpointGroup, updateEndpointGroup } from '../../services/endpoint-groups/write';
import { createEndpointGroupBody, updateEndpointGroupBody } from '../../services/endpoint-groups/schemas';

export function endpointGroupRoutes() {
  return neutronResourceRoutes({
    singular: 'endpoint_group', plural: 'endpoint_groups', view: endpointGroupView, createBody: createEndpointGroupBody, updateBody: updateEndpointGroupBody,
    list: listEndpointGroups, show: showEndpointGroup, create: createEndpointGroup, update: updateEndpointGroup, remove: deleteEndpointGroup,
  });
}
