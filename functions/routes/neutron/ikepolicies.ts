// /v2.0/vpn/ikepolicies: thin handlers — parse, call the service verb, wrap in Neutron's envelope.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env';
import { readNeutron } from '../../http/body';
import { neutronList, project } from '../../http/neutron';
import { listIkePolicies, showIkePolicy } from '../../services/ikepolicies/read';
import { createIkePolicy, deleteIkePolicy, updateIkePolicy } from '../../services/ikepolicies/write';
import { createIkePolicyBody, updateIkePolicyBody } from '../../services/ikepolicies/schemas';

export function ikePolicyRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/', async (c) => c.json({ ikepolicies: neutronList(c, await listIkePolicies(c.var.deps.database.db, c.var.auth)) }));
  r.post('/', async (c) => {
    const body = await readNeutron(c, 'ikepolicy', createIkePolicyBody);
    return c.json({ ikepolicy: await createIkePolicy(c.var.deps, c.var.auth, body) }, 201);
  });
  r.get('/:id', async (c) => {
    const view = await showIkePolicy(c.var.deps.database.db, c.var.auth, c.req.param('id'));
    return c.json({ ikepolicy: project(view, c.req.queries('fields')?.flatMap((f) => f.split(',')) ?? []) });
  });
  r.put('/:id', async (c) => {
    const body = await readNeutron(c, 'ikepolicy', updateIkePolicyBody);
    return c.json({ ikepolicy: await updateIkePolicy(c.var.deps, c.var.auth, c.req.param('id'), body) });
  });
  r.delete('/:id', async (c) => {
    await deleteIkePolicy(c.var.deps, c.var.auth, c.req.param('id'));
    return c.body(null, 204);
  });
  return r;
}
