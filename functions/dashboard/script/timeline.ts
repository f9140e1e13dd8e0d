// Dashboard script, the timeline: the newest events first (container events and events about a host alone).
export const TIMELINE_JS = String.raw`
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
`;
