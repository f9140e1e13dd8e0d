// GET /openapi.json, GET /docs (Swagger UI) and its assets. The assets come from the swagger-ui-dist npm package
// through deps.docsAssets (Node reads them from node_modules: functions/node/docs-assets.ts), never from a CDN;
// a runtime without them still serves /openapi.json and answers /docs with a page saying where the document is.
import { Hono } from 'hono';
import { AppError } from '../../../shared/errors';
import type { AppEnv } from '../env';
import { openApiDocument } from './document';

/** The files of swagger-ui-dist the page uses, with their content types (nothing else is served). */
export const DOCS_FILES: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

/** Reads one of DOCS_FILES from the swagger-ui-dist package; undefined where the runtime does not have it. */
export type DocsAssets = (file: string) => Promise<Uint8Array | undefined>;

// No inline script: the start-up code is its own file, so a strict Content-Security-Policy can be kept.
const INIT_JS = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true,
  persistAuthorization: false, tryItOutEnabled: false });\n`;

const page = (withAssets: boolean) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>berth API reference</title>
  ${withAssets ? '<link rel="stylesheet" href="/docs/swagger-ui.css">\n  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">' : ''}
</head>
<body>
  <div id="swagger-ui">${withAssets ? '' : '<p>The interactive reference is served by <code>berth serve</code>; this runtime serves the document itself at <a href="/openapi.json">/openapi.json</a>.</p>'}</div>
  ${withAssets ? '<script src="/docs/swagger-ui-bundle.js"></script>\n  <script src="/docs/init.js"></script>' : ''}
</body>
</html>
`;

export function docsRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/openapi.json', (c) => c.json(openApiDocument()));
  r.get('/docs', (c) => c.html(page(c.var.deps.docsAssets !== undefined)));
  r.get('/docs/:file', async (c) => {
    const file = c.req.param('file');
    if (file === 'init.js') return c.body(INIT_JS, 200, { 'content-type': 'text/javascript; charset=utf-8' });
    const type = DOCS_FILES[file];
    const body = type ? await c.var.deps.docsAssets?.(file) : undefined;
    if (!type || !body) throw new AppError('NOT_FOUND', `no docs asset ${file}`);
    return c.body(body as Uint8Array<ArrayBuffer>, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
  });
  return r;
}
