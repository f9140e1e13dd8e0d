// The /docs page's assets for `berth serve`: read from the installed swagger-ui-dist package (never a CDN),
// once each, then kept in memory.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DOCS_FILES, type DocsAssets } from '../http/openapi/docs-page';

export function nodeDocsAssets(): DocsAssets {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<string, Promise<Uint8Array>>();
  return async (file) => {
    if (!(file in DOCS_FILES)) return undefined;
    if (!cache.has(file)) cache.set(file, readFile(join(dir, file)).then((b) => new Uint8Array(b)));
    return cache.get(file);
  };
}
