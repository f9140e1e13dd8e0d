/// <reference path="./text-modules.d.ts" />
// The /docs page's assets in the Worker: swagger-ui-dist's files bundled as text modules (wrangler.toml [[rules]]
// type "Text"), so the Worker serves them itself, never from a CDN. About 1.7 MB raw / 0.5 MB gzipped more bundle.
import bundle from 'swagger-ui-dist/swagger-ui-bundle.js';
import css from 'swagger-ui-dist/swagger-ui.css';
import type { DocsAssets } from '../http/openapi/docs-page';

const FILES: Record<string, Uint8Array> = {
  'swagger-ui-bundle.js': new TextEncoder().encode(bundle),
  'swagger-ui.css': new TextEncoder().encode(css),
};

export const workerDocsAssets: DocsAssets = async (file) => FILES[file];
