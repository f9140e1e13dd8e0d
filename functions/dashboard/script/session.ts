// Dashboard script, the token: taken once from #token= (then removed from the address bar) or typed in, kept in
// this tab's session storage only, sent only as an Authorization header; forgotten on sign-out or a 401.
export const SESSION_JS = String.raw`
  var KEY = 'berth.token';

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
`;
