// The admin desk's live part: follows /live/admin (server-sent events) and draws the status, the
// countdown, the panel (present / submitted / help), the engine's health. It tells the page which
// event, window and version it shows (state "seen"), so a command acts on what the admin looked at
// and a command's message goes when the state moves on. Text only (el() in live_core.js).

function deskSkeleton(root) {
  const [p, add] = skeleton(root);
  add("banner", el("div", "banner"));
  add("engine", el("div", "engine bad"));
  add("engineLine", el("div", "engine"));
  add("meta", el("div", "meta", t("Connecting…")));
  const head = add("head", el("div", "head"));
  add("performer", el("h2", "performer"), head);
  const phase = el("div", "cell");
  phase.appendChild(el("div", "label", t("Phase")));
  add("phase", el("div", "big phase"), phase);
  const clock = el("div", "cell");
  clock.appendChild(el("div", "label", t("Seconds left")));
  add("clock", el("div", "big clock", "—"), clock);
  head.append(phase, clock);
  add("category", el("div", "category"));
  add("fill", el("div"), add("bar", el("div", "bar")));
  const counts = add("counts", el("div", "counts"));
  add("present", el("div", "count"), counts);
  add("scores", el("div", "count"), counts);
  add("help", el("div", "help"));
  add("table", el("table", "judges"));
  add("missing", el("div", "missing"));
  // Read out when they change: a problem at once, the phase and a judge's call for help politely.
  for (const name of ["banner", "engine"]) p[name].setAttribute("role", "alert");
  p.phase.setAttribute("aria-live", "polite");
  p.help.setAttribute("role", "status");
  return p;
}

function countBox(node, label, value) {
  node.replaceChildren(el("div", "label", label), el("div", "big", value));
}

function judgesTable(table, doc, nowServer) {
  const cols = [t("Judge"), t("Email"), t("Present"), t("Submitted (on stage)"), t("Help")];
  const tr = el("tr");
  for (const c of cols) tr.appendChild(el("th", null, c));
  const thead = el("thead");
  thead.appendChild(tr);
  const body = el("tbody");
  for (const j of doc.judges || []) {
    const row = el("tr");
    row.dataset.email = j.email;
    const ago = j.help_since === null || j.help_since === undefined ? ""
      : t("{n} s ago", {n: Math.max(0, Math.floor(nowServer - j.help_since))});
    const yes = t("yes"), no = t("no");
    const given = j.submitted ? yes : j.stepped_aside ? t("stepped aside") : no;
    const cells = [j.name, j.email, j.present ? yes : no, doc.performer_id || doc.performer ? given : "", ago];
    cells.forEach((text, i) => {
      const td = el("td", i === 2 ? (j.present ? "yes" : "no") : null, text);
      row.appendChild(td);
    });
    body.appendChild(row);
  }
  table.replaceChildren(thead, body);
}

// Which judge is missing which criterion for which performer (the one being scored first, then those whose
// scoring has closed), and who stepped aside for them: engine/views/missing.py.
function missingList(node, report) {
  const lines = (report && report.lines) || [];
  node.hidden = !lines.length;
  if (!lines.length) { node.replaceChildren(); return; }
  const list = el("ul");
  for (const m of lines) {
    const parts = [];
    if (m.missing.length) parts.push(t("missing: {names}", {names: m.missing.join(", ")}));
    if (m.stepped_aside.length) parts.push(t("stepped aside: {names}", {names: m.stepped_aside.join(", ")}));
    const row = el("li", null, `${m.criterion ? m.performer + " · " + m.criterion : m.performer} — ${parts.join("; ")}`);
    row.dataset.performer = m.performer;
    list.appendChild(row);
  }
  const left = report.count - lines.length;
  node.replaceChildren(el("h3", null, t("Missing scores")), list);
  if (left > 0) node.appendChild(el("p", null, t("and {n} more", {n: left})));
}

// A part of the engine line: [template, blanks]; a blank that is a list of parts is said and joined.
function said([template, blanks]) {
  const filled = {};
  for (const [k, v] of Object.entries(blanks || {})) filled[k] = Array.isArray(v) ? v.map(said).join(", ") : v;
  return t(template, filled);
}

export default function (component) {
  const {data, parentElement, setStateValue} = component;
  setWords(data.words);
  const root = parentElement.querySelector(".desk");
  const ui = deskSkeleton(root);
  let doc = null, offset = null, shown = null, lost = false, seen = "";

  const serverNow = () => Date.now() / 1000 + (offset || 0);

  function paint() {
    const banner = doc && doc.error ? t(doc.error) : lost ? t("Connection lost, retrying…") : "";
    ui.banner.textContent = banner;
    ui.banner.hidden = !banner;
    if (!doc) return;
    const engine = doc.engine || {};
    const problem = engine.engine_problem ? t(engine.engine_problem)
      : engine.engine_healthy === false ? t("The timer engine is not healthy.") : "";
    // The red sentence when nothing will move the event on by itself; below it, which engine holds the
    // lease, its host, the standbys, the last lateness and the database latency (engine_line).
    ui.engine.textContent = problem;
    ui.engine.hidden = !problem;
    const line = doc.engine_parts ? doc.engine_parts.map(said).join(" · ") : doc.engine_line || (engine.engine_owner ? t("Timer engine: running ({owner})", {owner: engine.engine_owner}) : "");
    ui.engineLine.textContent = data.engine === false ? "" : line;
    ui.engineLine.hidden = !ui.engineLine.textContent;
    const about = t("event {event} · version {version}", {event: doc.event_id, version: doc.version});
    ui.meta.textContent = `${doc.stage ? doc.stage.name + " · " : ""}${doc.event_name} · ${about}`;
    ui.performer.textContent = doc.performer || doc.event_name || "";
    ui.phase.textContent = (t(doc.phase_label || doc.phase) || "") + (doc.paused ? " — " + t("paused") : "");
    ui.category.textContent = doc.category || "";
    ui.category.hidden = !doc.category;
    countBox(ui.present, t("Judges present"), t("{present} / {required} required", {present: doc.present, required: doc.required}));
    const onStage = !!doc.performer;
    ui.scores.hidden = !onStage;
    if (onStage) countBox(ui.scores, t("Scores in for this performer"), `${doc.scores_in} / ${doc.panel}`);
    const flags = doc.flags || [];
    ui.help.textContent = flags.length ? t("A judge is asking for help: {names}", {names: flags.join(", ")}) : "";
    ui.help.hidden = !flags.length;
    judgesTable(ui.table, doc, serverNow());
    missingList(ui.missing, doc.missing);
    tick();
  }

  function tick() {
    if (!doc) return;
    const left = secondsLeft(doc, offset, Date.now() / 1000);
    shown = shownSeconds(left, windowKey(doc), shown);
    setText(ui.clock, shown.value === null ? "—" : String(shown.value));
    if (ui.bar.hidden !== (shown.value === null)) ui.bar.hidden = shown.value === null;
    setFill(ui.fill, leftFraction(doc, left));
  }

  // Report what is on screen; the page re-runs once for it (a new window or version, not a tick).
  function report() {
    const now = {event_id: doc.event_id, window_id: doc.window_id, version: doc.version, phase: doc.phase};
    const text = JSON.stringify(now);
    if (text !== seen) { seen = text; root.dataset.reportedAt = String(Date.now()); setStateValue("seen", now); }
  }

  function onDoc(next, off) {
    doc = next;
    offset = off;
    lost = false;
    root.dataset.version = String(doc.version);
    paint();
    report();
  }

  const unfollow = followStream(data.url, onDoc, () => { if (!lost) { lost = true; paint(); } });
  const ticker = setInterval(tick, 200);
  // The help column counts seconds: redraw it once a second.
  const slow = setInterval(() => { if (doc && (doc.flags || []).length) judgesTable(ui.table, doc, serverNow()); }, 1000);
  return () => { clearInterval(ticker); clearInterval(slow); unfollow(); };
}
