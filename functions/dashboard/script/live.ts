// Dashboard script, live: /v1/events as server-sent events read over fetch (EventSource cannot send the
// Authorization header, and the token must never sit in a URL). The parser is the event-stream format as
// shared/sse.ts reads it for the CLI (this script has no build step to import that module): data lines joined,
// comments skipped, only 'message' events are events (the server's 'error' event says the stream failed, and the
// reconnection resumes from the last id).
export const LIVE_JS = String.raw`
  function setLive(on, text) {
    var p = $('live');
    p.className = 'pill ' + (on ? 'on' : 'off');
    p.textContent = text;
  }
  function sseParser(onMessage) {
    var data = [], event = '';
    return function line(l) {
      if (l === '') {
        if (data.length && (event || 'message') === 'message') onMessage(data.join('\n'));
        data = []; event = '';
        return;
      }
      if (l.charAt(0) === ':') return;
      var i = l.indexOf(':');
      var f = i < 0 ? l : l.slice(0, i);
      var v = i < 0 ? '' : l.slice(i + 1).replace(/^ /, '');
      if (f === 'data') data.push(v);
      else if (f === 'event') event = v;
    };
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
      var line = sseParser(function (data) { onEvent(JSON.parse(data)); });
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
    }).catch(function () {
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
`;
