// Dashboard script, reading the API: one call (JSON in and out, a 401 signs out), and the refresh of everything
// the two views draw (hosts, containers, topology, and the progress of drains).
export const API_JS = String.raw`
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
`;
