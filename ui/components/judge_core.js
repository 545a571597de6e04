// The judge screen's rules, pure (no DOM, no network): tests/e2e/test_screen_rules.py runs them.
// Numbers are handled as integers of the step's smallest unit, never as binary fractions.

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

function placesOf(text) {
  const s = String(text);
  const dot = s.indexOf(".");
  return dot < 0 ? 0 : s.length - dot - 1;
}

// "7.25" at 2 places -> 725; null when it is not a plain number or has more places.
function toUnits(text, places) {
  const s = String(text).trim();
  if (!NUMBER.test(s) || placesOf(s) > places) return null;
  const neg = s.startsWith("-");
  const [whole, frac = ""] = s.replace(/^[+-]/, "").split(".");
  const units = Number(whole || "0") * 10 ** places + Number((frac + "0".repeat(places)).slice(0, places) || "0");
  return neg ? -units : units;
}

function fromUnits(units, places) {
  const neg = units < 0;
  const digits = String(Math.abs(units)).padStart(places + 1, "0");
  const text = places ? digits.slice(0, -places) + "." + digits.slice(-places) : digits;
  return (neg ? "-" : "") + text;
}

// Criteria come as strings {name, min, max, step}; everything is compared at the finest places.
function gridOf(c) {
  const places = Math.max(placesOf(c.min), placesOf(c.max), placesOf(c.step));
  return {places, min: toUnits(c.min, places), max: toUnits(c.max, places), step: toUnits(c.step, places)};
}

function allowed(c) {
  const g = gridOf(c);
  return g.step > 0 ? t("a number from {min} to {max} in steps of {step}", {min: c.min, max: c.max, step: c.step})
    : t("a number from {min} to {max}", {min: c.min, max: c.max});
}

// null when `text` is a score the server will take for criterion `c`, else the sentence saying why not.
function checkValue(text, c) {
  if (text === null || text === undefined || String(text).trim() === "") {
    return t("Enter a value for every criterion before submitting.");
  }
  const g = gridOf(c);
  const v = toUnits(text, g.places);
  const ok = v !== null && v >= g.min && v <= g.max && (g.step <= 0 || (v - g.min) % g.step === 0);
  return ok ? null : t("{name} must be {allowed}.", {name: c.name, allowed: allowed(c)});
}

// The value after one tap on + (dir 1) or − (dir -1): on the grid, within min and max.
// An empty or unreadable field starts from the middle of the range, so a few taps reach any score.
function stepped(text, c, dir) {
  const g = gridOf(c);
  const step = g.step > 0 ? g.step : 1;
  let v = text === null || text === undefined || String(text).trim() === "" ? null : toUnits(text, g.places);
  if (v === null) {
    const mid = g.min + Math.round((g.max - g.min) / 2 / step) * step;
    return fromUnits(mid, g.places);
  }
  const off = (v - g.min) % step;
  if (off !== 0) v = dir > 0 ? v - off + step : v - off;  // snap onto the grid in the tap's direction
  else v += dir * step;
  return fromUnits(Math.max(g.min, Math.min(g.max, v)), g.places);
}

// Where a typed value is kept, per event, window and criterion (and judge, for a shared device).
function draftKey(who, eventId, windowId, criterion) {
  return ["stagescore", "draft", who, eventId, windowId, criterion].map(String).join("|");
}

function pendingKey(who, eventId, windowId) {
  return ["stagescore", "pending", who, eventId, windowId].map(String).join("|");
}

// Is the form open at this moment? The server's word as of its document, and the deadline on this
// browser's corrected clock, so the window closes on screen at its deadline without a push. Never for a
// judge who stepped aside for the performer on stage.
function scoringOpen(doc, left) {
  if (!doc || doc.phase !== "SCORING" || !doc.scoring_open || doc.stepped_aside) return false;
  return !!doc.paused || (left !== null && left > 0);
}

// Whether two sets of typed values say the same: "7.50" is "7.5", as the server stores it.
function sameValues(a, b) {
  const ka = Object.keys(a || {}), kb = Object.keys(b || {});
  if (ka.length !== kb.length) return false;
  return ka.every((k) => {
    const x = String(a[k]).trim(), y = String((b || {})[k] ?? "").trim();
    return x === y || (NUMBER.test(x) && NUMBER.test(y) && Number(x) === Number(y));
  });
}

// The one line that says where this judge stands for the performer on stage.
// `changed`: the fields no longer hold the submitted values (a revision typed but not sent).
function stateLine(open, mine, phase, changed) {
  if (mine && open && changed) {
    const text = t("Submitted: {total} (revision {revision}) · your change is not sent yet",
      {total: mine.total, revision: mine.revision});
    return {kind: "changed", text};
  }
  if (mine) {
    return {kind: "submitted", text: t("Submitted: {total} (revision {revision})", {total: mine.total, revision: mine.revision})};
  }
  if (phase === "SCORING" && !open) return {kind: "closed", text: t("Scoring closed")};
  if (phase === "SCORING") return {kind: "todo", text: t("Not submitted yet")};
  return {kind: "idle", text: ""};
}

// Which alert is due now: "open" when the window has just opened, "closing" once at 5 s before its
// deadline; `fired` holds what this window already had.
function alertDue(wasOpen, open, left, paused, fired) {
  if (open && !wasOpen && !fired.open) return "open";
  if (open && !paused && left !== null && left <= 5 && left > 0 && !fired.closing) return "closing";
  return null;
}

// What the judge reads after an answer to POST /live/score.
function ackText(answer) {
  const base = t("Your score for this performer: {total} (revision {revision}).",
    {total: answer.total, revision: answer.revision});
  return answer.replayed
    ? base + " " + t("Saved (your earlier submit had reached the server; nothing was added twice).")
    : base + " " + t("Saved. You can revise it until scoring closes.");
}

// Whether a failed POST may be retried with the same request id: no answer, or a server that said
// "try again"; a sentence from the server (bad value, window closed) is final.
function retryable(status) {
  return status === 0 || status === 502 || status === 503 || status === 504;
}
