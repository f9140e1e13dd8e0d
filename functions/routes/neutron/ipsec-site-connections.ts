// /v2.0/vpn/ipsec-site-connections: the service verbs behind the shared Neutron resource routes.
import { siteConnectionView } from '../../http/openapi/neutron-views';
import { neutronResourceRoutes } from '../../http/neutron-resource';
import { listSiteConnections, showSiteConnection } from '../../services/site-connections/read';
import { createSiteConnection, deleteSiteConnection, updateSiteConnection } from '../../services/site-connections/write';
import { createSiteConnectionBody, updateSiteConnectionBody } from '../../services/site-connections/schemas';

export function siteConnectionRoutes() {
  return neutronResourceRoutes({
    singular: 'ipsec_site_connection', plural: 'ipsec_site_connections', view: siteConnectionView, createBody: createSiteConnectionBody, updateBody: updateSiteConnectionBody,
    list: listSiteConnections, show: showSiteConnection, create: createSiteConnection, update: updateSiteConnection, remove: deleteSiteConnection,
  });
}
