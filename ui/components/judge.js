// The judge screen: the pushed document (/live/judge) drawn in the browser, the countdown ticking on
// this browser's clock corrected by the server's offset, scores sent to POST /live/score. Streamlit
// never re-runs the page while the judge watches. Rules: judge_core.js; DOM: judge_view.js.

const COMMENT = "\u0000comment";  // the comment's draft key: no criterion can be named so

export default function (component) {
  const {data, parentElement} = component;
  setWords(data.words);
  const root = parentElement.querySelector(".judge");
  const ui = judgeSkeleton(root);
  const who = data.who;
  const st = {doc: null, offset: null, lastSample: 0, shown: null, open: false, formKey: "", inputs: {},
              stream: null, link: "connecting", fired: {}, ack: null, inflight: false, retry: null,
              backoff: 1, stopped: false, ended: null, lock: null, flashes: 0,
              answering: false, answered: null, checkReply: ""};
  root.dataset.flashes = "0";

  const now = () => Date.now() / 1000;
  const left = () => secondsLeft(st.doc, st.offset, now());
  const key = (d) => (d ? d.event_id + ":" + d.window_id + ":" + d.performer_id : "");
  const store = {
    get(k) { try { return localStorage.getItem(k); } catch (e) { return null; } },
    set(k, v) { try { v === null ? localStorage.removeItem(k) : localStorage.setItem(k, v); } catch (e) { /* private mode */ } },
  };
  const pendingOf = () => { const d = st.doc; return d ? JSON.parse(store.get(pendingKey(who, d.event_id, d.window_id)) || "null") : null; };
  const setPending = (p) => { const d = st.doc; if (d) store.set(pendingKey(who, d.event_id, d.window_id), p ? JSON.stringify(p) : null); };
  const online = () => navigator.onLine !== false && st.link === "open";

  // The judge's own score for the performer on stage: the freshest of the document's and our answer's.
  function mine() {
    const d = st.doc;
    const fromDoc = d && d.my_score ? d.my_score : null;
    const fromAck = st.ack && st.ack.key === key(d) ? st.ack : null;
    if (fromDoc && fromAck) return fromAck.revision >= fromDoc.revision ? fromAck : fromDoc;
    return fromAck || fromDoc;
  }

  function typed() {
    const out = {};
    for (const [name, input] of Object.entries(st.inputs)) out[name] = input.value.trim();
    return out;
  }
  const comment = () => ui.comment.value.trim();

  function onStep(c, input, dir) {
    input.value = stepped(input.value, c, dir);
    keep(c.name, input.value);
    paint();
  }

  function keep(name, value) {
    const d = st.doc;
    if (d) store.set(draftKey(who, d.event_id, d.window_id, name), value === "" ? null : value);
  }

  // A new performer or window: new fields, filled from this device's draft, else from the saved score.
  function buildForm() {
    const d = st.doc;
    st.formKey = key(d);
    st.inputs = {};
    ui.fields.replaceChildren();
    const saved = d.my_score ? d.my_score.values || {} : {};
    ui.comment.value = store.get(draftKey(who, d.event_id, d.window_id, COMMENT)) ?? (d.my_score && d.my_score.comment) ?? "";
    for (const c of d.criteria || []) {
      const f = criterionField(c, onStep);
      f.input.value = store.get(draftKey(who, d.event_id, d.window_id, c.name)) ?? saved[c.name] ?? "";
      f.input.addEventListener("input", () => { keep(c.name, f.input.value); paint(); });
      f.buttons.forEach((b) => b.classList.add("tap"));
      st.inputs[c.name] = f.input;
      ui.fields.appendChild(f.wrap);
    }
  }

  function unsaved() {
    const m = mine();
    return st.open && (!m || !!pendingOf() || (m.values && !sameValues(m.values, typed())));
  }

  function paintBanners() {
    const d = st.doc;
    showText(ui.ended, "");
    if (st.ended) {
      ui.ended.hidden = false;
      ui.ended.replaceChildren(el("span", null, st.ended + " "));
      const a = el("a", "login", t("Log in"));
      a.href = data.login;
      a.target = "_top";
      ui.ended.appendChild(a);
    }
    const off = !st.ended && !online() && st.link !== "connecting";
    const m = mine();
    showText(ui.offline, !off ? "" : unsaved() ? t("Offline: your score is not saved yet")
      : m ? t("Offline: reconnecting… Your score {total} (revision {revision}) is saved.",
              {total: m.total, revision: m.revision})
        : t("Offline: reconnecting…"));
    showText(ui.problem, d && d.technical_problem ? (typeof d.technical_problem === "string"
      ? t(d.technical_problem) : t("The clock is paused by a technical problem")) : "");
    showText(ui.error, d && d.error ? t(d.error) : st.error || "");
    paintCheck();
  }

  // The admin's "Please check your score for …": one tap to confirm, or revise below while it is open.
  function paintCheck() {
    const d = st.doc;
    const request = d && d.check_request && d.check_request.at !== st.answered ? d.check_request : null;
    ui.check.hidden = !request || !!st.ended;
    ui.checkText.textContent = request ? request.sentence : "";
    ui.confirm.disabled = ui.revise.disabled = st.answering;
    showText(ui.checkReply, st.checkReply || "");
  }

  async function answerCheck(confirm) {
    const d = st.doc;
    if (!d || !d.check_request || st.answering) return;
    st.answering = true;
    paint();
    let status = 0, body = {};
    try {
      const res = await fetch(data.check, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-Stagescore": "1"},
        body: JSON.stringify({confirm}),
      });
      status = res.status;
      body = await res.json().catch(() => ({}));
    } catch (e) { status = 0; }
    st.answering = false;
    if (status === 200 && body.ok) st.answered = d.check_request.at;
    st.checkReply = status === 200 && body.ok ? body.message
      : body.error || t("Your answer was not sent: check the connection and tap again.");
    paint();
  }

  function paintHead() {
    const d = st.doc;
    const phase = d ? (t(d.phase_label || d.phase) || "") + (d.paused ? " — " + t("paused") : "") : t("Connecting…");
    ui.phase.textContent = d && d.stage ? d.stage.name + " · " + phase : phase;
    ui.performer.textContent = d ? d.performer || d.event_name || "" : "";
    showText(ui.category, d && d.category);
    const timed = d && (d.phase === "PERFORMING" || d.phase === "SCORING");
    ui.clock.hidden = ui.bar.hidden = !timed;
  }

  // Everything but the clock; cheap, so it runs after any change.
  function paint() {
    const d = st.doc;
    root.dataset.open = String(st.open);
    paintBanners();
    paintHead();
    if (!d || !d.phase) return;
    const m = mine();
    const changed = !!(m && m.values && (!sameValues(m.values, typed()) || (m.comment ?? "") !== comment()));
    const line = stateLine(st.open, m, d.phase, changed);
    const closedToo = m && d.phase === "SCORING" && !st.open ? " · " + t("Scoring closed") : "";
    showText(ui.state, line.text + closedToo);
    ui.state.className = "state " + (closedToo ? "closed" : line.kind);
    const showForm = d.phase === "SCORING" && (d.criteria || []).length > 0 && !st.ended && !d.stepped_aside;
    ui.form.hidden = !showForm;
    if (showForm && st.formKey !== key(d)) buildForm();
    const off = !st.open || !!st.ended;
    for (const input of Object.values(st.inputs)) input.disabled = off;
    ui.comment.disabled = off;
    for (const b of ui.fields.querySelectorAll("button")) b.disabled = off;
    ui.submit.disabled = off || st.inflight;
    ui.submit.textContent = st.inflight ? t("Sending…") : t("Submit score");
    showText(ui.info, d.phase === "SCORING" && st.open && !d.stepped_aside ? "" : idleWords(d));
    showText(ui.note, st.note || "");
    const ack = m && st.ack && st.ack.key === key(d) && st.ack.revision === m.revision ? st.ack.text
      : m ? t("Your score for this performer: {total} (revision {revision}).", {total: m.total, revision: m.revision})
        : "";
    showText(ui.ack, d.phase === "SCORING" ? ack : "");
    showText(ui.awake, root.dataset.wakeLock === "on" ? t("The screen stays awake while this page is open.") : "");
    ui.others.hidden = !(d.others && d.others.length);
    if (d.others) othersTable(ui.table, d.others);
  }

  function flash(what) {
    st.fired[what] = true;
    st.flashes += 1;
    root.dataset.flashes = String(st.flashes);
    root.dataset.lastAlert = what;
    ui.head.classList.remove("flash");
    void ui.head.offsetWidth;  // restart the animation
    ui.head.classList.add("flash");
    // Browsers refuse a vibration before the first tap on the page; the flash is for everyone.
    const tapped = !navigator.userActivation || navigator.userActivation.hasBeenActive;
    try { if (navigator.vibrate && tapped) navigator.vibrate(what === "open" ? [120, 60, 120] : [300]); } catch (e) { /* unsupported */ }
  }

  // Runs ten times a second: the countdown, the bar, and the window's own deadline.
  function tick() {
    const d = st.doc;
    if (!d) return;
    const l = left();
    if (st.firedKey !== key(d)) { st.fired = {}; st.firedKey = key(d); }
    st.shown = shownSeconds(l, windowKey(d), st.shown);
    setText(ui.clock, st.shown.value === null ? "—" : t("{seconds} s", {seconds: st.shown.value}));
    setFill(ui.fill, leftFraction(d, l));
    const open = scoringOpen(d, l) && !st.ended;
    const alert = alertDue(st.open, open, l, d.paused, st.fired);
    const changed = open !== st.open;
    st.open = open;
    if (changed) root.dataset.flippedAt = String(Date.now());  // when this screen opened or closed the form
    if (alert) flash(alert);
    if (changed) paint();
  }

  function onDoc(event, at) {  // `at`: when a document the page's HTML received arrived
    const received = at || now();
    const next = JSON.parse(event.data);
    st.offset = nextOffset(st.offset, next.server_time, received, received - st.lastSample);
    st.lastSample = received;
    const first = !st.doc;
    const newWindow = first || key(st.doc) !== key(next);
    st.doc = next;
    // A page opened in the middle of a window does not flash for its opening.
    if (first) st.open = scoringOpen(next, left());
    st.link = "open";
    if (newWindow) { st.error = ""; st.note = ""; st.checkReply = ""; }
    tick();
    paint();
    const p = pendingOf();
    if (p) net.send(p);
  }

  const net = judgeNet({data, root, st, paint, onDoc, pendingOf, setPending, typed, comment, key, online});
  ui.form.addEventListener("submit", (e) => { e.preventDefault(); net.submit(); });
  ui.confirm.addEventListener("click", () => answerCheck(true));
  ui.revise.addEventListener("click", () => answerCheck(false));
  ui.comment.addEventListener("input", () => { keep(COMMENT, ui.comment.value); paint(); });
  paint();
  net.connect();
  net.keepAwake();
  const ticker = setInterval(tick, 100);
  return () => { st.stopped = true; clearInterval(ticker); net.stop(); };
}
