// /v2.0/vpn/ipsecpolicies: the service verbs behind the shared Neutron resource routes.
import { ipsecPolicyView } from '../../http/openapi/neutron-views';
import { neutronResourceRoutes } from '../../http/neutron-resource';
import { listIpsecPolicies, showIpsecPolicy } from '../../services/ipsecpolicies/read';
import { createIpsecPolicy, deleteIpsecPolicy, updateIpsecPolicy } from '../../services/ipsecpolicies/write';
import { createIpsecPolicyBody, updateIpsecPolicyBody } from '../../services/ipsecpolicies/schemas';

export function ipsecPolicyRoutes() {
  return neutronResourceRoutes({
    singular: 'ipsecpolicy', plural: 'ipsecpolicies', view: ipsecPolicyView, createBody: createIpsecPolicyBody, updateBody: updateIpsecPolicyBody,
    list: listIpsecPolicies, show: showIpsecPolicy, create: createIpsecPolicy, update: updateIpsecPolicy, remove: deleteIpsecPolicy,
  });
}
