// The overlays (/overlay/<element>): follow the state feed (/api/v1/state/stream: the board's public
// document as engine/views/on_air.py projects it), show an element when its `showing` says so, tick the
// countdown locally (live_core.js) and render text only (el(), textContent: never markup).
(function () {
  setWords(/*WORDS*/{});  // the page's language's words (ui/onair/overlays.py), {} in English
  const PAGES = {
    "lower-third": ["lower_third"], "score-card": ["score_card"], "podium": ["podium"],
    "next-up": ["next_up"], "all": ["lower_third", "score_card", "podium", "next_up"],
  };
  const KEYS = {green: "#00ff00", blue: "#0000ff"};
  const HEX = /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})$/;
  const FONT = /^[A-Za-z0-9 _-]{1,60}$/;
  const query = new URLSearchParams(location.search);
  const page = location.pathname.split("/").filter(Boolean).pop();
  const wanted = PAGES[page] || [];
  const parts = {};
  for (const id of ["lower_third", "score_card", "podium", "next_up"]) {
    parts[id] = document.getElementById(id);
    parts[id].classList.toggle("wanted", wanted.includes(id));
  }
  theme();

  // ?key=green|blue, ?font=, ?color=, ?accent=, ?panel= (hex, # optional), ?scale= (0.25 to 4): each
  // checked against its pattern before it reaches a style, so a query can only pick, never inject.
  function theme() {
    const root = document.documentElement.style;
    const key = KEYS[query.get("key")];
    if (key) { document.documentElement.style.background = key; document.body.style.background = key; }
    const font = query.get("font");
    if (font && FONT.test(font)) root.setProperty("--font", `"${font}", system-ui, sans-serif`);
    for (const [name, variable] of [["color", "--text"], ["accent", "--accent"], ["panel", "--panel"]]) {
      const value = query.get(name);
      if (value && HEX.test(value)) root.setProperty(variable, "#" + value.replace("#", ""));
    }
    const scale = parseFloat(query.get("scale"));
    if (scale >= 0.25 && scale <= 4) root.setProperty("--scale", String(scale));
  }

  // ?seconds=N: the score card stays N seconds after a new card arrives (0 or none: while it is public).
  const hold = Math.max(0, Math.min(3600, parseInt(query.get("seconds") || "0", 10) || 0));
  let doc = null, offset = null, shown = null, card = {key: "", since: 0};

  function text(part, cls, value) {
    const node = parts[part].querySelector("." + cls);
    if (node && node.textContent !== String(value ?? "")) node.textContent = value ?? "";
  }

  function mmss(seconds) {
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function clock() {
    if (!doc) return;
    const left = doc.performer ? secondsLeft(doc, offset, Date.now() / 1000) : null;
    shown = shownSeconds(left, windowKey(doc), shown);
    text("lower_third", "clock", shown.value === null ? "" : mmss(shown.value));
    parts.lower_third.classList.toggle("untimed", shown.value === null);
    setFill(parts.lower_third.querySelector(".bar > div"), leftFraction(doc, left));
    const cardOn = doc.showing.score_card && (!hold || Date.now() / 1000 - card.since < hold);
    show("score_card", cardOn);
  }

  function show(id, on) {
    if (parts[id].dataset.shown === (on ? "1" : "0")) return;  // the clock asks 5 times a second
    parts[id].classList.toggle("shown", !!on);
    parts[id].dataset.shown = on ? "1" : "0";
  }

  function render() {
    const p = doc.performer;
    text("lower_third", "name", p ? p.name : "");
    text("lower_third", "category", p ? p.category : "");
    text("lower_third", "phase", t(doc.phase_label) + (doc.paused ? " " + t("(paused)") : ""));
    const c = doc.score_card;
    const key = c ? c.performer + "\u0000" + c.total : "";
    if (key !== card.key) card = {key, since: Date.now() / 1000};
    if (c) {
      text("score_card", "name", c.performer);
      text("score_card", "category", c.category);
      text("score_card", "total", c.total);
      text("score_card", "rank", c.rank === null ? "" : t("Rank {rank}", {rank: c.rank}));
      const judges = parts.score_card.querySelector(".judges");
      judges.replaceChildren(...c.judges.map((j) => el("span", null, j.judge + " " + j.score)));
    }
    const podiums = parts.podium.querySelector(".podiums");
    podiums.replaceChildren();
    for (const pod of doc.podiums) {
      if (pod.category) podiums.appendChild(el("div", "category", pod.category));
      for (const r of pod.places) {
        const row = el("div", "place");
        row.dataset.rank = r.rank;
        row.append(el("span", "badge", r.rank), el("span", "name", r.performer), el("span", "total", r.total));
        podiums.appendChild(row);
      }
    }
    const n = doc.next_up;
    text("next_up", "name", n ? n.performer : "");
    text("next_up", "category", n ? n.category : "");
    const at = n && n.expected_start
      ? t("about {time}", {time: new Date(n.expected_start * 1000).toLocaleTimeString(
      document.documentElement.lang + "-u-nu-latn", {hour: "2-digit", minute: "2-digit", hourCycle: "h23"})})
      : "";
    text("next_up", "at", at);
    for (const id of ["lower_third", "podium", "next_up"]) show(id, doc.showing[id]);
    document.body.dataset.phase = doc.phase;
    document.body.dataset.version = doc.version + ":" + (doc.performer ? doc.performer.name : "");
    clock();
  }

  const stage = query.get("stage");
  const url = "../api/v1/state/stream" + (stage ? "?stage=" + encodeURIComponent(stage) : "");
  // A lost connection changes nothing on air: the last state stays (and its countdown runs) until the
  // stream is back; an overlay never shows an error to the audience.
  followStream(url, (next, off) => { if (next.phase) { doc = next; offset = off; render(); } }, () => {});
  setInterval(clock, 200);
})();
