/* CSR Bridge chat widget. Embed: <script src="https://BRIDGE/widget.js" async></script>
   Options (data-*): data-open="true", data-position="left", data-topic, data-name, data-email, data-lang, data-bridge (base URL).
   Every string the customer reads is t("English msgid") from the server's catalog for their language (/config).
   Who the customer is (README "Who the customer is"): data-user-id, data-user-email, data-user-name, data-user-hash,
   data-attr-NAME="value"; or, in a single-page app, CSRBridge.identify({userId, email, name, attributes, userHash}).
   Draws into a Shadow DOM; keeps the chat id, token, seen events and unsent messages in sessionStorage.
   Text from people is only ever set with textContent. */
(() => {
  "use strict";
  const me = document.currentScript;
  if (!me || window.__csrBridge) return;
  window.__csrBridge = true;
  const opt = me.dataset;
  const base = (opt.bridge || new URL(".", me.src).href).replace(/\/$/, "");
  const api = base + "/api/v1";
  const KEY = "csr-bridge:" + base;
  const KEEP = 500;
  const EMOJI = ["😊", "😂", "👍", "🙏", "❤️", "😢", "😮", "🎉", "👋", "🤔", "✅", "❌"];
  const REACT = ["👍", "❤️", "😂", "😮", "🙏"];
  let cfg, ws, retry = 0, typingAt = 0, typingTimer, agentTimer, readTimer, readSent = "", L = {};
  let reacts = {};  // target event id -> key -> { agent, customer }: folded from the chat's reaction events
  let s = load();
  let identity = null;
  const ui = {};
  const PAGE_REPORT_MS = 3000;

  // The customer's wishes, best first: the page's data-lang, then the browser's; the server picks among them.
  const wishes = [opt.lang, ...(navigator.languages || [navigator.language])].filter(x => typeof x === "string" && x && x.length <= 35).slice(0, 10);
  function t(msgid, places) { return (L[msgid] || msgid).replace(/\{(\w+)\}/g, (m, k) => places && k in places ? String(places[k]) : m); }

  function load() { try { return JSON.parse(sessionStorage.getItem(KEY)) || {}; } catch (e) { return {}; } }
  function save() { try { sessionStorage.setItem(KEY, JSON.stringify(s)); } catch (e) { /* storage full or off: still works */ } }

  function newId() { const b = crypto.getRandomValues(new Uint8Array(12)); return Array.from(b, x => x.toString(16).padStart(2, "0")).join(""); }

  function h(tag, props, ...kids) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === "text") el.textContent = v;
      else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, "");
      else if (v !== false && v != null) el.setAttribute(k, v);
    }
    el.append(...kids.filter(x => x != null && x !== false));
    return el;
  }

  async function call(method, path, body, form) {
    const headers = {};
    if (s.token) headers.Authorization = "Bearer " + s.token;
    if (cfg && cfg.language) headers["Accept-Language"] = cfg.language;  // errors come worded in it
    if (body && !form) { headers["Content-Type"] = "application/json"; body = JSON.stringify(body); }
    const r = await fetch(api + path, { method, headers, body });
    const data = await r.json().catch(() => ({}));
    if (!r.ok) throw Object.assign(new Error(data.message || t("Something went wrong; please try again.")), { code: data.error, status: r.status });
    return data;
  }

  function icon(d) {
    const ns = "http://www.w3.org/2000/svg", svg = document.createElementNS(ns, "svg"), path = document.createElementNS(ns, "path");
    svg.setAttribute("viewBox", "0 0 24 24"); svg.setAttribute("aria-hidden", "true"); path.setAttribute("d", d);
    svg.append(path);
    return svg;
  }

  function authed(url) { return base + url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(s.token); }

  /* Identity: from data-user-* and data-attr-* on the script tag, or CSRBridge.identify() (which wins). */
  function pageIdentity() {
    const attributes = {};
    for (const [k, v] of Object.entries(opt)) {
      if (k.startsWith("attr") && k.length > 4) attributes[k.slice(4).replace(/[A-Z]/g, c => "_" + c.toLowerCase()).replace(/^_/, "")] = v;
    }
    if (!opt.userId && !opt.userEmail && !opt.userName && !Object.keys(attributes).length) return null;
    return { userId: opt.userId || "", email: opt.userEmail || "", name: opt.userName || "", userHash: opt.userHash || "", attributes };
  }
  function identityBody() {
    const i = identity || pageIdentity();
    if (!i) return null;
    return { user_id: String(i.userId || ""), user_hash: String(i.userHash || ""), name: String(i.name || "").slice(0, 80),
             email: String(i.email || "").slice(0, 254), attributes: Object.assign({}, i.attributes || {}) };
  }
  function identify(i) {
    identity = i && typeof i === "object" ? i : null;
    const form = ui.body && ui.body.querySelector(".prechat");
    const field = name => form && form.elements.namedItem(name);
    if (identity && field("name") && !field("name").value) field("name").value = String(identity.name || "");
    if (identity && field("email") && !field("email").value) field("email").value = String(identity.email || "");
  }

  /* The visit: where the customer is, for the CSR's context card. */
  function pageUrl() { return location.href.startsWith("http") ? location.href.slice(0, 2000) : ""; }
  function visitBody() {
    let zone = "";
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { /* no Intl: no zone */ }
    const ref = document.referrer.startsWith("http") ? document.referrer.slice(0, 2000) : "";
    return { page_url: pageUrl(), page_title: document.title.slice(0, 200), referrer: ref,
             language: /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(navigator.language || "") ? navigator.language.slice(0, 35) : "",
             time_zone: /^[A-Za-z][A-Za-z0-9_+\/-]{0,63}$/.test(zone) ? zone : "", utc_offset_minutes: -new Date().getTimezoneOffset() };
  }
  /* Page changes (links, SPA history, hash) reach the CSR's card: at most one report every PAGE_REPORT_MS, the last one always. */
  function watchPages() {
    let sent = pageUrl(), timer = null, last = 0;
    const report = () => {
      timer = null;
      const url = pageUrl();
      if (!s.chat || s.state === "closed" || !url || url === sent) return;
      last = Date.now(); sent = url;
      call("POST", "/chats/" + s.chat + "/page", { page_url: url, page_title: document.title.slice(0, 200) }).catch(() => { sent = ""; });
    };
    const changed = () => { if (!timer) timer = setTimeout(report, Math.max(300, PAGE_REPORT_MS - (Date.now() - last))); };
    for (const name of ["pushState", "replaceState"]) {
      const orig = history[name];
      history[name] = function (...args) { const r = orig.apply(this, args); changed(); return r; };
    }
    addEventListener("popstate", changed);
    addEventListener("hashchange", changed);
  }

  function build() {
    const host = h("csr-bridge-widget");
    host.style.cssText = "all:initial!important;display:block!important";
    host.style.setProperty("--csr-primary", cfg.primary_color);
    host.style.setProperty("--csr-on-primary", cfg.text_color);
    const root = host.attachShadow({ mode: "open" });
    const wrap = ui.wrap = h("div", { class: "wrap" + (opt.position === "left" ? " left" : ""), hidden: true });
    root.append(h("link", { rel: "stylesheet", href: base + "/widget.css", onload: () => { wrap.hidden = false; } }), wrap);
    ui.launcher = h("button", { class: "launcher", type: "button", "aria-label": t("Open chat: {title}", { title: cfg.title }), "aria-expanded": "false", "aria-controls": "csr-panel", onclick: () => toggle() }, icon("M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z"));
    ui.title = h("h2", { id: "csr-title", text: cfg.title });
    ui.sub = h("p", { class: "sub", "aria-live": "polite" });
    ui.end = h("button", { class: "end", type: "button", text: t("End chat"), hidden: true, onclick: endChat });
    const header = h("header", {}, h("div", { class: "titles" }, ui.title, ui.sub), ui.end,
      h("button", { class: "min", type: "button", "aria-label": t("Minimise chat"), text: "✕", onclick: () => toggle(false) }));
    ui.error = h("p", { class: "error", role: "alert" });
    ui.body = h("div", { class: "body" });
    ui.panel = h("section", { class: "panel", id: "csr-panel", role: "dialog", "aria-labelledby": "csr-title", lang: cfg.language, dir: cfg.dir, hidden: true, onkeydown: e => { if (e.key === "Escape") toggle(false); } }, header, ui.error, ui.body);
    wrap.append(ui.panel, ui.launcher);
    document.body.append(host);
  }

  function toggle(open = ui.panel.hidden) {
    ui.panel.hidden = !open;
    ui.wrap.classList.toggle("open", open);
    ui.launcher.setAttribute("aria-expanded", String(open));
    s.open = open; save();
    if (open) { ui.launcher.classList.remove("unread"); markRead(); (ui.panel.querySelector(".prechat input, .composer:not([hidden]) textarea") || ui.panel.querySelector("button")).focus(); }
    else ui.launcher.focus();
  }

  function fail(msg) { ui.error.textContent = msg || ""; }

  function showForm() {
    const topics = cfg.topics.map(t => h("option", { value: t.id, text: t.label, selected: t.id === opt.topic }));
    const form = h("form", { class: "prechat", onsubmit: start },
      h("p", { class: "greeting", text: cfg.greeting }),
      h("p", { class: "closed", role: "status", hidden: true }),
      h("label", {}, t("Your name"), h("input", { name: "name", required: true, maxlength: "80", autocomplete: "name", value: opt.name || (identityBody() || {}).name || "" })),
      h("label", {}, h("span", { class: "email-label", text: t("Email (optional)") }), h("input", { name: "email", type: "email", maxlength: "254", autocomplete: "email", value: opt.email || (identityBody() || {}).email || "" })),
      topics.length ? h("label", {}, t("Topic"), h("select", { name: "topic", onchange: () => closedForm(form) }, ...topics)) : null,
      h("label", { class: "left-message", hidden: true }, t("Your message"), h("textarea", { name: "message", rows: "3", maxlength: String(cfg.max_message_chars) })),
      h("button", { class: "primary", type: "submit", text: t("Start chat") }));
    ui.body.replaceChildren(form);
    ui.end.hidden = true;
    closedForm(form);
  }

  // Outside business hours the start form becomes a leave-a-message form: it says when the team is back, in
  // the customer's own time, and asks for the email the answer goes to.
  function chosenTopic(form) { const id = form.elements.topic ? form.elements.topic.value : ""; return cfg.topics.find(x => x.id === id) || cfg.topics[0]; }
  function closedForm(form) {
    const topic = chosenTopic(form), closed = !!topic && topic.open === false;
    const note = form.querySelector(".closed");
    note.hidden = !closed;
    note.textContent = closed ? localOpens(topic.closed_note, topic) : "";
    ui.sub.textContent = closed ? localOpens(topic.closed_status, topic) : "";
    form.querySelector(".email-label").textContent = closed ? t("Email") : t("Email (optional)");
    form.elements.email.required = closed;
    form.querySelector(".left-message").hidden = !closed;
    form.elements.message.required = closed;
    form.querySelector("button[type=submit]").textContent = closed ? t("Leave a message") : t("Start chat");
    return closed;
  }

  // The server words "opens {opens}" with the time in UTC (opens_text); this shows it in the browser's zone.
  function localOpens(text, d) {
    if (!text || !d || !d.opens_text || typeof d.opens_at !== "number") return text || "";
    const when = new Intl.DateTimeFormat(undefined, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZoneName: "short" }).format(new Date(d.opens_at * 1000));
    return text.split(d.opens_text).join(when);
  }

  async function start(e) {
    e.preventDefault();
    const f = new FormData(e.target);
    const leaving = closedForm(e.target);
    try {
      const customer = s.customer || "";  /* this browser session's customer: kept across its chats */
      s = { customer };
      const r = await call("POST", "/chats", { name: f.get("name"), email: f.get("email") || "", topic: f.get("topic") || "",
        identity: identityBody(), visit: visitBody(), customer_token: customer, languages: [cfg.language, ...wishes],
        message: leaving ? f.get("message") || "" : "" });
      s = { chat: r.chat_id, token: r.token, last: "0", events: [], pending: [], state: r.state, status: r.status, agent: "", open: true, lang: r.language, email: r.email_given, customer: r.customer_token };
      save(); fail(); showChat(); connect(); ui.text.focus();
      if (leaving) await escalate();
    } catch (err) { fail(err.message); }
  }

  // Leaving a message needs an email to answer at: asked for in the chat when the customer gave none.
  function askEmail() {
    if (ui.ask) return;
    ui.ask = h("form", { class: "ask-email", onsubmit: async e => {
      e.preventDefault();
      try {
        await call("POST", "/chats/" + encodeURIComponent(s.chat) + "/email", { email: new FormData(e.target).get("email") });
        s.email = true; save(); fail(); ui.ask.remove(); ui.ask = null; setState(s.state); ui.text.focus();
      } catch (err) { fail(err.message); }
    } }, h("label", {}, t("Your email, for our answer"), h("input", { name: "email", type: "email", required: true, maxlength: "254", autocomplete: "email" })),
      h("button", { class: "primary", type: "submit", text: t("Save") }));
    ui.composer.before(ui.ask);
  }

  function showChat() {
    ui.log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": t("Messages"), onscroll: markRead }, h("p", { class: "note", text: cfg.greeting }));
    ui.typing = h("p", { class: "typing", "aria-live": "polite" });
    ui.talk = h("button", { class: "talk", type: "button", text: t("Talk to a person"), onclick: escalate });
    ui.text = h("textarea", { rows: "2", maxlength: String(cfg.max_message_chars), "aria-label": t("Message"), placeholder: t("Type your message…"), oninput: typing, onkeydown: e => { if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); ui.send.click(); } } });
    ui.file = h("input", { type: "file", class: "file", accept: cfg.uploads.allowed_types.join(","), "aria-label": t("Attach a file"), onchange: upload });
    ui.emoji = h("div", { class: "emoji", hidden: true, role: "group", "aria-label": t("Emoji") },
      ...EMOJI.map(x => h("button", { type: "button", text: x, "aria-label": t("Insert {emoji}", { emoji: x }), onclick: () => { ui.text.setRangeText(x, ui.text.selectionStart, ui.text.selectionEnd, "end"); ui.text.focus(); } })));
    ui.send = h("button", { class: "primary send", type: "submit", text: t("Send") });
    ui.composer = h("form", { class: "composer", onsubmit: e => { e.preventDefault(); sendText(); } },
      h("label", { class: "attach", title: t("Attach a file") }, icon("M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6z"), ui.file),
      h("button", { type: "button", class: "emoji-toggle", "aria-label": t("Emoji"), "aria-expanded": "false", text: "😊", onclick: e => { ui.emoji.hidden = !ui.emoji.hidden; e.currentTarget.setAttribute("aria-expanded", String(!ui.emoji.hidden)); } }),
      ui.text, ui.send);
    ui.after = h("div", { class: "after" });
    ui.ask = null;
    ui.body.replaceChildren(ui.log, ui.typing, ui.talk, ui.emoji, ui.composer, ui.after);
    ui.end.hidden = false;
    ui.sub.textContent = s.status || "";
    reacts = {};
    for (const ev of s.events || []) render(ev);
    showSeen();
    for (const p of s.pending || []) pendingBubble(p);
    setState(s.state);
  }

  function setState(state) {
    s.state = state;
    ui.talk.hidden = state !== "bot";
    const over = state === "closed", needEmail = state === "message" && !s.email && !s.agent;
    ui.composer.hidden = over || needEmail; ui.end.hidden = over;
    ui.log.classList.toggle("over", over);  // no reacting once the chat has ended
    if (needEmail) askEmail();
    if (over) ui.emoji.hidden = true;
    if (over && !ui.after.childElementCount) showEnded();
  }

  function connect() {
    if (!s.chat || (ws && ws.readyState < 2)) return;
    const u = new URL(api.replace(/^http/, "ws") + "/chats/" + encodeURIComponent(s.chat) + "/ws");
    u.searchParams.set("after", s.last || "0");
    const sock = ws = new WebSocket(u, ["csr-bridge.v1", "token." + s.token]);  // the token stays out of the URL
    sock.onopen = () => { retry = 0; readSent = ""; online(true); markRead(); for (const p of s.pending) wsSend({ type: "message", text: p.text, client_msg_id: p.cid }); };
    sock.onmessage = m => frame(JSON.parse(m.data));
    sock.onclose = e => {
      if (ws === sock) ws = null;
      if (!s.chat) return;
      if (e.code >= 4401 && e.code <= 4404) return reset(t("This chat session has ended. You can start a new chat."));
      if (e.code === 4400) { s.last = "0"; s.events = []; save(); showChat(); }  // a stale resume point: reload all
      online(false);
      setTimeout(connect, Math.min(10000, 500 * 2 ** retry++));
    };
  }

  function wsSend(obj) { if (ws && ws.readyState === 1) { ws.send(JSON.stringify(obj)); return true; } return false; }
  function online(on) {
    const was = ui.panel.classList.contains("offline");
    ui.panel.classList.toggle("offline", !on);
    if (!on) ui.typing.textContent = t("Reconnecting… messages you send now go out when we're back.");
    else if (was) ui.typing.textContent = "";
  }

  function frame(f) {
    if (f.type === "event") addEvent(f.event);
    else if (f.type === "typing") agentTyping(f.typing ? f.name : "");
    else if (f.type === "read") { s.agentRead = f.agent; save(); showSeen(); }
    else if (f.type === "error" && f.client_msg_id) {
      if (f.error === "rate_limited") setTimeout(() => { const p = s.pending.find(x => x.cid === f.client_msg_id); if (p) wsSend({ type: "message", text: p.text, client_msg_id: p.cid }); }, (f.retry_after || 5) * 1000);
      else { s.pending = s.pending.filter(p => p.cid !== f.client_msg_id); save(); const b = ui.log.querySelector(`[data-cid="${CSS.escape(f.client_msg_id)}"]`); if (b) b.classList.add("failed"); fail(f.message); }
    } else if (f.type === "error") fail(f.message);
  }

  function addEvent(ev) {
    if (s.events.some(x => x.id === ev.id)) return;
    s.events.push(ev);
    if (s.events.length > KEEP) s.events.shift();
    s.last = ev.id;
    if (ev.client_msg_id) s.pending = s.pending.filter(p => p.cid !== ev.client_msg_id);
    save();
    render(ev);
    cobrowse(ev);
    if (ui.panel.hidden && ev.author.kind === "agent") ui.launcher.classList.add("unread");
    if (!ui.panel.hidden) ui.log.lastElementChild.scrollIntoView({ block: "end" });
    markRead();
  }

  function note(text, cls) { ui.log.append(h("p", { class: "note" + (cls ? " " + cls : ""), text })); }

  // Routing steps come worded by the server: ev.text for the log and ev.status for the header, from one event,
  // so the two never disagree.
  const STEP_STATE = { queued: "waiting", accepted: "active", closed: "closed" };
  function step(ev, d) {
    if (ev.kind === "accepted") s.agent = d.agent_name || ev.author.name || "";
    if (ev.text) note(localOpens(ev.text, d));
    if (ev.status) { s.status = localOpens(ev.status, d); ui.sub.textContent = s.status; }
    const next = ev.kind === "overflowed" ? (d.message ? "message" : "waiting") : STEP_STATE[ev.kind];
    if (next) setState(next);
  }

  function render(ev) {
    const d = ev.data || {};
    switch (ev.kind) {
      case "message": bubble(ev); if (ev.author.kind === "agent") agentTyping(""); else showSeen(); break;
      case "reaction": if (ev.author.kind !== "system") reaction(ev, d); break;
      case "card": card(d, ev.author.kind === "agent" ? t("From {name}", { name: ev.author.name }) : d.source === "suggestion" ? t("Suggested article") : ""); break;
      case "edited": case "deleted": {
        const el = ui.log.querySelector(`[data-id="${CSS.escape(String(d.target))}"] .text`);
        if (el) { el.textContent = ev.kind === "edited" ? ev.text : t("Message deleted"); el.parentNode.classList.add(ev.kind); }
        break;
      }
      case "queued": case "position": case "overflowed": case "accepted": case "transferred": case "closed": step(ev, d); break;
      case "rating": s.rated = true; note(t("Thanks for rating this chat.")); ui.after.querySelector(".rate")?.remove(); break;
      default: if (ev.text) note(ev.text);
    }
  }

  function bubble(ev) {
    const mine = ev.author.kind === "customer";
    if (ev.client_msg_id) ui.log.querySelector(`[data-cid="${CSS.escape(ev.client_msg_id)}"]`)?.remove();
    const el = h("div", { class: "msg " + (mine ? "me" : ev.author.kind), "data-id": ev.id },
      mine ? null : h("span", { class: "who", text: ev.author.name }),
      ev.text ? h("p", { class: "text", text: ev.text }) : null,
      ...ev.attachments.map(a => a.content_type.startsWith("image/")
        ? h("a", { href: authed(a.url), target: "_blank", rel: "noopener" }, h("img", { src: authed(a.url), alt: a.filename, loading: "lazy" }))
        : h("a", { class: "file-link", href: authed(a.url), download: a.filename, text: a.filename + " (" + Math.ceil(a.size / 1024) + " KB)" })),
      ev.author.kind === "agent" ? h("div", { class: "foot" }, h("div", { class: "reactions" }), picker(ev.id)) : h("div", { class: "reactions" }));
    ui.log.append(el);
    drawReactions(ev.id);
  }

  // Reactions: each side's set per message, from the reaction events; the customer reacts on the team's messages.
  function reaction(ev, d) {
    const side = ev.author.kind === "customer" ? "customer" : "agent";
    const byKey = reacts[d.target] || (reacts[d.target] = {});
    const r = byKey[d.key] || (byKey[d.key] = { agent: "", customer: false });
    if (side === "customer") r.customer = !d.removed; else r.agent = d.removed ? "" : ev.author.name;
    drawReactions(String(d.target));
  }

  function drawReactions(id) {
    const row = ui.log.querySelector(`[data-id="${CSS.escape(id)}"] .reactions`);
    if (!row) return;
    const shown = Object.entries(reacts[id] || {}).filter(([, r]) => r.agent || r.customer);
    row.replaceChildren(...shown.map(([key, r]) => r.customer
      ? h("button", { type: "button", class: "chip mine", text: key, "aria-label": t("Remove your {emoji}", { emoji: key }), onclick: () => react(id, key, true) })
      : h("span", { class: "chip", text: key, title: t("{name} reacted {emoji}", { name: r.agent, emoji: key }), "aria-label": t("{name} reacted {emoji}", { name: r.agent, emoji: key }) })));
  }

  function picker(id) {
    const choices = h("div", { class: "pick", hidden: true, role: "group", "aria-label": t("React") },
      ...REACT.map(key => h("button", { type: "button", text: key, "aria-label": t("React {emoji}", { emoji: key }), onclick: () => { choices.hidden = true; react(id, key, !!(reacts[id] && reacts[id][key] && reacts[id][key].customer)); } })));
    return h("span", { class: "react" }, h("button", { type: "button", class: "react-toggle", text: "☺", "aria-label": t("Add a reaction"), onclick: () => { choices.hidden = !choices.hidden; } }), choices);
  }

  function react(target, key, removed) { if (!wsSend({ type: "reaction", target, key, removed })) fail(t("Reconnecting… try again in a moment.")); }

  // "Seen" under the customer's last message once the team's read mark covers it.
  function order(id) { const [ms, seq] = String(id).split("-"); return [BigInt(ms || 0), BigInt(seq || 0)]; }
  function covers(mark, id) { const a = order(mark), b = order(id); return a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]); }
  function showSeen() {
    ui.log.querySelector(".seen")?.remove();
    const mine = ui.log.querySelectorAll(".msg.me[data-id]");
    const last = mine[mine.length - 1];
    if (last && s.agentRead && covers(s.agentRead, last.dataset.id)) last.after(h("p", { class: "seen", text: t("Seen") }));
  }

  // The customer's read mark: the team's latest message, once it is on screen (tab visible, panel open, log at
  // its end); at most one frame a second, and only when there is something newer than what was sent.
  function markRead() { if (!readTimer) readTimer = setTimeout(() => { readTimer = null; sendRead(); }, 1000); }
  function sendRead() {
    if (!ui.log || ui.panel.hidden || document.visibilityState !== "visible") return;
    if (ui.log.scrollHeight - ui.log.scrollTop - ui.log.clientHeight > 24) return;
    const theirs = (s.events || []).filter(e => e.kind === "message" && e.author.kind === "agent").pop();
    if (theirs && theirs.id !== readSent && wsSend({ type: "read", event_id: theirs.id })) readSent = theirs.id;
  }

  function pendingBubble(p) { ui.log.append(h("div", { class: "msg me pending", "data-cid": p.cid }, h("p", { class: "text", text: p.text }), h("span", { class: "state", text: t("Sending…") }))); }

  function card(d, from) {
    const ok = /^https?:\/\//i.test(d.url || "");
    ui.log.append(h("article", { class: "card" }, from ? h("span", { class: "who", text: from }) : null, h("h3", { text: d.title || "" }), d.summary ? h("p", { text: d.summary }) : null,
      ok ? h("a", { class: "open", href: d.url, target: "_blank", rel: "noopener noreferrer", text: t("Open"), "aria-label": d.title ? t("Open {title}", { title: d.title }) : t("Open link") }) : null));
  }

  function sendText() {
    const text = ui.text.value;
    if (!text.trim()) return;
    if (text.length > cfg.max_message_chars) return fail(cfg.notices.message_too_long);
    const p = { cid: newId(), text };
    s.pending.push(p); save();
    pendingBubble(p);
    ui.text.value = ""; fail();
    clearTimeout(typingTimer); typingAt = 0;
    wsSend({ type: "message", text, client_msg_id: p.cid });
    ui.log.lastElementChild.scrollIntoView({ block: "end" });
  }

  function typing() {
    if (Date.now() - typingAt > 3000) { typingAt = Date.now(); wsSend({ type: "typing", typing: true }); }
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => { typingAt = 0; wsSend({ type: "typing", typing: false }); }, 4000);
  }

  function agentTyping(name) {
    clearTimeout(agentTimer);
    ui.typing.textContent = name ? t("{name} is typing…", { name }) : "";
    if (name) agentTimer = setTimeout(() => { ui.typing.textContent = ""; }, 7000);
  }

  async function upload() {
    const file = ui.file.files[0];
    ui.file.value = "";
    if (!file) return;
    if (file.size > cfg.uploads.max_bytes) return fail(cfg.notices.file_too_big);
    if (!cfg.uploads.allowed_types.includes(file.type)) return fail(t("Files of this type can't be sent."));
    const form = new FormData();
    form.append("file", file);
    form.append("client_msg_id", newId());
    try { fail(); await call("POST", "/chats/" + encodeURIComponent(s.chat) + "/attachments", form, true); } catch (err) { fail(err.message); }
  }

  async function escalate() {
    try { ui.talk.disabled = true; const r = await call("POST", "/chats/" + encodeURIComponent(s.chat) + "/escalate"); setState(r.state); }
    catch (err) { fail(err.message); } finally { ui.talk.disabled = false; }
  }

  async function endChat() {
    try { await call("POST", "/chats/" + encodeURIComponent(s.chat) + "/close"); } catch (err) { fail(err.message); }
  }

  function showEnded() {
    const dl = f => h("a", { href: authed("/api/v1/chats/" + encodeURIComponent(s.chat) + "/transcript?format=" + f), download: "", text: f.toUpperCase() });
    const stars = [1, 2, 3, 4, 5].map(n => h("label", { class: "star" }, h("input", { type: "radio", name: "score", value: String(n), required: true, "aria-label": t("{n} of 5", { n }) }), h("span", { "aria-hidden": "true", text: "★" })));
    // Nothing to rate once rated, or when nobody from the team took part.
    const rate = s.rated || !s.agent ? null : h("form", { class: "rate", onsubmit: async e => {
      e.preventDefault();
      const f = new FormData(e.target);
      try { await call("POST", "/chats/" + encodeURIComponent(s.chat) + "/rating", { score: Number(f.get("score")), comment: f.get("comment") || "" }); } catch (err) { fail(err.message); }
    } }, h("fieldset", {}, h("legend", { text: t("How did we do?") }), ...stars),
      h("textarea", { name: "comment", rows: "2", maxlength: "1000", "aria-label": t("Comment (optional)"), placeholder: t("Anything to add? (optional)") }),
      h("button", { class: "primary", type: "submit", text: t("Send rating") }));
    ui.after.replaceChildren(rate || "", h("p", { class: "transcript" }, t("Download the transcript:"), " ", dl("txt"), " ", dl("html")),
      h("button", { type: "button", class: "new", text: t("Start a new chat"), onclick: () => reset() }));
  }

  function reset(msg) {
    const old = ws;
    s = { open: true, customer: s.customer }; ws = null; save();
    if (old) old.close();
    showForm(); fail(msg);
  }

  // Co-browse lives in cobrowse.js, fetched only when a CSR asks (a live event says so), when this tab was
  // sharing before a page change (ev null), or when a pushed page may navigate; rrweb comes after consent.
  let cobrowseLoad;
  function cobrowse(ev) {
    const d = (ev && ev.data) || {};
    if (ev ? !d.cobrowse && !(ev.kind === "card" && d.push && (s.cobrowse || d.navigate)) : !s.cobrowse) return;
    cobrowseLoad = cobrowseLoad || new Promise((ok, no) => document.head.append(h("script", { src: base + "/cobrowse.js", onload: ok, onerror: no })));
    cobrowseLoad.then(() => window.__csrCobrowse.handle({ api, chat: s.chat, event: ev, token: () => s.token, remember: on => { s.cobrowse = on; save(); } }),
      () => { cobrowseLoad = null; });
  }

  // A reply email's link (#csr-reply=CODE) reopens that chat here, with a fresh session; the code leaves the URL.
  async function reopenFromEmail() {
    const m = /(?:^#|&)csr-reply=([A-Za-z0-9_.-]+)/.exec(location.hash);
    if (!m) return false;
    history.replaceState(null, "", location.pathname + location.search);
    const old = s;
    try {
      s = {};
      const r = await call("POST", "/reply-links", { code: m[1] });
      s = { chat: r.chat_id, token: r.token, last: "0", events: [], pending: [], state: r.state, status: r.status, agent: r.agent_name, open: true, lang: r.language, email: r.email_given };
      save(); showChat(); connect();
    } catch (err) { s = old.chat ? old : { open: true }; save(); if (s.chat) { showChat(); connect(); } else showForm(); fail(err.message); }
    toggle(true);
    return true;
  }

  async function init() {
    // A chat in progress keeps the language it started in; a new one asks for the customer's wishes.
    const lang = (s.chat && s.lang ? [s.lang] : wishes).join(",");
    try { cfg = await (await fetch(api + "/config?lang=" + encodeURIComponent(lang))).json(); } catch (e) { console.warn("CSR Bridge widget: cannot reach", base); return; }
    if (!cfg.topics) return console.warn("CSR Bridge widget:", cfg.message || "bad settings");
    L = cfg.strings || {};
    build();
    watchPages();
    if (await reopenFromEmail()) { addEventListener("online", connect); addEventListener("offline", () => ws && ws.close()); return; }
    if (s.chat) { showChat(); connect(); cobrowse(null); } else showForm();
    addEventListener("online", connect);
    document.addEventListener("visibilitychange", markRead);
    addEventListener("offline", () => ws && ws.close());
    if (s.open || opt.open === "true") toggle(true);
  }

  window.CSRBridge = Object.assign(window.CSRBridge || {}, { identify });
  dispatchEvent(new Event("csr-bridge:ready"));
  if (document.body) init(); else addEventListener("DOMContentLoaded", init);
})();
