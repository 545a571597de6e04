// The projector's views other than the live board, as the streaming operator picks them
// (doc.on_air.projector, engine/domain/on_air.py): the performer on stage, next up, the podium, or the
// event's name only. Text only (el(), live_core.js); the clock is the board's (its .clock and .bar).
function projectorView(root, doc) {
  const view = doc.on_air && doc.on_air.projector;
  if (!view || view === "board" || !doc.phase) return false;
  root.replaceChildren();
  const box = el("div", "projector projector-" + view);
  box.appendChild(el("div", "event", (doc.stage ? doc.stage.name + " · " : "") + doc.event_name));
  if (view === "on_stage") {
    box.appendChild(el("div", "performer", doc.performer || t(doc.phase_label)));
    if (doc.category) box.appendChild(el("div", "category", doc.category));
    box.appendChild(el("div", "phase", t(doc.phase_label) + (doc.paused ? " — " + t("paused") : "")));
    if (doc.phase === "PERFORMING" || doc.phase === "SCORING") {
      box.appendChild(el("div", "clock", "—"));
      const bar = el("div", "bar"); bar.appendChild(el("div")); box.appendChild(bar);
    }
  } else if (view === "next_up") {
    const next = doc.phase !== "FINISHED" && doc.lineup ? doc.lineup.next_up : null;
    box.appendChild(el("div", "phase", t("Next up")));
    box.appendChild(el("div", "performer", next ? next.performer : "—"));
    if (next && next.category) box.appendChild(el("div", "category", next.category));
  } else if (view === "podium") {
    const places = doc.phase === "FINISHED" ? doc.podium || [] : [];
    box.appendChild(el("div", "phase", doc.results_message ? t(doc.results_message) : places.length ? (doc.results_label ? t(doc.results_label) : t("Results"))
      : t("The podium after the last performance")));
    for (const r of doc.results_message ? [] : places) {
      const place = el("div", "projector-place");
      place.dataset.rank = r.rank;
      place.append(el("span", "rank", r.rank), el("span", "name", r.performer), el("span", "num", r.total));
      box.appendChild(place);
    }
  } else {
    box.classList.add("title-only");
  }
  root.appendChild(box);
  root.dataset.version = "projector:" + view + ":" + doc.event_id + ":" + doc.version;
  return true;
}
