"""bench/festival.py's live part: a festival running on one engine process and one web server process.

S stages (default 4), each an event (perform 3 s, score 6 s) with a panel of J judges (default 9) who
score every window over HTTP as their screens do (bench/drivers/live.py's ScoringJudge: the judge's own
/live/judge stream and POST /live/score, each judge at its own moment of the window; with Chromium, one
judge of each panel is a real judge screen instead), and V board viewers (default 2,000) spread evenly over
the stages' boards, each a phone as bench/drivers/phones.py does it (the crowd's board /leaderboard?stage=ID,
a plain page, and its /live/public?stage=ID stream, read for as long as it stays).

Doors first: the phones arrive at random moments within --arrive-within seconds while every stage is set
up but not started (the judges' screens open), as an audience comes in before the show; the arrival is
measured and reported (page load and ready: arrival → the board's first document, the board being a
plain page), not counted in the targets. Then every stage starts (together: their deadlines coincide, the
worst case for one engine and one web server; or --start staggered) and for --measure seconds, per stage:

- committed transition vs deadline: each scoring_opened / scoring_closed log entry's written_at minus the
  deadline it was due at (bench/clock.py's measure);
- window flip: a judge stream's first document of a new (window, phase) minus the window's scheduled
  start (= the previous deadline), every simulated judge, every window (bench/judges.py's measure);
- score acknowledged: the POST /live/score round trip;
- a new score on the stage's admin desk: acknowledgement → the first /live/admin?stage=ID document that
  counts it (bench/judges.py's and bench/hall.py's "new score on the board");
- a new score on the stage's public board: the public board holds the scores of the performer being
  scored back until the engine writes the step that closes their window (engine/domain/publicity.py), so a
  score can first be shown then. Per viewer and per closed window: from the moment the scores may be shown
  (the closing step's written_at, or the window's last acknowledgement if later) to the viewer's first
  document of that version or later showing at least every score committed before the close. Beside it,
  informative: how long each score was held back (acknowledged → its window closed), and the whole of it,
  each score's acknowledgement → each viewer's first document showing it (held back + delivered).
"""

from __future__ import annotations

import asyncio
import math
import os
import pickle
import threading
import time
from dataclasses import dataclass
from decimal import Decimal

import psutil

from bench import events, report
from bench.drivers.crowd import Crowd
from bench.drivers.live import ScoringJudge, StreamClient
from bench.drivers.pool import client_cpu
from bench.stack import BenchStack
from engine.domain import accounts
from engine.domain.model import Account, Role
from ui.cookies import SESSION

KINDS = ("scoring_opened", "scoring_closed")
ONE_ADDRESS = {"STAGESCORE_MAX_CONNECTIONS_PER_ADDRESS": "20000"}  # every phone comes from 127.0.0.1
RAW = report.LOGS / "festival-live-raw.pickle"  # the latest run's observations
SPREAD = (0.2, 0.8)  # the judges' moments in a window (bench/drivers/judges.py's ScoreDriver)


@dataclass
class Sizes:
    stages: int = 4
    judges: int = 9
    viewers: int = 2000
    arrive_within: float = 300.0
    measure: float = 180.0
    perform: float = 3.0
    score: float = 6.0
    chromium: bool = True
    start: str = "together"
    profile_server: bool = False


@dataclass
class Stored:
    judge: str
    performer_id: str
    first_submitted_at: float


@dataclass
class Festival:
    ids: list[str]
    panels: dict[str, list[str]]
    tokens: dict[str, str]
    admin: str
    event_ids: dict[str, str]


def seed(stack: BenchStack, z: Sizes) -> Festival:
    svc = stack.service()
    emails = events.add_judges(svc, z.stages * z.judges)
    svc.store.accounts.put(
        Account("admin@bench.local", "Admin", Role.ADMIN, Decimal(1)), accounts.hash_password(events.PASSWORD)
    )
    performers = math.ceil(z.measure / (z.perform + z.score)) + 3
    ids, panels, event_ids = [], {}, {}
    for k in range(z.stages):
        sid = f"s{k + 1}"
        svc.stages.add(None, f"Stage {k + 1}", sid)
        panels[sid] = emails[k * z.judges : (k + 1) * z.judges]
        for e in panels[sid]:
            svc.stages.assign(None, e, sid)
        state = events.create_event(svc.on(sid), performers, z.perform, z.score, auto_start=False)
        ids.append(sid)
        event_ids[sid] = state.event_id
    tokens = events.login_all(svc, [*emails, "admin@bench.local"])
    return Festival(ids, panels, tokens, tokens["admin@bench.local"], event_ids)


def cookie_name(stack: BenchStack) -> str:
    return "".join(ch for ch in stack.prefix if ch.isalnum() or ch in "-_") + SESSION


def _fraction(i: int, n: int) -> float:
    lo, hi = SPREAD
    return lo + (hi - lo) * (i + 0.5) / n


def _window_of(stream: StreamClient):
    def now():
        d = stream.last
        if d and d.get("phase") == "SCORING" and d.get("deadline"):
            return d["window_id"], d["window_started_at"], d["deadline"]
        return None

    return now


async def _in_thread(fn, *args):
    """fn(*args) in a daemon thread: a SIGTERM (a killed `make`) is not held up by a long wait there, as
    asyncio.run's own executor would be (it joins its threads on the way out)."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def go() -> None:
        try:
            result = fn(*args)
        except BaseException as e:  # handed to the awaiting task
            loop.call_soon_threadsafe(done.set_exception, e)
        else:
            loop.call_soon_threadsafe(done.set_result, result)

    threading.Thread(target=go, daemon=True).start()
    return await done


async def run(stack: BenchStack, fest: Festival, z: Sizes, files: list[str], engine_pid: int) -> dict:
    """Doors, then the measured festival; the raw observations for `analyse`."""
    host, port = "127.0.0.1", stack.port
    name = cookie_name(stack)
    svc = stack.service()
    admins = {
        s: StreamClient(host, port, f"/live/admin?stage={s}", f"{name}={fest.admin}", keep=_admin_keep)
        for s in fest.ids
    }
    tasks = [asyncio.create_task(c.run()) for c in admins.values()]
    real = {s: fest.panels[s][-1] for s in fest.ids} if z.chromium else {}
    judges = {
        s: [
            ScoringJudge(
                host, port, e, f"{name}={fest.tokens[e]}", _fraction(i, z.judges), seed=hash(e) % 1000
            )
            for i, e in enumerate(fest.panels[s])
            if e != real.get(s)
        ]
        for s in fest.ids
    }
    for js in judges.values():
        for j in js:
            await j.start()
    screens, pw, browser = {}, None, None
    if z.chromium:
        from playwright.async_api import async_playwright

        from bench.festival_browser import StageScreens, launch

        pw = await async_playwright().start()
        browser = await launch(pw)
        for s in fest.ids:
            e = real[s]
            screens[s] = StageScreens(
                browser, stack.url, s, (name, fest.tokens[e], e), _fraction(z.judges - 1, z.judges)
            )
            await screens[s].open()
            screens[s].start_scoring(_window_of(admins[s]))
    report.say(f"doors: {z.viewers} phones within {z.arrive_within:g} s over {len(fest.ids)} boards")
    load_doors = os.getloadavg()
    c0, w0 = client_cpu([stack.web.pid]), time.monotonic()
    crowd = Crowd(stack.url, files, z.viewers, z.arrive_within, stages=fest.ids, follow=True)
    in_count = await _in_thread(crowd.wait_in, z.arrive_within + 2400)
    arrival = {"seconds": round(time.monotonic() - w0, 1), "in": in_count,
               "web_cpu_seconds": round(client_cpu([stack.web.pid]) - c0, 1)}  # fmt: skip
    await asyncio.sleep(5)
    report.say(f"{in_count} phones in after {arrival['seconds']} s; the stages start ({z.start})")
    procs = {"web": [stack.web.pid], "engine": [engine_pid], "crowd": crowd.pids()}
    procs["dynamodb"] = [stack.db.pid]
    procs["bench"] = [os.getpid()]  # the judges' clients and the streams' readers
    cpu0 = {k: client_cpu(v) for k, v in procs.items()}
    machine0, load0 = psutil.cpu_times(), os.getloadavg()
    t0 = time.time()
    cycle = z.perform + z.score
    for k, s in enumerate(fest.ids):
        if z.start == "staggered":
            await asyncio.sleep(max(0.0, t0 + k * cycle / len(fest.ids) - time.time()))
        await _in_thread(events.start_event, svc.on(s))
    await asyncio.sleep(max(0.0, t0 + z.measure - time.time()))
    t1 = time.time()
    cpu1 = {k: client_cpu(v) for k, v in procs.items()}
    machine1, load1 = psutil.cpu_times(), os.getloadavg()
    busy = (
        sum(machine1) - sum(machine0) - (machine1.idle - machine0.idle) - (machine1.iowait - machine0.iowait)
    )
    cores = {k: round((cpu1[k] - cpu0[k]) / (t1 - t0), 3) for k in procs}
    cores["machine"] = round(busy / (t1 - t0), 3)
    chromium = {}
    for s, sc in screens.items():
        sc.stop()
        chromium[s] = {"board": await sc.observations(), "judge": sc.windows, "errors": sc.errors}
        if not sc.windows:
            sc.errors.append(f"the judge screen scored no window; it shows {await sc.state()}")
    if browser is not None:
        await browser.close()
        await pw.stop()
    for js in judges.values():
        for j in js:
            j.stop()
    for c in admins.values():
        c.close()
    for t in tasks:
        t.cancel()
    phones = await _in_thread(crowd.leave, 300)
    return {
        "t0": t0, "t1": t1, "arrival": arrival, "phones": phones, "cores": cores,
        "load": {"doors_open": load_doors, "measure_start": load0, "measure_end": load1},
        "judges": {s: [(j.email, j.stream.docs, j.acks, j.skipped, j.errors) for j in js]
                   for s, js in judges.items()},
        "admin": {s: c.docs for s, c in admins.items()},
        "chromium": chromium,
    }  # fmt: skip


def _admin_keep(doc: dict) -> dict:
    return {k: doc.get(k) for k in ("phase", "window_id", "scores_in")}


def _flips(docs: list[tuple[float, dict]], t0: float, t1: float) -> tuple[list[float], list[float]]:
    """(every new window's flip, the scoring windows' opening flips) of one judge stream in [t0, t1]:
    the first document of a new (window, phase) minus the window's scheduled start."""
    every, opening, seen = [], [], set()
    for t, d in docs:
        key = (d.get("window_id"), d.get("phase"))
        started = d.get("window_started_at")
        if not started or key in seen or d.get("paused"):
            continue
        fresh = bool(seen)
        seen.add(key)
        if fresh and t0 <= started <= t1:
            every.append(t - started)
            if d.get("phase") == "SCORING":
                opening.append(t - started)
    return every, opening


def release_times(entries: list[dict], scores: list, ok: list[dict], t1: float) -> list[tuple]:
    """The public board: each closed window's scores may be shown once its closing step is written and its
    last score acknowledged. (may be shown from, closing version, scores committed before it, window) for
    each `scoring_closed` entry written by t1 - 2."""
    last_ack: dict[int, float] = {}
    for a in ok:
        last_ack[a["window_id"]] = max(last_ack.get(a["window_id"], 0.0), a["acked"])
    out = []
    for e in entries:
        if e["kind"] != "scoring_closed" or e["written_at"] > t1 - 2:
            continue
        window = e["window_id"] - 1  # the closing step opens the next performer's window
        released = max(e["written_at"], last_ack.get(window, 0.0))
        need = sum(1 for sc in scores if sc.first_submitted_at < e["written_at"])
        out.append((released, e["version"], need, window))
    return out


def _on_board(seen, releases: list[tuple[float, int, int]]) -> tuple[list[float], int]:
    """For one board (its observations (t, version, scores shown)) and each release (may be shown from,
    closing version, scores committed before it): seconds until the board showed it; and how many it
    never showed. Releases before the board's first observation are skipped (it was not there yet)."""
    out, missed = [], 0
    if not seen:
        return out, missed
    for released, version, need in releases:
        if released < seen[0][0]:
            continue
        hit = next((t for t, v, n in seen if v >= version and n >= need), None)
        if hit is None:
            missed += 1
        else:
            out.append(max(0.0, hit - released))
    return out, missed


def _each_release(seen, releases) -> list[float | None]:
    """When the board first showed each release (None: before the board was there, or never)."""
    out = []
    for released, version, need in releases:
        hit = None
        if seen and released >= seen[0][0]:
            hit = next((t for t, v, n in seen if v >= version and n >= need), None)
        out.append(hit)
    return out


def _stage(s: str, raw: dict) -> dict:
    t0, t1 = raw["t0"], raw["t1"]
    entries = [e for e in raw["db"][s]["entries"] if e["ts"] <= t1]
    flips, opening, acks, skipped, errors = [], [], [], 0, []
    for _, docs, judge_acks, judge_skipped, judge_errors in raw["judges"][s]:
        every, opened = _flips(docs, t0, t1)
        flips += every
        opening += opened
        acks += judge_acks
        skipped += judge_skipped
        errors += judge_errors
    ok = [a for a in acks if a["status"] == 200]
    scores = raw["db"][s]["scores"]
    # The desk counts the scores of the performer on stage: a judge's score is the k-th by commit time.
    by_performer: dict[str, list] = {}
    for sc in scores:
        by_performer.setdefault(sc.performer_id, []).append(sc)
    rank = {}
    for pid, group in by_performer.items():
        for k, sc in enumerate(sorted(group, key=lambda x: x.first_submitted_at), start=1):
            rank[(sc.judge, pid)] = k
    desk, desk_missed = [], 0
    admin = raw["admin"][s]
    for a in ok:
        k = rank.get((a["judge"], a["performer_id"]))
        shown = (
            t
            for t, d in admin
            if t >= a["sent"] and d["window_id"] == a["window_id"] and (d["scores_in"] or 0) >= k
        )
        hit = next(shown, None) if k else None
        if hit is None:
            desk_missed += 1
        else:
            desk.append(max(0.0, hit - a["acked"]))
    closed = release_times(entries, scores, ok, t1)
    acked_before = {r[0]: [a["acked"] for a in ok if a["window_id"] == r[3]] for r in closed}
    held = [released - t for released, acked in acked_before.items() for t in acked]
    releases = [r[:3] for r in closed]
    phones = [p for p in raw["phones"] if p["stage"] == s and p["error"] is None]
    board, board_missed, ack_to_board = [], 0, []
    for p in phones:
        lat, missed = _on_board(p["seen"], releases)
        board += lat
        board_missed += missed
        for (released, _, _), shown in zip(releases, _each_release(p["seen"], releases), strict=True):
            if shown is not None:
                ack_to_board += [shown - a for a in acked_before.get(released, [])]
    figures = {
        "viewers": len(phones),
        "transitions": len(entries),
        "lateness": report.ms_summary([e["written_at"] - e["ts"] for e in entries]),
        "flip": report.ms_summary(flips),
        "flip_opening": report.ms_summary(opening),
        "ack": report.ms_summary([a["seconds"] for a in ok]),
        "scores_acknowledged": len(ok),
        "scores_refused_or_failed": len(acks)
        - len(ok)
        + len([e for e in errors if not e.startswith("HTTP")]),
        "scores_skipped_late": skipped,
        "score_errors": sorted(set(errors))[:5],
        "scores_stored": len(scores),
        "desk": report.ms_summary(desk),
        "desk_never_shown": desk_missed,
        "windows_released": len(releases),
        "board": report.ms_summary(board),
        "board_never_shown": board_missed,
        "held_back": report.ms_summary(held),
        "ack_to_board": report.ms_summary(ack_to_board),
    }
    chromium = raw["chromium"].get(s)
    if chromium:
        lat, missed = _on_board(chromium["board"], releases)
        judged = [w for w in chromium["judge"] if w["window_id"] is not None and t0 <= w["started"] <= t1]
        figures["chromium"] = {
            "board": report.ms_summary(lat),
            "board_never_shown": missed,
            "flip_opening": report.ms_summary(
                [w["flipped_at"] - w["started"] for w in judged if w["flipped_at"]]
            ),
            "ack": report.ms_summary([w["ack"] for w in judged]),
            "errors": chromium["errors"][:3],
        }
    return figures


def _arrival(raw: dict, z: Sizes) -> dict:
    phones = raw["phones"]
    ok = [p for p in phones if p["error"] is None]
    return {
        "phones": len(phones),
        "within_s": z.arrive_within,
        **raw["arrival"],
        "failed": len(phones) - len(ok),
        "failures": sorted({p["error"] for p in phones if p["error"]})[:5],
        "error_pages_reloaded": sum(p.get("error_pages", 0) for p in phones),
        "page_load": report.ms_summary([p["page_load"] for p in ok]),
        "ready": report.ms_summary([p["ready"] for p in ok]),
        "per_stage": {s: sum(1 for p in ok if p["stage"] == s) for s in sorted({p["stage"] for p in phones})},
    }


def stored(svc, fest: Festival) -> dict:
    """What the database holds of each stage's run: its transitions' log entries and its scores."""
    return {
        s: {
            "entries": events.transitions(svc, eid, KINDS),
            "scores": [
                Stored(x.judge, x.performer_id, x.first_submitted_at)
                for x in svc.store.scores.list(eid, consistent=True)
            ],
        }
        for s, eid in fest.event_ids.items()
    }


def analyse(z: Sizes, raw: dict) -> dict:
    return {
        "sizes": {k: getattr(z, k) for k in z.__dataclass_fields__},
        "measured_seconds": round(raw["t1"] - raw["t0"], 1),
        "doors": _arrival(raw, z),
        "cores_busy_while_measured": raw["cores"],
        "load_avg": {k: [round(x, 2) for x in v] for k, v in raw["load"].items()},
        "stages": {s: _stage(s, raw) for s in raw["db"]},
    }


LIMITS = {"lateness": ("p99_ms", 50), "flip": ("p95_ms", 250), "ack": ("p95_ms", 300),
          "desk": ("p95_ms", 500), "board": ("p95_ms", 500)}  # fmt: skip
WORDS = {
    "lateness": "committed transition vs deadline p99 <= 50 ms",
    "flip": "window flip on judge screens p95 <= 250 ms",
    "ack": "score acknowledged p95 <= 300 ms",
    "desk": "a new score on the stage's admin desk p95 <= 500 ms",
    "board": "a new score on the stage's public board (from its window's close) p95 <= 500 ms",
}


def targets(live: dict) -> dict[str, dict]:
    """One target per measure: its worst stage's value, met only if every stage meets it; and no score
    lost, no viewer that never saw a released score."""
    out = {}
    z = live["sizes"]
    where = f" ({z['stages']} stages x {z['judges']} judges, {z['viewers']} viewers)"
    for key, (stat, limit) in LIMITS.items():
        values = [st[key][stat] for st in live["stages"].values()]
        worst = None if None in values else max(values)
        out[f"live_{key}"] = report.target(
            f"every stage: {WORDS[key]}{where}", worst, worst is not None and worst <= limit
        )
    lost = sum(st["scores_refused_or_failed"] + st["board_never_shown"] for st in live["stages"].values())
    out["live_lost"] = report.target(
        "no score refused or failed, no released score unseen on a board", lost, lost == 0
    )
    return out


def print_tables(live: dict) -> None:
    d = live["doors"]
    report.print_table(
        f"Doors: {d['phones']} phones arriving within {d['within_s']:g} s on the boards, before the shows",
        ["in", "failed", "error pages", "took s", "load p50", "load p95", "ready p50", "ready p95", "CPU s"],
        [[d["in"], d["failed"], d["error_pages_reloaded"], d["seconds"], d["page_load"]["p50_ms"],
          d["page_load"]["p95_ms"], d["ready"]["p50_ms"], d["ready"]["p95_ms"], d["web_cpu_seconds"]]],
    )  # fmt: skip
    rows = []
    for s, st in live["stages"].items():
        c = st.get("chromium", {})
        rows.append([
            s, st["viewers"], st["transitions"], st["lateness"]["p99_ms"], st["flip"]["p95_ms"],
            c.get("flip_opening", {}).get("p50_ms"), st["ack"]["p95_ms"], c.get("ack", {}).get("p50_ms"),
            st["desk"]["p95_ms"], st["board"]["p95_ms"], c.get("board", {}).get("p95_ms"),
            st["held_back"]["p50_ms"], st["scores_acknowledged"], st["scores_refused_or_failed"],
        ])  # fmt: skip
    z = live["sizes"]
    report.print_table(
        f"Festival live, per stage ({z['stages']} stages x {z['judges']} judges, {z['viewers']} viewers; ms)",
        ["stage", "viewers", "trans", "late p99", "flip p95", "Chr flip p50", "ack p95", "Chr ack p50",
         "desk p95", "board p95", "Chr board p95", "held p50", "scores", "lost"],
        rows,
    )  # fmt: skip
    c = live["cores_busy_while_measured"]
    load = {k: " ".join(map(str, v)) for k, v in live["load_avg"].items()}
    report.print_table(
        "Cores busy while measured (of the machine's cores)",
        ["web", "engine", "crowd clients", "whole machine", "load at start", "load at end"],
        [[c["web"], c["engine"], c["crowd"], c["machine"],
          load["measure_start"], load["measure_end"]]],
    )  # fmt: skip


def main(z: Sizes) -> dict:
    """The live part, end to end: returns its figures."""
    from playwright.sync_api import sync_playwright

    from bench import doors_browser

    with BenchStack("festlive") as stack:
        fest = seed(stack, z)
        engine = stack.start_engine(stage=fest.ids[-1])
        env = {**ONE_ADDRESS, **(report.diag_env(cpu_profile="festival-web.txt") if z.profile_server else {})}
        stack.start_web(env=env)
        with sync_playwright() as pw:
            files = doors_browser.first_load_files(pw, stack.url)
        raw = asyncio.run(run(stack, fest, z, files, engine.pid))
        stack.check_alive()
        raw["db"] = stored(stack.service(), fest)
    with RAW.open("wb") as f:  # to analyse again: analyse(z, pickle.load(f)["raw"])
        pickle.dump({"sizes": z, "raw": raw}, f)
    return analyse(z, raw)
