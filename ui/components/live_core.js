// Shared by the live components (judge screen, admin desk, board): text-only DOM building and the clock.
// Pure functions only: tests/e2e/test_screen_rules.py runs them in Chromium without a server.

// Words in the reader's language: a component's data carries the catalogue's translations of the messages
// its scripts ask for with t() (ui/i18n.py, script_messages); without one, the message is the English.
let WORDS = {};
function setWords(words) { WORDS = words || {}; }
function t(message, blanks) {
  const said = WORDS[message] || message;
  return blanks ? said.replace(/\{(\w+)\}/g, (m, k) => (k in blanks ? String(blanks[k]) : m)) : said;
}

// An address or a code isolated left to right (LRI … PDI), so that a right-to-left sentence keeps its order.
const ltr = (text) => "\u2066" + text + "\u2069";

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);  // text, never markup
  return e;
}

// Writes of a ticking clock that change something only: a countdown ticks 5-10 times a second, and a
// write of the same text or width would lay out and paint the page each time (a phone's battery, a
// projector PC). The bar moves in steps of 0.1 % with no CSS transition: a transition longer than the
// tick kept the page painting 60 frames a second for as long as it was open.
function setText(e, text) {
  if (e && e.textContent !== text) e.textContent = text;
}
function setFill(e, fraction) {
  if (!e) return;
  const width = Math.round(1000 * Math.max(0, Math.min(1, fraction || 0))) / 10 + "%";
  if (e.style.width !== width) e.style.width = width;
}

// A sample (server_time - received) is the true offset minus the latency, so the largest sample is the
// best bound; it decays slowly so a server clock that is set back is followed within minutes.
function nextOffset(offset, serverTime, receivedAt, sinceLastSeconds) {
  if (typeof serverTime !== "number") return offset;
  const sample = serverTime - receivedAt;
  if (offset === null || offset === undefined) return sample;
  return Math.max(offset - 0.001 * Math.max(0, sinceLastSeconds || 0), sample);
}

// Seconds left in the window at `nowSeconds` (this browser's clock), or null when nothing is timed.
function secondsLeft(doc, offset, nowSeconds) {
  if (!doc) return null;
  if (doc.paused) return doc.remaining_seconds === undefined ? null : doc.remaining_seconds;
  if (doc.deadline === null || doc.deadline === undefined) return null;
  return Math.max(0, doc.deadline - (nowSeconds + (offset || 0)));
}

// The window a countdown belongs to: a pause, a resume or an extension is a new version, so only those
// may make it go up; a fresher sample or a rounding at the edge never does.
function windowKey(doc) {
  return doc ? doc.event_id + ":" + doc.window_id + ":" + doc.version : "";
}

function shownSeconds(left, key, last) {
  if (left === null || left === undefined) return {key, value: null};
  let whole = Math.ceil(left - 1e-9);
  if (last && last.key === key && last.value !== null) whole = Math.min(whole, last.value);
  return {key, value: Math.max(0, whole)};
}

// Fraction of the window still left (1 at its start, 0 at its deadline).
function leftFraction(doc, left) {
  if (!doc || left === null || !doc.window_started_at || !doc.deadline) return 0;
  const total = doc.deadline - doc.window_started_at;
  return total > 0 ? Math.max(0, Math.min(1, left / total)) : 0;
}

// The board's reveal (after sign-off, last place first): the lines of the place just revealed, until every
// place is shown. With several categories ranked apart a place is one category's ("Place 2 in Dance").
function revealLines(doc) {
  const revealed = (doc && doc.revealed) || [];
  if (!revealed.length || doc.reveal_complete) return [];
  const apart = (doc.categories || []).length > 1 && !doc.rank_overall;
  const latest = revealed[revealed.length - 1];
  const same = (r) => r.rank === latest.rank && (!apart || r.category === latest.category);
  const line = (r) => apart
    ? t("Place {rank} in {category}: {performer} — {total}",
        {rank: r.rank, category: r.category || t("No category"), performer: r.performer, total: r.total})
    : t("Place {rank}: {performer} — {total}", {rank: r.rank, performer: r.performer, total: r.total});
  return revealed.filter(same).map(line);
}

// The performer being scored: the public document holds back their scores until the window closes
// (engine/domain/publicity.py); the board says so instead of showing an empty total as if nobody had scored.
function heldLine(doc) {
  return doc && doc.held_back ? t("{name}: scores after the scoring window closes", {name: doc.held_back}) : "";
}
