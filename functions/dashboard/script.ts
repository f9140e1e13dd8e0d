// The dashboard's script (served as /dashboard/app.js): plain browser JavaScript, no build step, no CDN.
// It reads /v1/hosts, /v1/containers and /v1/topology, follows /v1/events as server-sent events over fetch (so the
// token travels in the Authorization header, never in a URL), and redraws on each event. The DOM is built with
// textContent only (no innerHTML): names typed by tenants cannot inject markup.
// Kept free of backticks and dollar-brace so it can live in this TypeScript string as is.
export const DASHBOARD_JS = String.raw`'use strict';
(function () {
  var KEY = 'berth.token';
  var $ = function (id) { return document.getElementById(id); };
  var state = { hosts: [], containers: [], topology: { routers: [] }, events: [], lastId: null, flash: {}, drains: {} };
  var token = null;
  var refreshTimer = null;
  var streamAbort = null;

  function h(tag, attrs) {
    var el = document.createElement(tag);
    for (var k in (attrs || {})) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') el.textContent = String(v);
      else if (k === 'class') el.className = v;
      else if (k === 'style') Object.assign(el.style, v); // CSSOM: allowed by the CSP, a style attribute is not
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) el.appendChild(x); });
      else el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return el;
  }
  var short = function (id) { return id ? String(id).slice(0, 8) : '-'; };
  function ago(iso) {
    if (!iso) return 'never';
    var s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 60 ? s + ' s ago' : s < 3600 ? Math.round(s / 60) + ' min ago' : Math.round(s / 3600) + ' h ago';
  }
  function banner(text, note) {
    var b = $('banner');
    b.hidden = !text;
    b.textContent = text || '';
    b.className = note ? 'note' : '';
  }

  // ---- token: from #token= once (then removed from the address bar), else this tab's session storage ----
  function takeToken() {
    var m = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (m) {
      sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
      history.replaceState(null, '', location.pathname + location.search);
    }
    return sessionStorage.getItem(KEY);
  }
  function signOut(message) {
    sessionStorage.removeItem(KEY);
    token = null;
    if (streamAbort) streamAbort.abort();
    $('views').hidden = true;
    $('signout').hidden = true;
    $('login').hidden = false;
    setLive(false, 'signed out');
    banner(message || '');
  }

  // ---- API ----
  function api(method, path, body) {
    var headers = { authorization: 'Bearer ' + token, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body) })
      .then(function (res) {
        return res.text().then(function (text) {
          var data = null;
          try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
          if (res.status === 401) { signOut('The token was refused: sign in again.'); throw new Error('unauthenticated'); }
          if (!res.ok) throw new Error((data && data.error && data.error.message) || ('HTTP ' + res.status + ' for ' + path));
          return data;
        });
      });
  }

  function refresh() {
    return Promise.all([api('GET', '/v1/hosts'), api('GET', '/v1/containers'), api('GET', '/v1/topology')]).then(function (r) {
      state.hosts = r[0].hosts;
      state.containers = r[1].containers;
      state.topology = r[2];
      // A drain cordons its host: only cordoned hosts can be draining, so only they are asked for progress.
      var cordoned = state.hosts.filter(function (x) { return x.cordoned; });
      return Promise.all(cordoned.map(function (x) {
        return api('GET', '/v1/hosts/' + encodeURIComponent(x.id) + '/drain').then(function (d) { return d.drain; }, function () { return null; });
      })).then(function (ds) {
        state.drains = {};
        ds.forEach(function (d) { if (d && d.draining) state.drains[d.hostId] = d; });
      });
    }).then(function () {
      render();
      $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
    }).catch(function (e) { if (token) banner('Cannot load: ' + e.message); });
  }
  function refreshSoon() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(function () { refreshTimer = null; refresh(); }, 100);
  }

  // ---- live: /v1/events as server-sent events read over fetch (EventSource cannot send the header) ----
  function setLive(on, text) {
    var p = $('live');
    p.className = 'pill ' + (on ? 'on' : 'off');
    p.textContent = text;
  }
  function follow() {
    if (!token) return;
    var ac = new AbortController();
    streamAbort = ac;
    var headers = { authorization: 'Bearer ' + token, accept: 'text/event-stream' };
    if (state.lastId !== null) headers['last-event-id'] = String(state.lastId);
    fetch('/v1/events', { headers: headers, signal: ac.signal }).then(function (res) {
      if (res.status === 401) { signOut('The token was refused: sign in again.'); return; }
      if (!res.ok || !res.body) throw new Error('HTTP ' + res.status);
      setLive(true, 'live');
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buf = '';
      var data = [];
      var id = null;
      function line(l) {
        if (l === '') {
          if (data.length) onEvent(JSON.parse(data.join('\n')));
          data = []; id = null;
          return;
        }
        if (l.charAt(0) === ':') return;
        var i = l.indexOf(':');
        var f = i < 0 ? l : l.slice(0, i);
        var v = i < 0 ? '' : l.slice(i + 1).replace(/^ /, '');
        if (f === 'data') data.push(v);
        else if (f === 'id') id = v;
      }
      function pump() {
        return reader.read().then(function (r) {
          if (r.done) return;
          buf += decoder.decode(r.value, { stream: true });
          var parts = buf.split(/\r\n|\r|\n/);
          buf = parts.pop();
          parts.forEach(line);
          return pump();
        });
      }
      return pump();
    }).catch(function (e) {
      if (ac.signal.aborted) return;
      setLive(false, 'reconnecting…');
    }).then(function () {
      if (ac.signal.aborted || !token) return;
      setLive(false, 'reconnecting…');
      setTimeout(follow, 1000);
    });
  }
  function onEvent(e) {
    if (state.lastId !== null && e.id <= state.lastId) return;
    state.lastId = e.id;
    state.events.push(e);
    if (state.events.length > 200) state.events.shift();
    if (e.containerId) state.flash[e.containerId] = Date.now();
    renderEvents();
    refreshSoon();
  }

  // ---- operator actions, each confirmed in a dialog ----
  function confirmAction(text, hostChoices) {
    return new Promise(function (resolve) {
      var d = $('confirm');
      $('confirm-text').textContent = text;
      var pick = $('confirm-pick');
      var sel = $('confirm-host');
      pick.hidden = !hostChoices;
      sel.textContent = '';
      (hostChoices || []).forEach(function (id) { sel.appendChild(h('option', { value: id, text: id })); });
      $('confirm-ok').disabled = !!hostChoices && hostChoices.length === 0;
      d.onclose = function () { resolve(d.returnValue === 'ok' ? (hostChoices ? sel.value : true) : null); };
      d.returnValue = '';
      d.showModal();
    });
  }
  function act(promise, done) {
    return promise.then(function (r) { banner(done, true); refreshSoon(); return r; })
      .catch(function (e) { if (token) banner(e.message); });
  }
  function cordon(host) {
    var to = !host.cordoned;
    confirmAction((to ? 'Cordon ' : 'Uncordon ') + host.id + '? ' + (to ? 'No new containers will be placed there; running ones stay.' : 'It becomes eligible for placements again.'))
      .then(function (ok) { if (ok) act(api('PATCH', '/v1/hosts/' + encodeURIComponent(host.id), { cordoned: to }), host.id + (to ? ' cordoned' : ' uncordoned')); });
  }
  function drain(host) {
    confirmAction('Drain ' + host.id + '? It is cordoned and every container on it moves to other hosts.')
      .then(function (ok) { if (ok) act(api('POST', '/v1/hosts/' + encodeURIComponent(host.id) + '/drain', {}), 'draining ' + host.id + ': containers move as the events below show'); });
  }
  function migrate(box) {
    var targets = state.hosts.filter(function (x) { return x.alive && !x.cordoned && x.id !== box.hostId; }).map(function (x) { return x.id; });
    confirmAction('Move container ' + short(box.id) + ' from ' + (box.hostId || 'nowhere') + ' to another host?', targets)
      .then(function (to) { if (to) act(api('PUT', '/v1/containers/' + encodeURIComponent(box.id) + '/host', { hostId: to }), 'container ' + short(box.id) + ' moving to ' + to); });
  }

  // ---- rendering ----
  function routerOf(box) {
    var r = state.topology.routers.filter(function (x) { return x.id === box.configurationId; })[0];
    return r ? r.name || short(r.id) : short(box.configurationId);
  }
  function flashClass(id) { return state.flash[id] && Date.now() - state.flash[id] < 2000 ? ' flash' : ''; }

  function hostCard(host, maxCount) {
    var boxes = state.containers.filter(function (c) { return c.hostId === host.id; });
    var limit = host.containerLimit;
    var cap = limit > 0 ? limit : Math.max(maxCount, 1);
    var pct = Math.min(100, Math.round((boxes.length / cap) * 100));
    return h('article', { class: 'card host' + (host.alive ? '' : ' dead') + (host.cordoned ? ' cordoned' : ''), 'data-host': host.id, 'data-alive': String(host.alive) },
      h('div', { class: 'card-head' },
        h('span', { class: 'dot' + (host.alive ? '' : ' dead'), title: host.alive ? 'alive' : 'dead' }),
        h('span', { class: 'name', text: host.id }),
        host.alive ? null : h('span', { class: 'badge dead', text: 'dead' }),
        host.cordoned && !state.drains[host.id] ? h('span', { class: 'badge cordoned', text: 'cordoned' }) : null,
        state.drains[host.id] ? h('span', { class: 'badge draining', text: 'draining: ' + state.drains[host.id].moved + ' moved, '
          + state.drains[host.id].inFlight + ' moving, ' + state.drains[host.id].remaining + ' left' }) : null,
        h('span', { class: 'actions' },
          h('button', { class: 'ghost', text: host.cordoned ? 'uncordon' : 'cordon', onclick: function () { cordon(host); } }),
          h('button', { class: 'ghost', text: 'drain', disabled: boxes.length === 0, onclick: function () { drain(host); } }))),
      h('div', { class: 'stats' },
        h('span', { text: 'weight' }), h('b', { text: String(host.containerWeight) }),
        h('span', { text: 'limit' }), h('b', { text: limit < 0 ? 'none' : limit + (host.enforceContainerLimit ? ' (hard)' : ' (soft)') }),
        h('span', { text: 'load' }), h('b', { text: boxes.length + ' container' + (boxes.length === 1 ? '' : 's') + (host.reportedQuota != null && host.reportedQuota >= 0 ? ' · quota ' + host.reportedQuota : '') }),
        h('span', { text: 'heartbeat' }), h('b', { text: ago(host.lastHeartbeatAt) })),
      h('div', { class: 'load', title: pct + '% of ' + (limit > 0 ? 'its limit' : 'the busiest host') }, h('span', { style: { width: pct + '%' } })),
      h('div', { class: 'chips' }, boxes.length ? boxes.map(function (b) {
        return h('div', { class: 'chip' + flashClass(b.id), 'data-container': b.id },
          h('code', { text: short(b.id) }),
          h('span', { class: 'what', title: b.serviceType + ' for router ' + routerOf(b), text: routerOf(b) }),
          h('span', { class: 'badge ' + (b.status || 'none'), text: b.status || b.schedulerState }),
          h('button', { class: 'ghost', text: 'move', onclick: function () { migrate(b); } }));
      }) : [h('span', { class: 'empty', text: 'no containers' })]));
  }

  function routerCard(r) {
    var box = r.container;
    var row = function (label, value) { return h('div', { class: 'row' }, h('span', { class: 'label', text: label }), value); };
    return h('article', { class: 'card router', 'data-router': r.id },
      h('div', { class: 'card-head' }, h('span', { class: 'name', text: r.name || short(r.id) }), h('span', { class: 'badge', text: 'router' }),
        h('span', { class: 'muted actions', text: 'tenant ' + short(r.tenantId) })),
      h('div', { class: 'topo' },
        row('gateway', h('span', { text: r.gateway ? r.gateway.ips.join(', ') + ' on ' + (r.gateway.networkName || short(r.gateway.networkId)) : 'none' })),
        row('subnets', h('span', { text: r.subnets.length ? r.subnets.map(function (s) { return s.cidr + (s.gatewayIp ? ' (gw ' + s.gatewayIp + ')' : ''); }).join(', ') : 'none' })),
        r.vpnServices.map(function (s) {
          return h('div', { class: 'svc', 'data-vpnservice': s.id },
            h('div', { class: 'row' }, h('b', { text: 'VPN ' + (s.name || short(s.id)) }), h('span', { class: 'badge ' + s.status, text: s.status }),
              h('span', { class: 'muted', text: s.externalIp || '' })),
            s.connections.map(function (c) {
              return h('div', { class: 'conn', 'data-connection': c.id },
                h('div', { class: 'row' }, h('span', { text: '⇄ ' + (c.name || short(c.id)) }), h('span', { class: 'badge ' + c.status, text: c.status }),
                  c.tunnel ? h('span', { class: 'badge ' + c.tunnel, text: 'tunnel ' + c.tunnel }) : null),
                h('div', { class: 'row muted', text: 'peer ' + c.peerAddress + ' · ' + (c.peerCidrs.join(', ') || 'no peer CIDRs') }));
            }));
        })),
      h('div', { class: 'where' + (box ? flashClass(box.id) : ''), 'data-runs-on': box ? (box.hostId || '') : '' },
        box ? [h('span', { class: 'muted', text: 'container' }), h('code', { text: short(box.id) }),
          h('span', { text: box.hostId ? 'on ' + box.hostId : 'not placed' }),
          h('span', { class: 'badge ' + (box.status || box.schedulerState), text: box.status || box.schedulerState })]
          : [h('span', { class: 'empty', text: 'no service container (no site connection yet)' })]));
  }

  function renderEvents() {
    var list = $('events');
    list.textContent = '';
    state.events.slice(-50).reverse().forEach(function (e) {
      list.appendChild(h('li', { class: e.type, 'data-event': String(e.id) },
        h('span', { class: 't', text: new Date(e.at).toLocaleTimeString() }),
        h('span', { class: 'type', text: e.type }),
        h('span', { text: e.hostId || '-' }),
        h('span', { text: (e.containerId ? short(e.containerId) + ': ' : '') + e.reason })));
    });
    if (!state.events.length) list.appendChild(h('li', {}, h('span', { class: 'empty', text: 'no events yet' })));
  }

  function render() {
    var maxCount = 0;
    state.hosts.forEach(function (x) { maxCount = Math.max(maxCount, x.containerCount); });
    var hosts = $('hosts');
    hosts.textContent = '';
    state.hosts.forEach(function (x) { hosts.appendChild(hostCard(x, maxCount)); });
    if (!state.hosts.length) hosts.appendChild(h('p', { class: 'empty', text: 'No hosts yet: start an agent (berth agent --host-id host0).' }));
    var routers = $('routers');
    routers.textContent = '';
    state.topology.routers.forEach(function (r) { routers.appendChild(routerCard(r)); });
    if (!state.topology.routers.length) routers.appendChild(h('p', { class: 'empty', text: 'No routers yet.' }));
  }

  function start() {
    $('login').hidden = true;
    $('views').hidden = false;
    $('signout').hidden = false;
    banner('');
    api('GET', '/v1/events?limit=50').then(function (r) {
      state.events = r.events;
      state.lastId = r.events.length ? r.events[r.events.length - 1].id : 0;
      renderEvents();
      return refresh();
    }).then(follow).catch(function (e) { if (token) banner('Cannot load: ' + e.message); });
    // Heartbeat ages and liveness changes that no container event announces.
    setInterval(function () { if (token) refresh(); }, 5000);
  }

  document.addEventListener('DOMContentLoaded', function () {
    $('login').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var t = $('token').value.trim();
      if (!t) return;
      sessionStorage.setItem(KEY, t);
      token = t;
      $('token').value = '';
      start();
    });
    $('signout').addEventListener('click', function () { signOut('Token forgotten.'); });
    token = takeToken();
    if (token) start(); else signOut('');
  });
})();
`;
