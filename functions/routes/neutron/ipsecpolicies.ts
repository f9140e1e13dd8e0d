// /v2.0/vpn/ipsecpolicies: thin handlers — parse, call the service verb, wrap in Neutron's envelope.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { readNeutron } from '../../http/body';
import { neutronList, project } from '../../http/neutron';
import { listIpsecPolicies, showIpsecPolicy } from '../../services/ipsecpolicies/read';
import { createIpsecPolicy, deleteIpsecPolicy, updateIpsecPolicy } from '../../services/ipsecpolicies/write';
import { createIpsecPolicyBody, updateIpsecPolicyBody } from '../../services/ipsecpolicies/schemas';

export function ipsecPolicyRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/', async (c) => c.json({ ipsecpolicies: neutronList(c, await listIpsecPolicies(c.var.deps.database.db, c.var.auth)) }));
  r.post('/', async (c) => {
    const body = await readNeutron(c, 'ipsecpolicy', createIpsecPolicyBody);
    return c.json({ ipsecpolicy: await createIpsecPolicy(c.var.deps, c.var.auth, body) }, 201);
  });
  r.get('/:id', async (c) => {
    const view = await showIpsecPolicy(c.var.deps.database.db, c.var.auth, c.req.param('id'));
    return c.json({ ipsecpolicy: project(view, c.req.queries('fields')?.flatMap((f) => f.split(',')) ?? []) });
  });
  r.put('/:id', async (c) => {
    const body = await readNeutron(c, 'ipsecpolicy', updateIpsecPolicyBody);
    return c.json({ ipsecpolicy: await updateIpsecPolicy(c.var.deps, c.var.auth, c.req.param('id'), body) });
  });
  r.delete('/:id', async (c) => {
    await deleteIpsecPolicy(c.var.deps, c.var.auth, c.req.param('id'));
    return c.body(null, 204);
  });
  return r;
}
