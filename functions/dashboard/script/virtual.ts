// Dashboard script, the virtual view: one card per router (gateway, attached subnets), its VPN services and site
// connections (peer, peer CIDRs, status, tunnel state, and — when ERROR — the status reason Neutron shows), and
// the service container with the host it runs on and what its agent last said about it.
export const VIRTUAL_JS = String.raw`
  function row(label, value) { return h('div', { class: 'row' }, h('span', { class: 'label', text: label }), value); }
  function reason(text) { return text ? h('div', { class: 'reason', text: text }) : null; }

  function connectionBox(c) {
    return h('div', { class: 'conn', 'data-connection': c.id },
      h('div', { class: 'row' }, h('span', { text: '⇄ ' + (c.name || short(c.id)) }), h('span', { class: 'badge ' + c.status, text: c.status }),
        c.tunnel ? h('span', { class: 'badge ' + c.tunnel, text: 'tunnel ' + c.tunnel }) : null),
      h('div', { class: 'row muted', text: 'peer ' + c.peerAddress + ' · ' + (c.peerCidrs.join(', ') || 'no peer CIDRs') }),
      reason(c.statusReason));
  }

  function serviceBox(s) {
    return h('div', { class: 'svc', 'data-vpnservice': s.id },
      h('div', { class: 'row' }, h('b', { text: 'VPN ' + (s.name || short(s.id)) }), h('span', { class: 'badge ' + s.status, text: s.status }),
        h('span', { class: 'muted', text: s.externalIp || '' })),
      reason(s.statusReason),
      s.connections.map(connectionBox));
  }

  function containerLine(box) {
    if (!box) return [h('span', { class: 'empty', text: 'no service container (no site connection yet)' })];
    return [h('span', { class: 'muted', text: 'container' }), h('code', { text: short(box.id) }),
      h('span', { text: box.hostId ? 'on ' + box.hostId : 'not placed' }),
      h('span', { class: 'badge ' + (box.status || box.schedulerState), text: box.status || box.schedulerState }),
      box.statusMessage ? h('span', { class: 'muted message', text: box.statusMessage }) : null];
  }

  function routerCard(r) {
    var box = r.container;
    return h('article', { class: 'card router', 'data-router': r.id },
      h('div', { class: 'card-head' }, h('span', { class: 'name', text: r.name || short(r.id) }), h('span', { class: 'badge', text: 'router' }),
        h('span', { class: 'muted actions', text: 'tenant ' + short(r.tenantId) })),
      h('div', { class: 'topo' },
        row('gateway', h('span', { text: r.gateway ? r.gateway.ips.join(', ') + ' on ' + (r.gateway.networkName || short(r.gateway.networkId)) : 'none' })),
        row('subnets', h('span', { text: r.subnets.length ? r.subnets.map(function (s) { return s.cidr + (s.gatewayIp ? ' (gw ' + s.gatewayIp + ')' : ''); }).join(', ') : 'none' })),
        r.vpnServices.map(serviceBox)),
      h('div', { class: 'where' + (box ? flashClass(box.id) : ''), 'data-runs-on': box ? (box.hostId || '') : '' }, containerLine(box)));
  }
`;
