// The judge screen's network side: the pushed stream, the score's POST and its safe retries, the
// online/offline signals and the screen wake lock. `ctx` is the screen's state and its painters.

function newRequestId() {
  if (crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

// The stream the page's HTML opened for `url` (ui/early_stream.js), once and if it is still alive.
function takeEarlyStream(url) {
  const all = window.stagescoreEarly;
  const early = all && all[url];
  if (!early) return null;
  delete all[url];
  early.release();
  if (early.dead || early.es.readyState === EventSource.CLOSED) { early.es.close(); return null; }
  return early;
}

function judgeNet(ctx) {
  const {data, root, st, paint, onDoc, pendingOf, setPending, typed, comment, key, online} = ctx;
  let probe = null, reconnect = null;

  function connect() {
    if (st.stopped || st.ended) return;
    if (st.stream) st.stream.close();
    const early = takeEarlyStream(data.stream);
    const es = early ? early.es : new EventSource(data.stream);
    st.stream = es;
    es.addEventListener("doc", onDoc);
    // The server says this stream ends: a logout elsewhere, a new device, a disabled account, or its own
    // restart. Only the server can tell which for sure: ask it (whyClosed) before showing a sentence.
    es.addEventListener("ended", (e) => {
      let reason = t("Your session has ended; please log in again.");
      try { reason = t(JSON.parse(e.data).reason) || reason; } catch (err) { /* keep the default */ }
      es.close();
      st.link = "error";
      paint();
      whyClosed(reason);
    });
    // The admin put this judge on another stage: open that stage's stream at once (the server picks it).
    es.addEventListener("moved", () => { es.close(); st.link = "connecting"; paint(); connect(); });
    es.onopen = () => { st.link = "open"; st.backoff = 1; paint(); };
    es.onerror = () => {
      if (st.stopped || st.stream !== es) return;
      st.link = "error";
      paint();
      // The browser retries by itself unless the answer was not a stream (401, 5xx): find out why.
      if (es.readyState === EventSource.CLOSED) whyClosed();
    };
    if (early) {  // opened by the page's HTML: what it has received so far, as if it had come now
      if (es.readyState === EventSource.OPEN) es.onopen();
      for (const d of early.docs) onDoc({data: d.data}, d.at);
    }
  }

  function end(reason) {
    st.ended = reason;
    if (st.stream) st.stream.close();
    st.stream = null;
    paint();
  }

  async function whyClosed(reason) {
    clearTimeout(reconnect);
    try {
      probe = new AbortController();
      const res = await fetch(data.stream, {signal: probe.signal, credentials: "same-origin"});
      if (res.status === 401 || res.status === 403) {
        const body = await res.json().catch(() => ({}));
        return end(reason || body.error || t("You are logged out."));
      }
      probe.abort();  // it is a stream after all: let EventSource take it again
    } catch (e) { /* offline: try again below */ }
    st.backoff = Math.min(st.backoff * 2, 16);
    reconnect = setTimeout(connect, 1000 * st.backoff);
  }

  function submit() {
    const d = st.doc;
    if (!d || !st.open || st.inflight) return;
    const values = typed();
    for (const c of d.criteria || []) {
      const problem = checkValue(values[c.name], c);
      if (problem) { st.error = problem; paint(); return; }
    }
    st.error = "";
    const note = comment();
    let p = pendingOf();
    // The same values for the same window: the same request, so a lost answer can never count twice.
    if (!p || p.performer_id !== d.performer_id || !sameValues(p.values, values) || (p.comment || "") !== note) {
      p = {request_id: newRequestId(), event_id: d.event_id, performer_id: d.performer_id, window_id: d.window_id,
           values, comment: note, tries: 0};
    }
    setPending(p);
    send(p);
  }

  async function send(p) {
    if (st.inflight || st.stopped || st.ended) return;
    clearTimeout(st.retry);
    if (navigator.onLine === false) { st.note = t("Not sent: you are offline. It is sent again when you are back."); return paint(); }
    st.inflight = true;
    p.tries = (p.tries || 0) + 1;
    setPending(p);
    paint();
    let status = 0, body = {};
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), data.timeout_ms);
    try {
      const res = await fetch(data.score, {
        method: "POST", credentials: "same-origin", signal: stop.signal,
        headers: {"Content-Type": "application/json", "X-Stagescore": "1"},
        body: JSON.stringify({event_id: p.event_id, performer_id: p.performer_id, window_id: p.window_id, values: p.values,
                              request_id: p.request_id, comment: p.comment || ""}),
      });
      status = res.status;
      body = await res.json().catch(() => ({}));
    } catch (e) { status = 0; }
    clearTimeout(timer);
    st.inflight = false;
    answered(p, status, body);
  }

  function answered(p, status, body) {
    const d = st.doc;
    if (status === 200 && body.ok) {
      setPending(null);
      st.ack = {key: key(d), total: body.total, revision: body.revision, values: p.values, comment: p.comment || "",
                replayed: !!body.replayed,
                text: ackText(body), request_id: p.request_id};
      st.note = "";
      st.error = "";
      root.dataset.lastRequest = p.request_id;  // for support and the tests
      root.dataset.lastReplayed = String(!!body.replayed);
    } else if (retryable(status)) {
      st.note = status === 0
        ? t("Not saved yet: no answer from the server. Trying again with the same request…")
        : (body.error || t("The server is busy.")) + " " + t("Trying again with the same request…");
      st.retry = setTimeout(() => { const q = pendingOf(); if (q && online()) send(q); }, 1000 * Math.min(2 ** (p.tries - 1), 8));
    } else {
      setPending(null);  // a final answer: the server said why, in one sentence
      st.note = "";
      st.error = body.error || t("The score was not saved (error {status}).", {status});
      if (status === 401) end(body.error || t("You are logged out."));
    }
    paint();
  }

  function onOnline() { connect(); const p = pendingOf(); if (p) send(p); }
  function onOffline() { st.link = "error"; paint(); }
  window.addEventListener("online", onOnline);
  window.addEventListener("offline", onOffline);

  async function keepAwake() {
    if (!("wakeLock" in navigator)) { root.dataset.wakeLock = "unsupported"; return; }
    try {
      st.lock = await navigator.wakeLock.request("screen");
      root.dataset.wakeLock = "on";
      paint();
      st.lock.addEventListener("release", () => { root.dataset.wakeLock = "released"; });
    } catch (e) { root.dataset.wakeLock = "refused"; }
  }
  // The browser drops the lock when the page is hidden; take it again when it is shown.
  function onVisible() { if (document.visibilityState === "visible" && !st.stopped) keepAwake(); }
  document.addEventListener("visibilitychange", onVisible);

  function stop() {
    clearTimeout(reconnect);
    clearTimeout(st.retry);
    if (probe) probe.abort();
    if (st.stream) st.stream.close();
    if (st.lock) st.lock.release().catch(() => {});
    window.removeEventListener("online", onOnline);
    window.removeEventListener("offline", onOffline);
    document.removeEventListener("visibilitychange", onVisible);
  }

  return {connect, submit, send, stop, keepAwake};
}
