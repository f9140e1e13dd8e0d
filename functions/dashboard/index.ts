// The dashboard at `/` (DESIGN section 8): static HTML, CSS and JS held as strings, so `berth serve` and the Worker
// serve the same bytes with no build step and no CDN. The assets hold no data and need no token; the page asks
// for one and calls the API with it. A strict CSP allows only this origin's script, style and API.
import { Hono } from 'hono';
import type { AppEnv } from '../http/env';
import { DASHBOARD_HTML } from './page';
import { DASHBOARD_JS } from './script/index';
import { DASHBOARD_CSS } from './style';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; "
  + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const headers = (type: string) => ({
  'content-type': type,
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  // The token may sit in the URL fragment for a moment: never send any of the URL elsewhere.
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
});

export function dashboardRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/', (c) => c.body(DASHBOARD_HTML, 200, headers('text/html; charset=utf-8')));
  r.get('/dashboard/app.js', (c) => c.body(DASHBOARD_JS, 200, headers('text/javascript; charset=utf-8')));
  r.get('/dashboard/app.css', (c) => c.body(DASHBOARD_CSS, 200, headers('text/css; charset=utf-8')));
  return r;
}
