// Dashboard script, operator actions: the existing API calls (cordon, drain, migrate), each behind a
// confirmation dialog; the outcome shows in the banner and, live, in the views.
export const ACTIONS_JS = String.raw`
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
`;
