// The judge screen's DOM: built once, then updated in place so typing, focus and the caret survive
// every push. Text goes in with textContent only (el() in live_core.js).

const PHONE_WORDS = {
  PERFORMING: () => t("Watch the performance: scoring opens when it ends."),
  FINISHED: () => t("The event has finished. Thank you!"),
};

function judgeSkeleton(root) {
  const [parts, add] = skeleton(root);
  add("ended", el("div", "banner ended"));
  add("offline", el("div", "banner offline"));
  add("problem", el("div", "banner problem"));
  const check = add("check", el("div", "banner check"));
  add("checkText", el("p", "check-text"), check);
  const answers = el("div", "check-answers");
  check.appendChild(answers);
  add("confirm", el("button", "tap confirm", t("My score is right")), answers);
  add("revise", el("button", "tap revise", t("I will revise it")), answers);
  add("checkReply", el("div", "check-reply"));
  const head = add("head", el("header", "head"));
  const top = el("div", "top");
  head.appendChild(top);
  add("phase", el("span", "phase", t("Connecting…")), top);
  add("clock", el("span", "clock", ""), top);
  add("performer", el("h2", "performer", ""), head);
  add("category", el("div", "category", ""), head);
  const bar = add("bar", el("div", "bar"), head);
  add("fill", el("div"), bar);
  add("state", el("div", "state"));
  add("info", el("p", "info"));
  const form = add("form", el("form", "score"));
  form.noValidate = true;
  add("fields", el("div", "fields"), form);
  const note = el("label", "comment-label", t("Comment (optional)"));
  const comment = add("comment", el("textarea", "comment"), note);
  comment.maxLength = 500;
  comment.rows = 2;
  comment.setAttribute("aria-label", t("Comment (optional)"));
  form.appendChild(note);
  const submit = add("submit", el("button", "submit", t("Submit score")), form);
  submit.type = "submit";
  add("note", el("div", "note"), form);
  add("ack", el("div", "ack"));
  add("error", el("div", "error"));
  const others = add("others", el("section", "others"));
  others.appendChild(el("h3", null, t("Scores so far")));
  others.appendChild(el("p", "hint", t("Other judges' scores appear for a performer once you have scored them.")));
  add("table", el("table", "so-far"), others);
  add("awake", el("div", "awake"));
  for (const b of [parts.confirm, parts.revise]) b.type = "button";
  // A screen reader hears what changes without being asked: the phase, where the judge stands, the
  // answers and the problems; the clock is not read out as it ticks.
  parts.phase.setAttribute("aria-live", "polite");
  for (const name of ["state", "info", "ack", "note", "checkReply"]) parts[name].setAttribute("role", "status");
  for (const name of ["ended", "offline", "problem", "error", "checkText"]) parts[name].setAttribute("role", "alert");
  for (const name of ["ended", "offline", "problem", "check", "others"]) parts[name].hidden = true;
  return parts;
}

// One criterion: a big field between − and + buttons; returns the input.
function criterionField(c, onStep) {
  const wrap = el("div", "criterion");
  const label = el("label", null, c.name);
  label.appendChild(el("span", "range", " " + t("{min}–{max}, step {step}", {min: c.min, max: c.max, step: c.step})));
  const row = el("div", "stepper");
  const minus = el("button", "step minus", "−");
  const plus = el("button", "step plus", "+");
  const input = el("input", "value");
  input.type = "text";
  input.inputMode = "decimal";
  input.autocomplete = "off";
  input.name = c.name;
  input.setAttribute("aria-label", `${c.name} (${c.min} to ${c.max}, step ${c.step})`);
  minus.type = plus.type = "button";
  minus.setAttribute("aria-label", `${c.name} down one step`);
  plus.setAttribute("aria-label", `${c.name} up one step`);
  minus.addEventListener("click", () => onStep(c, input, -1));
  plus.addEventListener("click", () => onStep(c, input, 1));
  row.append(minus, input, plus);
  wrap.append(label, row);
  return {wrap, input, buttons: [minus, plus]};
}

function othersTable(table, others) {
  table.replaceChildren();
  const judges = [];
  for (const row of others) for (const s of row.scores) if (!judges.includes(s.judge)) judges.push(s.judge);
  const you = judges.indexOf("You");
  if (you > 0) { judges.splice(you, 1); judges.unshift("You"); }
  const head = el("tr");
  head.appendChild(el("th", null, t("Performer")));
  for (const j of judges) head.appendChild(el("th", "num", j === "You" ? t("You") : j));
  const thead = el("thead");
  thead.appendChild(head);
  const body = el("tbody");
  for (const row of others) {
    const tr = el("tr");
    tr.appendChild(el("td", "name", row.performer));
    const by = Object.fromEntries(row.scores.map((s) => [s.judge, s.total]));
    for (const j of judges) tr.appendChild(el("td", "num", by[j] === undefined ? "" : by[j]));
    body.appendChild(tr);
  }
  table.append(thead, body);
}

// The words for a phase in which there is no form.
function idleWords(doc) {
  if (!doc.phase) return "";
  if (doc.stepped_aside && (doc.phase === "PERFORMING" || doc.phase === "SCORING")) {
    return t("You stepped aside for this performer.");
  }
  if (doc.phase === "SETUP" || doc.phase === "LOBBY") {
    if (doc.present === undefined) return t("Waiting for the event to start.");
    return t("Waiting for the event to start ({present} of {required} judges here).",
      {present: doc.present, required: doc.required});
  }
  if (doc.phase === "SCORING") return t("Scoring for this performer has closed.");
  return PHONE_WORDS[doc.phase] ? PHONE_WORDS[doc.phase]() : "";
}

function showText(node, text) {
  node.textContent = text || "";
  node.hidden = !text;
}
