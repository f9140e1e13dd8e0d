// /v2.0/vpn/ikepolicies: the service verbs behind the shared Neutron resource routes.
import { ikePolicyView } from '../../http/openapi/neutron-views';
import { neutronResourceRoutes } from '../../http/neutron-resource';
import { listIkePolicies, showIkePolicy } from '../../services/ikepolicies/read';
import { createIkePolicy, deleteIkePolicy, updateIkePolicy } from '../../services/ikepolicies/write';
import { createIkePolicyBody, updateIkePolicyBody } from '../../services/ikepolicies/schemas';

export function ikePolicyRoutes() {
  return neutronResourceRoutes({
    singular: 'ikepolicy', plural: 'ikepolicies', view: ikePolicyView, createBody: createIkePolicyBody, updateBody: updateIkePolicyBody,
    list: listIkePolicies, show: showIkePolicy, create: createIkePolicy, update: updateIkePolicy, remove: deleteIkePolicy,
  });
}
