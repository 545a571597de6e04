// Live public board: follows /live/public (server-sent events), ticks the countdown locally, renders
// text only (el() and the clock rules: live_core.js). Words come from the document (engine/domain/snapshot.py
// PHASE_LABEL), so the board and the pages say the same.
// A podium place is said in words ("1st"), in a medal's colour: no emoji font needed, nor colour to read it.
const placeWord = (n) => n === 1 ? t("1st") : n === 2 ? t("2nd") : n === 3 ? t("3rd") : t("Place {rank}", {rank: n});

// The board's one entry: Streamlit's component (board.py) exports it; the crowd's plain page (ui/board/)
// calls it with the same data.
function liveBoard(component) {
  const { data, parentElement } = component;
  setWords(data.words);
  const locale = document.documentElement.lang || undefined;
  const root = parentElement.querySelector(".board");
  root.classList.toggle("kiosk", !!data.kiosk);
  root.classList.toggle("theme-projector", data.theme === "projector");
  let doc = null, offset = null, shown = null, ticker = null, lost = false;
  let blocks = [], pages = [new Set()], page = 0;  // the kiosk's pages (board_pages.js)
  const pager = el("div", "pager");

  function renderClock() {
    const clock = root.querySelector(".clock");
    const bar = root.querySelector(".bar > div");
    if (!clock) return;
    const left = secondsLeft(doc, offset, Date.now() / 1000);
    shown = shownSeconds(left, windowKey(doc), shown);  // never jumps backwards within a window
    setText(clock, shown.value === null ? "—" : t("{seconds} s", {seconds: shown.value}));
    setFill(bar, leftFraction(doc, left));
  }

  function podium(cls, placeCls, places) {
    const box = el("div", cls);
    for (const r of places) {
      const place = el("div", placeCls);
      place.dataset.rank = r.rank;
      place.appendChild(el("div", "medal m" + r.rank, placeWord(r.rank)));
      place.appendChild(el("div", "name", r.performer));
      place.appendChild(el("div", "num", r.total));
      box.appendChild(place);
    }
    return box;
  }

  // Next up and later, with expected start times in the viewer's own clock (the server may run in UTC).
  function lineupBlock(lineup) {
    if (!lineup || (!lineup.next_up && !(lineup.later || []).length)) return null;
    const box = el("div", "lineup");
    const at = (ts) => new Date(ts * 1000).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
    if (lineup.next_up) box.appendChild(el("div", "next-up", t("Next up: {name}", {name: lineup.next_up.performer})));
    for (const s of (lineup.later || []).slice(0, data.kiosk ? 3 : 5)) {
      const later = t("{name} — later (about {time})", {name: s.performer, time: at(s.expected_start)});
      box.appendChild(el("div", "later", later));
    }
    return block("", box);
  }

  function render() {
    root.replaceChildren();
    blocks = [];
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
        {title: v.for, address: ltr(location.host + "/vote")})));
    }
    if (timed) { const bar = el("div", "bar"); bar.appendChild(el("div")); root.appendChild(bar); }
    const several = (doc.categories || []).length > 1;
    if (doc.round && doc.round.number > 1) root.appendChild(el("div", "round", doc.round.name));
    // The results' state in words that match it ("Provisional results", "Official results"); at the end it
    // heads the results themselves, never under a "Final results" of its own.
    const finished = doc.phase === "FINISHED";
    if (doc.results_label || finished) {
      root.appendChild(el(finished ? "h2" : "div", "results-label", doc.results_label ? t(doc.results_label) : t("Results")));
    }
    // The reveal: the place just revealed, large, until all are shown (revealLines, in live_core.js).
    const revealed = doc.revealed || [];
    const lines = revealLines(doc);
    if (lines.length) {
      const box = el("div", "reveal");
      for (const line of lines) box.appendChild(el("div", "revealed-place", line));
      root.appendChild(box);
    }
    const shownNow = new Set(revealed.map((r) => r.rank + "\u0000" + r.performer));
    if (!finished) blocks.push(lineupBlock(doc.lineup));
    if (doc.results_message) {
      blocks.push(block("", el("h2", "coming", t(doc.results_message))));
    } else if (finished) {
      if (!several || doc.rank_overall) {
        blocks.push(block("", podium("podium", "place", doc.ranking.filter((r) => r.rank !== null && r.rank <= 3))));
      }
      if (several) {
        for (const p of doc.podiums || []) {
          blocks.push(block("cat-block", el("h3", null, p.category || t("No category")),
            podium("cat-podium", "cat-place", p.places)));
        }
      }
    }
    const held = heldLine(doc);
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
    blocks.push(block("ranking-block", el("h2", null, t("Ranking")), held ? el("div", "held-back", held) : null, table));
    blocks = blocks.filter(Boolean);
    root.dataset.phase = doc.phase;
    root.dataset.version = doc.event_id + ":" + doc.version + ":" + doc.ranking.map((r) => r.total).join(",");
    if (data.kiosk) {
      pages = sharePages(root, blocks, pager);
      page = page % pages.length;
      showPage(blocks, pages, page, pager);
      root.dataset.pages = String(pages.length);
      root.dataset.fit = innerWidth + "x" + innerHeight;  // the screen these pages were shared out for
    } else {
      for (const b of blocks) root.appendChild(b);
    }
    renderClock();
  }

  const unfollow = followStream(data.url, (next, off) => { doc = next; offset = off; lost = false; render(); },
                                () => { if (doc && !lost) { lost = true; render(); } });
  render();
  ticker = setInterval(renderClock, 200);
  // The kiosk's pages take turns.
  const turner = data.kiosk ? setInterval(() => {
    if (pages.length < 2) return;
    page = (page + 1) % pages.length;
    showPage(blocks, pages, page, pager);
  }, PAGE_SECONDS * 1000) : null;
  // A new size of screen, or of the board's column as the page settles, shares the pages out again.
  let width = 0;
  const resized = new ResizeObserver(() => {
    if (root.clientWidth === width && root.dataset.fit === innerWidth + "x" + innerHeight) return;
    width = root.clientWidth;
    render();
  });
  if (data.kiosk) resized.observe(root);
  const onWindow = () => render();
  if (data.kiosk) window.addEventListener("resize", onWindow);
  return () => {
    clearInterval(ticker);
    if (turner) clearInterval(turner);
    resized.disconnect();
    window.removeEventListener("resize", onWindow);
    unfollow();
  };
}
