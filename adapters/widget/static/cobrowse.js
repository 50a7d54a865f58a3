/* CSR Bridge co-browse, the customer's side. widget.js fetches this only when a CSR asks to co-browse (or a pushed
   page may navigate); rrweb itself (the recorder, from npm) is fetched only after the customer allows.
   Nothing is recorded before "Allow"; a banner shows while the CSR watches, with a Stop button.
   Privacy: password fields and every input value are masked (unless the bridge's config allows values),
   elements the site marks (cobrowse.block_selector) are not captured, other origins' iframes are not recorded. */
(() => {
  "use strict";
  if (window.__csrCobrowse) return;
  let ctx = null, cur = { state: "none" }, ws = null, stopRec = null, dirty = false, retry = 0, buf = [], timer = 0, ui = null;

  async function call(method, body) {
    const headers = { Authorization: "Bearer " + ctx.token() };
    if (body) headers["Content-Type"] = "application/json";
    const r = await fetch(ctx.api + "/chats/" + encodeURIComponent(ctx.chat) + "/cobrowse", { method, headers, body: body && JSON.stringify(body) });
    const data = await r.json().catch(() => ({}));
    return r.ok ? data : { state: "none", message: data.message };
  }

  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "text") el.textContent = v; else if (k.startsWith("on")) el.addEventListener(k.slice(2), v); else el.setAttribute(k, v);
    }
    el.append(...kids);
    return el;
  }

  // Its own Shadow DOM, apart from the chat panel's, so the site's CSS can't hide the consent or the banner.
  function layer() {
    if (ui) return ui;
    const host = h("csr-bridge-cobrowse", { "data-csr-cobrowse": "" });
    host.style.cssText = "all:initial!important;position:fixed!important;z-index:2147483647!important;inset:auto 0 0 0!important";
    const root = host.attachShadow({ mode: "open" });
    root.append(h("style", { text: CSS }));
    const box = h("div", { class: "box" });
    root.append(box);
    document.documentElement.append(host);
    return (ui = { host, box });
  }

  const CSS = `.box{font:15px/1.4 system-ui,sans-serif;color:#111}
  .ask{position:fixed;left:50%;bottom:96px;transform:translateX(-50%);max-width:min(420px,calc(100vw - 32px));background:#fff;border:2px solid #1f6feb;border-radius:12px;padding:16px;box-shadow:0 8px 30px #0004}
  .ask p{margin:0 0 12px}.row{display:flex;gap:8px;justify-content:flex-end}
  button{font:inherit;border-radius:8px;padding:8px 14px;border:1px solid #888;background:#fff;color:#111;cursor:pointer}
  button.yes{background:#1f6feb;border-color:#1f6feb;color:#fff}
  .banner{position:fixed;top:0;left:0;right:0;display:flex;gap:12px;align-items:center;justify-content:center;background:#b42318;color:#fff;padding:6px 12px;font-weight:600}
  .banner button{padding:3px 10px;background:#fff;color:#b42318;border-color:#fff}
  .going{position:fixed;top:40%;left:50%;transform:translateX(-50%);background:#111;color:#fff;border-radius:10px;padding:14px 20px}`;

  function show(el) { layer().box.replaceChildren(...(el ? [el] : [])); }

  function showPrompt(st) {
    const yes = h("button", { class: "yes", type: "button", text: st.texts.allow, onclick: () => answer("allow") });
    show(h("div", { class: "ask", role: "alertdialog", "aria-modal": "false", "aria-label": st.texts.ask },
      h("p", { text: st.texts.ask }),
      h("div", { class: "row" }, h("button", { type: "button", text: st.texts.decline, onclick: () => answer("decline") }), yes)));
    yes.focus();
  }

  function showBanner(st) {
    show(h("div", { class: "banner", role: "status" }, h("span", { text: st.texts.banner }),
      h("button", { type: "button", text: st.texts.stop, onclick: () => answer("stop") })));
  }

  async function answer(what) {
    show(null);
    apply(await call("POST", { sid: cur.sid, answer: what }));
  }

  function apply(st) {
    const was = cur;
    cur = st;
    if (st.state === "asked") { ctx.remember(true); showPrompt(st); }
    else if (st.state === "active") { ctx.remember(true); showBanner(st); startSharing(st); }
    else if (was.state === "asked" || was.state === "active") { ctx.remember(false); finish(was.state === "active" ? was.texts.ended : ""); }
    else ctx.remember(false);
  }

  function finish(message) {
    if (stopRec) { stopRec(); stopRec = null; }
    clearTimeout(timer); timer = 0; buf = [];
    const sock = ws; ws = null;
    if (sock) sock.close(1000);
    show(message ? h("div", { class: "going", role: "status", text: message }) : null);
    if (message) setTimeout(() => { if (cur.state !== "asked" && cur.state !== "active") show(null); }, 6000);
  }

  function loadRecorder(url) {
    if (window.rrweb && window.rrweb.record) return Promise.resolve(window.rrweb);
    return new Promise((ok, fail) => {
      document.head.append(h("script", { src: url, onload: () => ok(window.rrweb), onerror: fail }));
    });
  }

  function startSharing(st) {
    if (ws) return;
    const u = new URL(ctx.api.replace(/^http/, "ws") + "/chats/" + encodeURIComponent(ctx.chat) + "/cobrowse/ws");
    const sock = ws = new WebSocket(u, ["csr-bridge.v1", "token." + ctx.token()]);
    sock.onopen = async () => {
      retry = 0;
      const rrweb = await loadRecorder(st.recorder_url);
      if (ws !== sock) return;
      if (!stopRec) stopRec = record(rrweb, st.privacy);
      else if (dirty) rrweb.record.takeFullSnapshot(true);
      dirty = false;
    };
    sock.onmessage = m => {
      const f = JSON.parse(m.data);
      if (f.type === "snapshot" && stopRec) window.rrweb.record.takeFullSnapshot(true);
      else if (f.type === "end") { ws = null; refresh(); }
    };
    sock.onclose = e => {
      if (ws !== sock) return;
      ws = null; dirty = true;
      if (e.code >= 4400) return refresh();
      setTimeout(() => { if (cur.state === "active" && !ws) startSharing(cur); }, Math.min(10000, 500 * 2 ** retry++));
    };
  }

  function record(rrweb, privacy) {
    return rrweb.record({
      emit(event) {
        if (!ws || ws.readyState !== 1) { dirty = true; return; }
        buf.push(event);
        if (!timer) timer = setTimeout(flush, 40);
      },
      maskAllInputs: privacy.mask_all_inputs,
      maskInputOptions: { password: true },
      maskInputFn: () => "*****",  // not even a password's length leaves the page
      blockSelector: privacy.block_selector + ", [data-csr-cobrowse]",
      recordCrossOriginIframes: false,
      collectFonts: false,
      sampling: { mousemove: 50, scroll: 100, input: "last" },
    });
  }

  function flush() {
    timer = 0;
    if (!buf.length || !ws || ws.readyState !== 1) return;
    const events = buf; buf = [];
    ws.send(JSON.stringify({ events }));
  }

  async function refresh() { apply(await call("GET")); }

  // A page the CSR pushed: on this same site, and while sharing (or when the bridge allows it), the tab goes
  // there after saying where; anywhere else the chat's card (already shown) is all there is.
  async function navigate(d) {
    let target;
    try { target = new URL(d.url); } catch (e) { return; }
    if (target.origin !== location.origin) return;
    if (!d.navigate && cur.state !== "active") { await refresh(); if (cur.state !== "active") return; }
    const texts = cur.texts || { going_to: "Taking you to {url}" };
    show(h("div", { class: "going", role: "status", text: texts.going_to.replace("{url}", target.href) }));
    setTimeout(() => location.assign(target.href), 1500);
  }

  window.__csrCobrowse = {
    async handle(c) {
      ctx = c;
      const ev = c.event, d = (ev && ev.data) || {};
      if (ev && ev.kind === "card" && d.push) return navigate(d);
      await refresh();
    },
  };
})();
