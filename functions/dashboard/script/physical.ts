// Dashboard script, the physical view: one card per host (alive, weight, limit, cordoned, draining with its
// progress, load, last heartbeat) with its containers and the operator actions on them.
export const PHYSICAL_JS = String.raw`
  function routerOf(box) {
    var r = state.topology.routers.filter(function (x) { return x.id === box.configurationId; })[0];
    return r ? r.name || short(r.id) : short(box.configurationId);
  }
  function flashClass(id) { return state.flash[id] && Date.now() - state.flash[id] < 2000 ? ' flash' : ''; }

  function drainBadge(host) {
    var d = state.drains[host.id];
    if (d) return h('span', { class: 'badge draining', text: 'draining: ' + d.moved + ' moved, ' + d.inFlight + ' moving, ' + d.remaining + ' left' });
    return host.cordoned ? h('span', { class: 'badge cordoned', text: 'cordoned' }) : null;
  }

  function containerChip(b) {
    return h('div', { class: 'chip' + flashClass(b.id), 'data-container': b.id, title: b.statusMessage || '' },
      h('code', { text: short(b.id) }),
      h('span', { class: 'what', title: b.serviceType + ' for router ' + routerOf(b), text: routerOf(b) }),
      h('span', { class: 'badge ' + (b.status || 'none'), text: b.status || b.schedulerState }),
      h('button', { class: 'ghost', text: 'move', onclick: function () { migrate(b); } }));
  }

  function hostCard(host, maxCount) {
    var boxes = state.containers.filter(function (c) { return c.hostId === host.id; });
    var limit = host.containerLimit;
    var cap = limit > 0 ? limit : Math.max(maxCount, 1);
    var pct = Math.min(100, Math.round((boxes.length / cap) * 100));
    var quota = host.reportedQuota != null && host.reportedQuota >= 0 ? ' · quota ' + host.reportedQuota : '';
    return h('article', { class: 'card host' + (host.alive ? '' : ' dead') + (host.cordoned ? ' cordoned' : ''), 'data-host': host.id, 'data-alive': String(host.alive) },
      h('div', { class: 'card-head' },
        h('span', { class: 'dot' + (host.alive ? '' : ' dead'), title: host.alive ? 'alive' : 'dead' }),
        h('span', { class: 'name', text: host.id }),
        host.alive ? null : h('span', { class: 'badge dead', text: 'dead' }),
        drainBadge(host),
        h('span', { class: 'actions' },
          h('button', { class: 'ghost', text: host.cordoned ? 'uncordon' : 'cordon', onclick: function () { cordon(host); } }),
          h('button', { class: 'ghost', text: 'drain', disabled: boxes.length === 0, onclick: function () { drain(host); } }))),
      h('div', { class: 'stats' },
        h('span', { text: 'weight' }), h('b', { text: String(host.containerWeight) }),
        h('span', { text: 'limit' }), h('b', { text: limit < 0 ? 'none' : limit + (host.enforceContainerLimit ? ' (hard)' : ' (soft)') }),
        h('span', { text: 'load' }), h('b', { text: boxes.length + ' container' + (boxes.length === 1 ? '' : 's') + quota }),
        h('span', { text: 'heartbeat' }), h('b', { text: ago(host.lastHeartbeatAt) })),
      h('div', { class: 'load', title: pct + '% of ' + (limit > 0 ? 'its limit' : 'the busiest host') }, h('span', { style: { width: pct + '%' } })),
      h('div', { class: 'chips' }, boxes.length ? boxes.map(containerChip) : [h('span', { class: 'empty', text: 'no containers' })]));
  }
`;
