// /v2.0/subnets: the service verbs behind the shared Neutron resource routes.
import { subnetView } from '../../http/openapi/neutron-views';
import { neutronResourceRoutes } from '../../http/neutron-resource';
import { listSubnets, showSubnet } from '../../services/subnets/read';
import { createSubnet, deleteSubnet, updateSubnet } from '../../services/subnets/write';
import { createSubnetBody, updateSubnetBody } from '../../services/subnets/schemas';

export function subnetRoutes() {
  return neutronResourceRoutes({
    singular: 'subnet', plural: 'subnets', view: subnetView, createBody: createSubnetBody, updateBody: updateSubnetBody,
    list: listSubnets, show: showSubnet, create: createSubnet, update: updateSubnet, remove: deleteSubnet,
  });
}
