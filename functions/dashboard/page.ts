// The dashboard's HTML shell: no inline script or style (the CSP forbids both), the favicon is an empty data URL
// so the browser asks for nothing this server does not serve.
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>berth</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/dashboard/app.css">
<script src="/dashboard/app.js" defer></script>
</head>
<body>
<header>
  <h1>berth</h1>
  <span class="sub">service containers</span>
  <span id="live" class="pill off">connecting…</span>
  <span id="updated" class="muted"></span>
  <button id="signout" class="ghost" hidden>forget token</button>
</header>
<div id="banner" hidden></div>
<form id="login" hidden>
  <h2>Sign in</h2>
  <p>Paste an admin token (<code>.berth/admin-token</code> or <code>BERTH_ADMIN_TOKEN</code>). It is kept in this tab's
  session storage only and sent as a header, never in a URL.</p>
  <input id="token" type="password" autocomplete="off" placeholder="admin token" required>
  <button type="submit">Open dashboard</button>
</form>
<main id="views" hidden>
  <section class="view">
    <h2>Physical <span class="muted">hosts and their containers</span></h2>
    <div id="hosts" class="cards"></div>
  </section>
  <section class="view">
    <h2>Virtual <span class="muted">routers, subnets, VPN services</span></h2>
    <div id="routers" class="cards"></div>
  </section>
  <section class="timeline">
    <h2>Events <span class="muted">newest first</span></h2>
    <ol id="events"></ol>
  </section>
</main>
<dialog id="confirm">
  <form method="dialog">
    <p id="confirm-text"></p>
    <label id="confirm-pick" hidden>to host <select id="confirm-host"></select></label>
    <menu><button value="cancel" class="ghost">Cancel</button><button value="ok" id="confirm-ok">Confirm</button></menu>
  </form>
</dialog>
</body>
</html>
`;
