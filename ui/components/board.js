// Live public board: follows /live/public (server-sent events), ticks the countdown locally, renders
// text only (el() and the clock rules: live_core.js). Words come from the document (engine/domain/snapshot.py
// PHASE_LABEL), so the board and the pages say the same.
const MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"};

export default function (component) {
  const { data, parentElement } = component;
  setWords(data.words);
  const locale = document.documentElement.lang || undefined;
  const root = parentElement.querySelector(".board");
  root.classList.toggle("kiosk", !!data.kiosk);
  let doc = null, offset = null, shown = null, ticker = null, lost = false;

  function renderClock() {
    const clock = root.querySelector(".clock");
    const bar = root.querySelector(".bar > div");
    if (!clock) return;
    const left = secondsLeft(doc, offset, Date.now() / 1000);
    shown = shownSeconds(left, windowKey(doc), shown);  // never jumps backwards within a window
    clock.textContent = shown.value === null ? "—" : t("{seconds} s", {seconds: shown.value});
    if (bar) bar.style.width = 100 * leftFraction(doc, left) + "%";
  }

  function podium(cls, placeCls, places) {
    const box = el("div", cls);
    for (const r of places) {
      const place = el("div", placeCls);
      place.dataset.rank = r.rank;
      place.appendChild(el("div", null, (MEDALS[r.rank] || "") + " " + t("Place {rank}", {rank: r.rank})));
      place.appendChild(el("div", "name", r.performer));
      place.appendChild(el("div", "num", r.total));
      box.appendChild(place);
    }
    return box;
  }

  // Next up and later, with expected start times in the viewer's own clock (the server may run in UTC).
  function renderLineup(lineup) {
    if (!lineup || (!lineup.next_up && !(lineup.later || []).length)) return;
    const box = el("div", "lineup");
    const at = (ts) => new Date(ts * 1000).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
    if (lineup.next_up) box.appendChild(el("div", "next-up", t("Next up: {name}", {name: lineup.next_up.performer})));
    for (const s of (lineup.later || []).slice(0, 5)) {
      const later = t("{name} — later (about {time})", {name: s.performer, time: at(s.expected_start)});
      box.appendChild(el("div", "later", later));
    }
    root.appendChild(box);
  }

  function render() {
    root.replaceChildren();
    if (!doc) { root.appendChild(el("div", "phase", t("Connecting…"))); return; }
    // The room's screen shows what the streaming operator picked (the board unless they chose another).
    if (data.kiosk && !doc.error && projectorView(root, doc)) { renderClock(); return; }
    const banner = doc.error ? t(doc.error) : lost ? t("Connection lost, retrying…") : "";
    if (banner) root.appendChild(el("div", "banner", banner));
    if (!doc.phase) return;
    const head = el("div", "head");
    head.appendChild(el("div", "event", (doc.stage ? doc.stage.name + " · " : "") + doc.event_name));
    const who = el("div", "performer", doc.performer || doc.event_name);
    head.appendChild(who);
    head.appendChild(el("div", "phase", t(doc.phase_label) + (doc.paused ? " — " + t("paused") : "")));
    const timed = doc.phase === "PERFORMING" || doc.phase === "SCORING";
    if (timed) head.appendChild(el("div", "clock", "—"));
    root.appendChild(head);
    if (doc.category) root.appendChild(el("div", "category", doc.category));
    // The audience vote: open windows by name; the code itself shows only on the room's screen.
    for (const v of doc.vote || []) {
      root.appendChild(el("div", "vote-open", t("Audience vote open: {title} — vote at {address} with the code on the screen",
        {title: v.for, address: location.host + "/vote"})));
    }
    if (timed) { const bar = el("div", "bar"); bar.appendChild(el("div")); root.appendChild(bar); }
    const several = (doc.categories || []).length > 1;
    if (doc.round && doc.round.number > 1) root.appendChild(el("div", "round", doc.round.name));
    if (doc.results_label) root.appendChild(el("div", "results-label", t(doc.results_label)));
    // The reveal: the place just revealed, large, until all are shown (revealLines, in live_core.js).
    const revealed = doc.revealed || [];
    const lines = revealLines(doc);
    if (lines.length) {
      const box = el("div", "reveal");
      for (const line of lines) box.appendChild(el("div", "revealed-place", line));
      root.appendChild(box);
    }
    const shownNow = new Set(revealed.map((r) => r.rank + "\u0000" + r.performer));
    if (doc.phase !== "FINISHED") renderLineup(doc.lineup);
    if (doc.results_message) {
      root.appendChild(el("h2", "coming", t(doc.results_message)));
    } else if (doc.phase === "FINISHED") {
      root.appendChild(el("h2", null, t("Final results")));
      if (!several || doc.rank_overall) {
        root.appendChild(podium("podium", "place", doc.ranking.filter((r) => r.rank !== null && r.rank <= 3)));
      }
      if (several) {
        for (const p of doc.podiums || []) {
          root.appendChild(el("h3", null, p.category || t("No category")));
          root.appendChild(podium("cat-podium", "cat-place", p.places));
        }
      }
    }
    root.appendChild(el("h2", null, t("Ranking")));
    const held = heldLine(doc);
    if (held) root.appendChild(el("div", "held-back", held));
    const table = el("table", "ranking");
    const head2 = el("tr");
    const deducting = doc.ranking.some((r) => r.deducted);  // the head judge's deductions, once public
    const columns = [t("Rank"), t("Performer"), ...(several ? [t("Category")] : []), t("Total"),
      ...(deducting ? [t("Deducted")] : []), t("Scores in"), t("Status")];
    for (const h of [...columns, ...doc.judge_names]) head2.appendChild(el("th", null, h));
    const thead = el("thead"); thead.appendChild(head2); table.appendChild(thead);
    const body = el("tbody");
    for (const r of doc.ranking) {
      const tr = el("tr", shownNow.has(r.rank + "\u0000" + r.performer) ? "revealed" : r.held ? "held" : null);
      tr.appendChild(el("td", "num rank", r.rank === null ? "—" : r.rank));
      tr.appendChild(el("td", "name", r.performer));
      if (several) tr.appendChild(el("td", null, r.category));
      tr.appendChild(el("td", "num total", r.total));
      if (deducting) tr.appendChild(el("td", "num deducted", r.deducted ? "\u2212" + r.deducted : ""));
      tr.appendChild(el("td", "num", r.held ? "—" : r.scores_in + "/" + r.panel));
      tr.appendChild(el("td", null, r.status ? t(r.status) : r.status));
      for (const j of r.judges || []) tr.appendChild(el("td", "num", j));
      body.appendChild(tr);
    }
    table.appendChild(body);
    root.appendChild(table);
    root.dataset.version = doc.event_id + ":" + doc.version + ":" + doc.ranking.map((r) => r.total).join(",");
    renderClock();
  }

  const unfollow = followStream(data.url, (next, off) => { doc = next; offset = off; lost = false; render(); },
                                () => { if (doc && !lost) { lost = true; render(); } });
  render();
  ticker = setInterval(renderClock, 200);
  return () => { clearInterval(ticker); unfollow(); };
}
