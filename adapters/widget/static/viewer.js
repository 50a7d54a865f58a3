/* CSR Bridge co-browse viewer: replays the customer's tab live with rrweb's Replayer (from npm).
   Keeps the view through a dropped connection: it reconnects with the last entry it has and goes on from
   there; if that place is gone the bridge asks the customer's tab for a fresh snapshot. On a recording's page
   (data-mode="replay") it plays a kept recording instead. */
(() => {
  "use strict";
  const status = document.getElementById("status"), stage = document.getElementById("stage");
  const replay = document.body.dataset.mode === "replay", recorded = [];
  let replayer = null, last = "", retry = 0, over = false, waitingForPage = true;

  function say(text, cls) { status.textContent = text; document.body.dataset.state = cls; }

  function play(events) {
    for (const e of events) {
      if (e.type === 4 && waitingForPage) {  // Meta: a page starts; a new viewer (or one reset) builds its player
        if (replayer) { replayer.destroy(); stage.replaceChildren(); }
        replayer = new rrweb.Replayer([], { root: stage, liveMode: true, mouseTail: false, showWarning: false, triggerFocus: false });
        replayer.startLive(e.timestamp);
        waitingForPage = false;
      }
      if (replayer && !waitingForPage) replayer.addEvent(e);
    }
  }

  // A kept recording (cobrowse.record): fetched whole, then played from its start like a video.
  function playRecording() {
    if (recorded.length < 2) return say("The recording is empty.", "ended");
    replayer = new rrweb.Replayer(recorded, { root: stage, mouseTail: false, showWarning: false, triggerFocus: false });
    replayer.play();
    say("Recording", "live");
  }

  function connect() {
    const u = new URL(location.href);
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    u.pathname = u.pathname.replace(/\/$/, "") + "/ws";
    u.search = last ? "?after=" + encodeURIComponent(last) : "";
    const ws = new WebSocket(u);
    ws.onopen = () => { retry = 0; say("Live", "live"); };
    ws.onmessage = m => {
      const f = JSON.parse(m.data);
      if (f.type === "reset") waitingForPage = true;
      else if (f.type === "events" && replay) recorded.push(...f.batch.events);
      else if (f.type === "events") { last = f.id; play(f.batch.events); }
      else if (f.type === "end" && replay) { over = true; playRecording(); }
      else if (f.type === "end") { over = true; say(f.reason === "not_your_view" ? "This view was closed (a newer link was opened, or co-browse ended)." : "Co-browse has ended.", "ended"); }
      else if (f.type === "error") { over = true; say(f.message, "ended"); }
    };
    ws.onclose = () => {
      if (over) return;
      say("Reconnecting…", "offline");
      setTimeout(connect, Math.min(5000, 250 * 2 ** retry++));
    };
    window.__csrViewerSocket = ws;
  }

  connect();
})();
