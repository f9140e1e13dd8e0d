// /v2.0/vpn/vpnservices: the service verbs behind the shared Neutron resource routes.
import { vpnServiceView } from '../../http/openapi/neutron-views';
import { neutronResourceRoutes } from '../../http/neutron-resource';
import { listVpnServices, showVpnService } from '../../services/vpnservices/read';
import { createVpnService, deleteVpnService, updateVpnService } from '../../services/vpnservices/write';
import { createVpnServiceBody, updateVpnServiceBody } from '../../services/vpnservices/schemas';

export function vpnServiceRoutes() {
  return neutronResourceRoutes({
    singular: 'vpnservice', plural: 'vpnservices', view: vpnServiceView, createBody: createVpnServiceBody, updateBody: updateVpnServiceBody,
    list: listVpnServices, show: showVpnService, create: createVpnService, update: updateVpnService, remove: deleteVpnService,
  });
}
