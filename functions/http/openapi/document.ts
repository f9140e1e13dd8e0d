// The OpenAPI 3.1 document of every route in the registry, built from the same zod schemas that validate the
// requests (so the document cannot drift from what the API accepts). Built once per process, on first request.
import { z } from 'zod';
import { requestJsonSchema, responseJsonSchema, type JsonSchema } from '../../../shared/json-schema';
import { errorStatuses, type RouteDoc } from './registry';
import { ROUTES } from './routes';

const REASON: Record<number, string> = {
  400: 'Bad request: the body or a parameter is invalid (nothing was changed)', 401: 'No token or an invalid one',
  403: 'Needs the admin role', 404: 'Not found (or owned by another tenant)', 409: 'Conflict with the current state',
  413: 'Body too large', 415: 'Body is not JSON', 500: 'Internal error (the request id identifies it in the log)',
  503: 'Database or broker unavailable; retry',
};

const neutronError = z.object({ NeutronError: z.object({ type: z.string(), message: z.string(), detail: z.string().optional() }) });
const operatorError = z.object({ error: z.object({ code: z.string(), message: z.string(), requestId: z.string() }) });

/** Neutron's list query parameters (functions/http/neutron-list.ts); any attribute is a filter too. */
const NEUTRON_LIST_PARAMS = [
  { name: 'fields', description: 'Attributes to return (repeatable or comma-separated); the objects then hold only these', schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true },
  { name: 'sort_key', description: 'Attribute to sort by (repeatable; id breaks ties)', schema: { type: 'array', items: { type: 'string' } }, style: 'form', explode: true },
  { name: 'sort_dir', description: "asc or desc, one per sort_key (default asc)", schema: { type: 'array', items: { type: 'string', enum: ['asc', 'desc'] } }, style: 'form', explode: true },
  { name: 'limit', description: 'Page size (0: everything); the answer carries <plural>_links next/previous', schema: { type: 'integer', minimum: 0 } },
  { name: 'marker', description: 'Id of the last item of the previous page', schema: { type: 'string' } },
  { name: 'page_reverse', description: 'Page backwards from the marker', schema: { type: 'boolean' } },
].map((p) => ({ in: 'query', required: false, ...p }));

function parameters(route: RouteDoc): JsonSchema[] {
  const params: JsonSchema[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  if (route.query) {
    const q = requestJsonSchema(route.query);
    const required = new Set((q.required as string[] | undefined) ?? []);
    for (const [name, schema] of Object.entries((q.properties ?? {}) as Record<string, JsonSchema>)) params.push({ name, in: 'query', required: required.has(name), schema });
  }
  if (route.neutronList) params.push(...NEUTRON_LIST_PARAMS);
  return params;
}

function operation(route: RouteDoc) {
  const errorBody = route.api === 'neutron' ? '#/components/schemas/NeutronError' : '#/components/schemas/OperatorError';
  const responses: Record<string, unknown> = {
    [route.status]: route.response
      ? { description: 'Success', content: { 'application/json': { schema: responseJsonSchema(route.response) } } }
      : route.responseType ? { description: 'Success', content: { [route.responseType]: {} } } : { description: 'Success (no body)' },
  };
  for (const s of errorStatuses(route)) responses[s] = { description: REASON[s] ?? 'Error', content: { 'application/json': { schema: { $ref: errorBody } } } };
  return {
    summary: route.summary,
    operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? '').toUpperCase())}`,
    tags: [route.path.split('/')[1] === 'v2.0' ? 'Neutron (/v2.0)' : route.path.startsWith('/v1') ? 'Operator (/v1)' : 'Service'],
    ...(route.api === 'public' ? { security: [] } : {}),
    parameters: parameters(route),
    ...(route.request ? { requestBody: { required: !route.requestOptional, content: { 'application/json': { schema: requestJsonSchema(route.request) } } } } : {}),
    responses,
  };
}

export function buildOpenApi(routes: RouteDoc[] = ROUTES, version = '0.1.0') {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) (paths[r.path] ??= {})[r.method] = operation(r);
  return {
    openapi: '3.1.0',
    info: {
      title: 'berth', version,
      description: 'Northbound Neutron VPNaaS API (/v2.0: Neutron envelopes, converters, filters, sorting and paging) and the operator API (/v1). Authenticate with `Authorization: Bearer <token>` or `X-Auth-Token`.',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { authToken: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        authToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' },
      },
      schemas: { NeutronError: responseJsonSchema(neutronError), OperatorError: responseJsonSchema(operatorError) },
    },
  };
}

let cached: ReturnType<typeof buildOpenApi> | undefined;
/** The document for this process (the registry does not change at run time). */
export const openApiDocument = () => (cached ??= buildOpenApi());
