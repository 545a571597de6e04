"""Invariants checked from the database and the event log after an event.

Shared by the integration and the fault tests."""

from __future__ import annotations

from decimal import Decimal

from engine.domain import eventlog
from engine.domain.model import Phase, Score
from engine.domain.snapshot import compute_results
from engine.service.core import Service
from engine.store import Store

TIMER_KINDS = {"scoring_opened", "scoring_closed"}


def state_changes(store: Store, event_id: str) -> list[tuple[float, str, dict]]:
    entries, _ = store.log.entries(event_id)
    out = [(e.ts, e.kind, e.payload()) for e in entries if "version" in e.payload()]
    return sorted(out, key=lambda x: x[2]["version"])


def check_event(store: Store, event_id: str, acknowledged: dict | None = None) -> list[str]:
    """Problems found (empty: every invariant holds).

    acknowledged: {(performer_id, judge): (total, revision)} of scores the clients were told were accepted."""
    problems: list[str] = []
    entries, heads = store.log.entries(event_id)
    problems += eventlog.verify(entries, heads)
    state = store.events.state(event_id)
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
            problems.append(
                f"{kind} at version {d['version']} happened at {ts}, not at its deadline {prev_deadline}"
            )
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
    if (
        seen_perform
        and state.phase is Phase.FINISHED
        and seen_perform != list(state.order[: len(seen_perform)])
    ):
        problems.append(f"performers went on out of order: {seen_perform}")
    # Run by the clock alone (no skip, no early finish): every performer performed and was scored, once,
    # and every timer window lasted exactly the configured time.
    by_clock = not any(k in ("skipped", "finished", "extended", "paused", "resumed") for _, k, _ in changes)
    if state.phase is Phase.FINISHED and by_clock:
        if seen_perform != list(state.order) or seen_score != list(state.order):
            problems.append(
                f"not every performer performed and was scored once, in order: performed {seen_perform}, "
                f"scored {seen_score}, order {list(state.order)}"
            )
    bundle = store.events.load(event_id)
    if bundle is not None and by_clock:
        lengths = {
            Phase.PERFORMING.value: bundle.settings.perform_seconds,
            Phase.SCORING.value: bundle.settings.score_seconds,
        }
        for ts, kind, d in changes:
            want = lengths.get(d["phase"])
            if want is not None and d.get("deadline") is not None and abs(d["deadline"] - ts - want) > 1e-3:
                problems.append(
                    f"{kind} at version {d['version']} opened a {d['deadline'] - ts:.3f} s window, "
                    f"not {want} s"
                )
    # Every accepted score arrived inside its window; every acknowledged score is stored.
    windows = {d["window_id"]: (ts, d) for ts, _, d in changes if d["phase"] == Phase.SCORING.value}
    closes = {}
    for ts, _kind, d in changes:
        for wid in windows:
            if d["window_id"] > wid and wid not in closes:
                closes[wid] = ts
    stored = {(s.performer_id, s.judge): s for s in store.scores.list(event_id, consistent=True)}
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
        elif s.revision == revision and s.total != total:
            problems.append(f"acknowledged score {key} rev {revision} is stored as {s.total}, not {total}")
    return problems


def scoring_windows(store: Store, event_id: str) -> dict[str, tuple[float, float, float]]:
    """performer_id -> (when the opening was written, scheduled opening, close) of its scoring window.

    The close is the window's last deadline, or the next state change if that came first. Windows that
    were ever paused are left out (a paused window stays open with no deadline)."""
    changes = state_changes(store, event_id)
    out: dict[str, tuple[float, float, float]] = {}
    for i, (ts, kind, d) in enumerate(changes):
        if kind != "scoring_opened":
            continue
        wid, close, paused = d["window_id"], d["deadline"], False
        for ts2, _k2, d2 in changes[i + 1 :]:
            if d2["window_id"] != wid:
                close = min(close, ts2)
                break
            paused = paused or d2.get("paused", False)
            if d2.get("deadline") is not None:
                close = d2["deadline"]
        if not paused:
            out[d["performer_id"]] = (d.get("written_at", ts), ts, close)
    return out


def check_refusals(
    store: Store, event_id: str, attempts, open_slack: float = 0.3, skew: float = 0.005
) -> list[str]:
    """Judges' submissions against the log.

    attempts: objects with judge, performer_id, request_id, t0, t1 (wall clock around the call) and
    outcome: "ack" | "refused" | "transient" (Conflict, DatabaseUnavailable: neither accepted nor refused),
    and maybe window_id (the window the request named, as POST /live/score sends it).
    - an acknowledged request is in the log; a refused one is not (a refusal must mean "not counted");
    - every refusal came while its window was closed: before the opening was committed (at most
      `open_slack` after the engine stamped it: the write's latency) or at/after the close, give or
      take `skew` for reading clocks. A request naming another window than its performer's scoring
      window (a screen still showing the performance) is refused whenever it comes."""
    problems: list[str] = []
    entries, _ = store.log.entries(event_id)
    logged = {
        e.payload().get("request_id") for e in entries if e.kind in ("score_submitted", "score_revised")
    }
    windows = scoring_windows(store, event_id)
    scoring_ids = {
        d["performer_id"]: d["window_id"]
        for _, k, d in state_changes(store, event_id)
        if k == "scoring_opened"
    }
    for a in attempts:
        if a.outcome == "ack" and a.request_id not in logged:
            problems.append(
                f"acknowledged request {a.request_id} of {a.judge} for {a.performer_id} is not in the log"
            )
        if a.outcome != "refused":
            continue
        if a.request_id in logged:
            problems.append(
                f"a refused request {a.request_id} of {a.judge} for {a.performer_id} was stored and counts"
            )
        w = windows.get(a.performer_id)
        named = getattr(a, "window_id", None)
        if w is None or (named is not None and named != scoring_ids.get(a.performer_id)):
            continue
        written, _scheduled, close = w
        if a.t0 >= written + open_slack and a.t1 <= close - skew:
            problems.append(
                f"{a.judge}'s score for {a.performer_id} was refused ({a.message!r}) during "
                f"[{a.t0:.3f}, {a.t1:.3f}], inside its open window [{written:.3f}, {close:.3f}]"
            )
    return problems


def check_sessions(store: Store, event_id: str, attempts, ended: dict[str, tuple[float, float]]) -> list[str]:
    """A session scores only while it lives: `ended` maps a judge to (logout began, logout returned).

    - no score of that judge in the log was committed after the logout returned, none acknowledged to a
      request sent after it;
    - "ended" (401: log in again) is the answer of ended sessions only: a live session that heard it was
      refused by mistake."""
    problems: list[str] = []
    entries, _ = store.log.entries(event_id)
    for e in entries:
        if e.kind in ("score_submitted", "score_revised") and e.actor in ended and e.ts >= ended[e.actor][1]:
            problems.append(
                f"{e.actor} scored {e.payload()['performer_id']} at {e.ts:.3f}, after their session ended "
                f"at {ended[e.actor][1]:.3f}"
            )
    for a in attempts:
        if a.outcome == "ack" and a.judge in ended and a.t0 >= ended[a.judge][1]:
            problems.append(f"{a.judge}'s request {a.request_id} was acknowledged after their session ended")
        if a.outcome == "ended" and (a.judge not in ended or a.t1 < ended[a.judge][0]):
            problems.append(f"{a.judge}'s live session was refused as ended ({a.message!r})")
    return problems


def results_from_log(store: Store, event_id: str) -> list[str]:
    """Final results must equal a recomputation from the log's score entries (latest revision per judge)."""
    problems = []
    entries, _ = store.log.entries(event_id)
    latest: dict[tuple[str, str], tuple[int, Decimal, float, int]] = {}
    for e in entries:
        if e.kind not in ("score_submitted", "score_revised"):
            continue
        d = e.payload()
        key = (d["performer_id"], e.actor)
        if key not in latest or latest[key][0] < d["revision"]:
            latest[key] = (d["revision"], Decimal(d["total"]), e.ts, d["window_id"])
    stored = {
        (s.performer_id, s.judge): (s.revision, s.total) for s in store.scores.list(event_id, consistent=True)
    }
    from_log = {k: (v[0], v[1]) for k, v in latest.items()}
    if stored != from_log:
        problems.append(f"stored scores differ from the log's latest revisions: db={stored} log={from_log}")
    svc = Service(store)
    snap = svc.snapshot(event_id)
    scores = [
        Score(event_id, pid, judge, {"Score": total}, total, rev, ts, ts, wid)
        for (pid, judge), (rev, total, ts, wid) in latest.items()
    ]
    recomputed = compute_results(snap.settings, snap.performers, scores, snap.judges)
    got = [(r.performer_id, r.total, r.rank) for r in snap.results]
    want = [(r.performer_id, r.total, r.rank) for r in recomputed]
    if got != want:
        problems.append(f"results differ from a recomputation from the log: results={got} log={want}")
    return problems


def writers(store: Store, event_id: str) -> list[tuple[int, str | None, float]]:
    """(version, engine that wrote it, written_at) of every state change, in version order."""
    entries, _ = store.log.entries(event_id)
    out = []
    for e in entries:
        d = e.payload()
        if "version" in d:
            out.append((d["version"], d.get("lease_owner"), d.get("written_at", e.ts)))
    return sorted(out)


def lost_acks(store: Store, event_id: str, judges) -> list:
    """Acknowledged submissions the database no longer has (by request id: a lost revision may since
    have been reused by a later submission)."""
    entries, _ = store.log.entries(event_id)
    logged = {
        e.payload().get("request_id") for e in entries if e.kind in ("score_submitted", "score_revised")
    }
    return [a for a in judges.attempts if a.outcome == "ack" and a.request_id not in logged]
