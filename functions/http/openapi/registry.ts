// What the OpenAPI document is made of: one entry per route (method, path, the zod schemas that validate its
// request and describe its answer, its success status and its error statuses), and helpers that make the entries
// every Neutron resource shares. routes.ts lists the entries; document.ts turns them into OpenAPI 3.1.
import { z } from 'zod';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Which error envelope and authentication a route has. */
export type ApiKind = 'neutron' | 'operator' | 'public';

export interface RouteDoc {
  method: Method;
  /** OpenAPI style: /v2.0/networks/{id} */
  path: string;
  summary: string;
  api: ApiKind;
  /** The JSON body, exactly the schema the route validates with. */
  request?: z.ZodType;
  /** Whether the body may be left out (the schema's defaults apply). */
  requestOptional?: boolean;
  /** Query parameters: an object schema, one parameter per property. */
  query?: z.ZodType;
  /** Neutron list conventions apply (filters, fields, sort_key/sort_dir, limit/marker/page_reverse). */
  neutronList?: boolean;
  /** The success answer's body (absent: no body, e.g. 204). */
  response?: z.ZodType;
  /** Content type of a non-JSON answer (text/plain metrics, text/html pages). */
  responseType?: string;
  status: number;
  /** Error statuses besides the ones every route of its kind has (400 for bodies, 401, 404 for {id} paths). */
  errors?: number[];
  adminOnly?: boolean;
}

/** A Neutron list's pagination links. */
export const neutronLinks = z.array(z.object({ rel: z.enum(['next', 'previous']), href: z.string() }));

export interface NeutronResourceDoc {
  /** e.g. /v2.0/vpn/ikepolicies */
  path: string;
  singular: string;
  plural: string;
  title: string;
  createBody: z.ZodType;
  updateBody: z.ZodType;
  view: z.ZodType;
  /** 409s and other statuses beyond the usual ones, per verb. */
  errors?: Partial<Record<'create' | 'update' | 'remove', number[]>>;
}

/** The five routes of functions/http/neutron-resource.ts for one resource. */
export function neutronResourceDocs(r: NeutronResourceDoc): RouteDoc[] {
  const one = `${r.path}/{id}`;
  const api = 'neutron' as const;
  return [
    {
      method: 'get', path: r.path, api, summary: `List ${r.title}`, neutronList: true, status: 200,
      response: z.object({ [r.plural]: z.array(r.view), [`${r.plural}_links`]: neutronLinks.optional() }),
    },
    {
      method: 'post', path: r.path, api, summary: `Create a ${r.title.replace(/s$/, '')}`, status: 201, errors: [404, 409, ...(r.errors?.create ?? [])],
      request: z.object({ [r.singular]: r.createBody }), response: z.object({ [r.singular]: r.view }),
    },
    { method: 'get', path: one, api, summary: `Show a ${r.title.replace(/s$/, '')}`, status: 200, response: z.object({ [r.singular]: r.view }) },
    {
      method: 'put', path: one, api, summary: `Update a ${r.title.replace(/s$/, '')}`, status: 200, errors: [409, ...(r.errors?.update ?? [])],
      request: z.object({ [r.singular]: r.updateBody }), response: z.object({ [r.singular]: r.view }),
    },
    { method: 'delete', path: one, api, summary: `Delete a ${r.title.replace(/s$/, '')}`, status: 204, errors: [409, ...(r.errors?.remove ?? [])] },
  ];
}

/** hono's route pattern (/v1/hosts/:id) in OpenAPI style (/v1/hosts/{id}). */
export const openApiPath = (honoPath: string) => honoPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

/** The statuses a route can answer with besides its success status. */
export function errorStatuses(route: RouteDoc): number[] {
  const s = new Set(route.errors ?? []);
  if (route.api !== 'public') s.add(401);
  if (route.adminOnly) s.add(403);
  if (route.request || route.query || route.neutronList) s.add(400);
  if (route.request) { s.add(413); s.add(415); }
  if (route.path.includes('{')) s.add(404);
  s.add(500);
  return [...s].sort((a, b) => a - b);
}
