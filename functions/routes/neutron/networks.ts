// /v2.0/networks: the service verbs behind the shared Neutron resource routes.
import { networkView } from '../../http/openapi/neutron-views';
import { neutronResourceRoutes } from '../../http/neutron-resource';
import { listNetworks, showNetwork } from '../../services/networks/read';
import { createNetwork, deleteNetwork, updateNetwork } from '../../services/networks/write';
import { createNetworkBody, updateNetworkBody } from '../../services/networks/schemas';

export function networkRoutes() {
  return neutronResourceRoutes({
    singular: 'network', plural: 'networks', view: networkView, createBody: createNetworkBody, updateBody: updateNetworkBody,
    list: listNetworks, show: showNetwork, create: createNetwork, update: updateNetwork, remove: deleteNetwork,
  });
}
