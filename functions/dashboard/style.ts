// The dashboard's stylesheet (served as /dashboard/app.css).
export const DASHBOARD_CSS = `
:root { --bg:#0f1419; --panel:#161d26; --card:#1c2530; --line:#2a3542; --text:#d8dee6; --muted:#8492a3;
  --ok:#3fb950; --warn:#d29922; --bad:#f85149; --info:#58a6ff; --accent:#a371f7; }
* { box-sizing:border-box; }
body { margin:0; background:var(--bg); color:var(--text); font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; }
header { display:flex; align-items:center; gap:12px; padding:12px 20px; background:var(--panel); border-bottom:1px solid var(--line); }
h1 { margin:0; font-size:20px; letter-spacing:.5px; }
h2 { font-size:15px; margin:0 0 12px; } h2 .muted { font-weight:normal; font-size:12px; margin-left:6px; }
.sub, .muted { color:var(--muted); }
.pill { padding:2px 10px; border-radius:999px; font-size:12px; border:1px solid var(--line); }
.pill.on { color:var(--ok); border-color:var(--ok); } .pill.off { color:var(--warn); border-color:var(--warn); }
#updated { margin-left:auto; font-size:12px; }
button { background:var(--info); color:#0b0f14; border:0; border-radius:6px; padding:5px 10px; cursor:pointer; font:inherit; font-size:12px; }
button.ghost { background:transparent; color:var(--muted); border:1px solid var(--line); }
button.danger { background:var(--bad); color:#fff; }
button:disabled { opacity:.5; cursor:default; }
#banner { margin:12px 20px; padding:10px 14px; border:1px solid var(--bad); border-radius:8px; color:var(--bad); background:#2a1416; }
#banner.note { border-color:var(--info); color:var(--info); background:#122033; }
#login { max-width:440px; margin:60px auto; padding:24px; background:var(--panel); border:1px solid var(--line); border-radius:12px; }
#login input { width:100%; padding:8px; margin:8px 0 12px; background:var(--bg); color:var(--text); border:1px solid var(--line); border-radius:6px; }
main { display:grid; grid-template-columns:1fr 1fr; gap:16px; padding:16px 20px; }
.view, .timeline { background:var(--panel); border:1px solid var(--line); border-radius:12px; padding:14px; min-width:0; }
.timeline { grid-column:1 / span 2; }
.cards { display:grid; grid-template-columns:repeat(auto-fill,minmax(290px,1fr)); gap:12px; }
.card { background:var(--card); border:1px solid var(--line); border-radius:10px; padding:12px; transition:border-color .3s, opacity .3s; }
.card.dead { border-color:var(--bad); opacity:.8; }
.card.cordoned { border-style:dashed; }
.card-head { display:flex; align-items:center; gap:8px; margin-bottom:8px; }
.card-head .name { font-weight:600; font-size:15px; }
.card-head .actions { margin-left:auto; display:flex; gap:6px; }
.dot { width:10px; height:10px; border-radius:50%; background:var(--ok); box-shadow:0 0 6px var(--ok); flex:none; }
.dot.dead { background:var(--bad); box-shadow:0 0 6px var(--bad); }
.badge { font-size:11px; padding:1px 7px; border-radius:999px; border:1px solid var(--line); color:var(--muted); white-space:nowrap; }
.badge.ACTIVE, .badge.RUNNING, .badge.UP, .badge.up { color:var(--ok); border-color:var(--ok); }
.badge.DOWN, .badge.ERROR, .badge.dead, .badge.down { color:var(--bad); border-color:var(--bad); }
.badge.draining { color:var(--accent); border-color:var(--accent); }
.badge.PENDING_CREATE, .badge.PENDING_UPDATE, .badge.STARTING, .badge.SCHEDULED, .badge.RESCHEDULED, .badge.cordoned { color:var(--warn); border-color:var(--warn); }
.stats { display:grid; grid-template-columns:auto 1fr; gap:2px 10px; font-size:12px; color:var(--muted); }
.stats b { color:var(--text); font-weight:500; }
.load { height:6px; background:var(--bg); border-radius:3px; margin:8px 0; overflow:hidden; }
.load > span { display:block; height:100%; background:var(--info); transition:width .4s; }
.chips { display:flex; flex-direction:column; gap:6px; margin-top:8px; }
.chip { display:flex; align-items:center; gap:8px; padding:6px 8px; background:var(--bg); border:1px solid var(--line); border-radius:8px; font-size:12px; }
.chip .what { flex:1; min-width:0; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
.chip code, code { font:12px ui-monospace,SFMono-Regular,Menlo,monospace; color:var(--accent); }
.flash { animation:flash 2s ease-out; }
@keyframes flash { from { box-shadow:0 0 0 2px var(--accent); } to { box-shadow:0 0 0 0 transparent; } }
.empty { color:var(--muted); font-style:italic; font-size:12px; }
.topo { font-size:12px; }
.topo .row { display:flex; gap:8px; align-items:baseline; margin:3px 0; }
.topo .label { color:var(--muted); width:64px; flex:none; }
.svc { margin-top:8px; padding:8px; border-left:3px solid var(--accent); background:var(--bg); border-radius:0 8px 8px 0; }
.conn { margin:6px 0 0 10px; padding-left:8px; border-left:1px dashed var(--line); }
.reason { margin:4px 0; padding:4px 8px; border-left:3px solid var(--bad); color:var(--bad); background:#2a1416; border-radius:0 6px 6px 0; font-size:12px; overflow-wrap:anywhere; }
.where { margin-top:10px; padding-top:8px; border-top:1px solid var(--line); display:flex; flex-wrap:wrap; gap:4px 8px; align-items:center; font-size:12px; }
.where .message { flex-basis:100%; overflow-wrap:anywhere; }
#events { list-style:none; margin:0; padding:0; max-height:260px; overflow:auto; font-size:12px; }
#events li { display:grid; grid-template-columns:90px 120px 90px 1fr; gap:10px; padding:4px 6px; border-bottom:1px solid var(--line); }
#events li .t { color:var(--muted); }
#events li .type { font-weight:600; }
#events li.rescheduled .type, #events li.down .type, #events li.host-bad .type, #events li.left-out .type { color:var(--warn); }
#events li.host-dead .type { color:var(--bad); }
dialog { background:var(--panel); color:var(--text); border:1px solid var(--line); border-radius:12px; min-width:340px; }
dialog::backdrop { background:rgba(0,0,0,.55); }
dialog menu { display:flex; justify-content:flex-end; gap:8px; padding:0; margin:16px 0 0; }
dialog select { background:var(--bg); color:var(--text); border:1px solid var(--line); border-radius:6px; padding:4px; }
@media (max-width: 900px) { main { grid-template-columns:1fr; } .timeline { grid-column:auto; } }
`;
