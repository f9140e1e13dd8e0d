// Dashboard script, the page's state and its start: the first page of events, then the views, then the live
// feed; a refresh every 5 s for what no event announces (heartbeat ages, a host coming back).
export const STATE_JS = String.raw`
  var state = { hosts: [], containers: [], topology: { routers: [] }, events: [], lastId: null, flash: {}, drains: {} };
  var token = null;
  var refreshTimer = null;
  var streamAbort = null;
`;

export const MAIN_JS = String.raw`
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
`;
