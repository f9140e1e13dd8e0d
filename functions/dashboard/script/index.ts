// The dashboard's script (served as /dashboard/app.js): plain browser JavaScript, no build step, no CDN, kept as
// strings so `berth serve` and the Worker serve the same bytes. One part per concern, joined in one function
// scope (the parts call each other by name; `state` and the token are that scope's). It reads /v1/hosts,
// /v1/containers and /v1/topology, follows /v1/events, and redraws on each event.
// The parts are free of backticks and dollar-brace so each can live in its TypeScript string as is.
import { ACTIONS_JS } from './actions';
import { API_JS } from './api';
import { DOM_JS } from './dom';
import { LIVE_JS } from './live';
import { MAIN_JS, STATE_JS } from './main';
import { PHYSICAL_JS } from './physical';
import { SESSION_JS } from './session';
import { TIMELINE_JS } from './timeline';
import { VIRTUAL_JS } from './virtual';

export const DASHBOARD_JS = `'use strict';\n(function () {${[STATE_JS, DOM_JS, SESSION_JS, API_JS, LIVE_JS, ACTIONS_JS, PHYSICAL_JS, VIRTUAL_JS, TIMELINE_JS, MAIN_JS].join('')}})();\n`;
