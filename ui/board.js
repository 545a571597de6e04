// Live public board: polls the published JSON, ticks the countdown locally, renders text only.
// Words come from the document (engine/snapshot.py PHASE_LABEL), so the board and the pages say the same.
const MEDALS = {1: "🥇", 2: "🥈", 3: "🥉"};

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

export default function (component) {
  const { data, parentElement } = component;
  const root = parentElement.querySelector(".board");
  root.classList.toggle("kiosk", !!data.kiosk);
  let doc = null, offset = null, shown = {}, timer = null, ticker = null, stopped = false;

  function secondsLeft() {
    if (!doc) return null;
    if (doc.paused) return doc.remaining_seconds;
    if (doc.deadline === null || doc.deadline === undefined) return null;
    const now = Date.now() / 1000 + (offset || 0);
    return Math.max(0, doc.deadline - now);
  }

  function renderClock() {
    const clock = root.querySelector(".clock");
    const bar = root.querySelector(".bar > div");
    if (!clock) return;
    const left = secondsLeft();
    if (left === null) { clock.textContent = "—"; if (bar) bar.style.width = "0%"; return; }
    let whole = Math.ceil(left - 1e-9);
    const key = doc.event_id + ":" + doc.window_id + ":" + doc.version;
    if (shown.key === key) whole = Math.min(whole, shown.value);  // never jumps backwards
    shown = {key, value: whole};
    clock.textContent = whole + " s";
    if (bar && doc.window_started_at && doc.deadline) {
      const total = doc.deadline - doc.window_started_at;
      bar.style.width = total > 0 ? Math.max(0, Math.min(100, 100 * left / total)) + "%" : "0%";
    }
  }

  function render() {
    root.replaceChildren();
    if (!doc) { root.appendChild(el("div", "phase", "Connecting…")); return; }
    if (doc.error) root.appendChild(el("div", "banner", doc.error));
    if (!doc.phase) return;
    const head = el("div", "head");
    head.appendChild(el("div", "event", doc.event_name));
    const who = el("div", "performer", doc.performer || doc.event_name);
    head.appendChild(who);
    head.appendChild(el("div", "phase", doc.phase_label + (doc.paused ? " — paused" : "")));
    const timed = doc.phase === "PERFORMING" || doc.phase === "SCORING";
    if (timed) head.appendChild(el("div", "clock", "—"));
    root.appendChild(head);
    if (doc.category) root.appendChild(el("div", "category", doc.category));
    if (timed) { const bar = el("div", "bar"); bar.appendChild(el("div")); root.appendChild(bar); }
    if (doc.phase === "FINISHED") {
      root.appendChild(el("h2", null, "Final results"));
      const podium = el("div", "podium");
      for (const r of doc.ranking.filter((r) => r.rank !== null && r.rank <= 3)) {
        const place = el("div", "place");
        place.dataset.rank = r.rank;
        place.appendChild(el("div", null, (MEDALS[r.rank] || "") + " Place " + r.rank));
        place.appendChild(el("div", "name", r.performer));
        place.appendChild(el("div", "num", r.total));
        podium.appendChild(place);
      }
      root.appendChild(podium);
    }
    root.appendChild(el("h2", null, "Ranking"));
    const table = el("table", "ranking");
    const head2 = el("tr");
    for (const h of ["Rank", "Performer", "Total", "Scores in", "Status", ...doc.judge_names]) head2.appendChild(el("th", null, h));
    const thead = el("thead"); thead.appendChild(head2); table.appendChild(thead);
    const body = el("tbody");
    for (const r of doc.ranking) {
      const tr = el("tr");
      tr.appendChild(el("td", "num rank", r.rank === null ? "—" : r.rank));
      tr.appendChild(el("td", "name", r.performer));
      tr.appendChild(el("td", "num total", r.total));
      tr.appendChild(el("td", "num", r.scores_in + "/" + r.panel));
      tr.appendChild(el("td", null, r.status));
      for (const j of r.judges || []) tr.appendChild(el("td", "num", j));
      body.appendChild(tr);
    }
    table.appendChild(body);
    root.appendChild(table);
    root.dataset.version = doc.event_id + ":" + doc.version + ":" + doc.ranking.map((r) => r.total).join(",");
    renderClock();
  }

  async function poll() {
    if (stopped) return;
    try {
      const sent = Date.now() / 1000;
      const res = await fetch(data.url + "?t=" + Date.now(), {cache: "no-store"});
      const received = Date.now() / 1000;
      if (res.ok) {
        const next = await res.json();
        // The freshest sample bounds the clock offset best: written_at <= server time at receipt.
        const sample = next.written_at - received;
        offset = offset === null ? sample : Math.max(offset - 0.001 * (received - sent), sample);
        const changed = !doc || JSON.stringify({...doc, written_at: 0, remaining_seconds: 0}) !==
                                JSON.stringify({...next, written_at: 0, remaining_seconds: 0});
        doc = next;
        if (changed) render();
      }
    } catch (e) {
      if (doc && !doc.error) { doc = {...doc, error: "Connection lost, retrying…"}; render(); }
    }
    if (!stopped) timer = setTimeout(poll, data.poll_ms);
  }

  render();
  poll();
  ticker = setInterval(renderClock, 200);
  return () => { stopped = true; clearTimeout(timer); clearInterval(ticker); };
}
