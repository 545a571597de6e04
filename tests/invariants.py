"""Invariants checked from the database and the event log after an event (shared by integration and fault tests)."""

from __future__ import annotations

from engine import eventlog
from engine.model import Phase
from engine.store import Store

TIMER_KINDS = {"scoring_opened", "scoring_closed"}


def state_changes(store: Store, event_id: str) -> list[tuple[float, str, dict]]:
    entries, _ = store.log_entries(event_id)
    out = [(e.ts, e.kind, e.payload()) for e in entries if "version" in e.payload()]
    return sorted(out, key=lambda x: x[2]["version"])


def check_event(store: Store, event_id: str, acknowledged: dict | None = None) -> list[str]:
    """Problems found (empty: every invariant holds).

    acknowledged: {(performer_id, judge): (total, revision)} of scores the clients were told were accepted."""
    problems: list[str] = []
    entries, heads = store.log_entries(event_id)
    problems += eventlog.verify(entries, heads)
    state = store.load_state(event_id)
    changes = state_changes(store, event_id)
    versions = [c[2]["version"] for c in changes]
    if versions != list(range(1, state.version + 1)):
        problems.append(f"state versions in the log are not 1..{state.version} exactly once: {versions}")
    # Phases: windows strictly increase and each performer gets PERFORMING before SCORING, once each.
    seen_perform, seen_score = [], []
    last_window = 0
    prev_deadline = None
    for ts, kind, d in changes:
        if d.get("window_id", 0) < last_window:
            problems.append(f"window id went backwards at version {d['version']}")
        last_window = d.get("window_id", 0)
        if kind in TIMER_KINDS and prev_deadline is not None and abs(ts - prev_deadline) > 1e-3:
            problems.append(f"{kind} at version {d['version']} happened at {ts}, not at its deadline {prev_deadline}")
        if d["phase"] == Phase.PERFORMING.value and kind not in ("extended", "paused", "resumed"):
            if d["performer_id"] in seen_perform:
                problems.append(f"{d['performer_id']} performed twice")
            seen_perform.append(d["performer_id"])
        if d["phase"] == Phase.SCORING.value and kind == "scoring_opened":
            if d["performer_id"] in seen_score:
                problems.append(f"{d['performer_id']} was scored in two windows")
            if not seen_perform or seen_perform[-1] != d["performer_id"]:
                problems.append(f"{d['performer_id']} was scored without performing first")
            seen_score.append(d["performer_id"])
        prev_deadline = d.get("deadline")
    if seen_perform and state.phase is Phase.FINISHED and seen_perform != list(state.order[: len(seen_perform)]):
        problems.append(f"performers went on out of order: {seen_perform}")
    # Every accepted score arrived inside its window; every acknowledged score is stored.
    windows = {d["window_id"]: (ts, d) for ts, _, d in changes if d["phase"] == Phase.SCORING.value}
    closes = {}
    for ts, _kind, d in changes:
        for wid, (_, wd) in windows.items():
            if d["window_id"] > wid and wid not in closes:
                closes[wid] = ts
    stored = {(s.performer_id, s.judge): s for s in store.list_scores(event_id, consistent=True)}
    for e in entries:
        if e.kind not in ("score_submitted", "score_revised"):
            continue
        d = e.payload()
        wid = d["window_id"]
        if wid not in windows:
            problems.append(f"a score was accepted for window {wid}, which never opened for scoring")
            continue
        opened, wd = windows[wid]
        if e.ts < opened or (wid in closes and e.ts > closes[wid]):
            problems.append(f"a score for {d['performer_id']} was accepted outside its window")
    for key, (total, revision) in (acknowledged or {}).items():
        s = stored.get(key)
        if s is None or s.revision < revision:
            problems.append(f"acknowledged score {key} rev {revision} is missing")
    return problems
