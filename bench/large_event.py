"""A large event: 1,000 performers x 20 judges (20,000 scores).

Built in memory (a Snapshot as Service.snapshot returns it), then timed, each the median of --repeat
runs (the first, cold run reported beside it):
  ranking     service.compute_results
  board       engine.views.exports.public_board + json.dumps (what the board publisher does each tick)
  analytics   what the admin's Scores & analytics page computes, from ui/charts.py if it is there:
              analyse, the other helpers the page calls, and every `*_chart` builder; with and without
              serialising each chart to its Vega-Lite dict (what st.altair_chart does)
Separately: the same event written to DynamoDB Local, and the time of Service.snapshot() reading it.

    .venv/bin/python -m bench.large_event [--performers 1000] [--judges 20] [--repeat 5] [--no-db] [--profile]
"""

from __future__ import annotations

import argparse
import inspect
import json
import random
import time
from decimal import Decimal

from bench import events, report
from bench.stack import BenchStack
from engine.domain.model import Account, EventState, Performer, PerformerStatus, Phase, Role, Score, Settings
from engine.domain.snapshot import Snapshot, compute_results
from engine.views.exports import public_board

HELPERS = ("agreement", "what_if", "openings_estimated", "timing_frame", "timing_summary", "flagged")


def build(performers: int, judges: int, seed: int = 1) -> tuple[Snapshot, list[Score]]:
    """The event near its end: every performer done but the last, which is being scored."""
    rng = random.Random(seed)
    now = time.time()
    settings = Settings(
        event_name="Large event", perform_seconds=60, score_seconds=30, required_judges=judges
    )
    t0 = now - performers * 90
    people = [
        Performer(
            f"p{i:04d}",
            f"Performer {i:04d}",
            i,
            "Bench",
            PerformerStatus.DONE if i < performers else PerformerStatus.SCORING,
            t0 + (i - 1) * 90,
            t0 + (i - 1) * 90 + 90 if i < performers else None,
        )
        for i in range(1, performers + 1)
    ]
    panel = [
        Account(f"judge{j:02d}@bench.local", f"Judge {j}", Role.JUDGE, Decimal(1 + (j % 3)), True)
        for j in range(1, judges + 1)
    ]
    bias = {a.email: rng.uniform(-1, 1) for a in panel}
    scores = []
    for p in people:
        opened = p.started_at + 60
        quality = rng.uniform(3, 9)
        for a in panel:
            v = Decimal(f"{min(10.0, max(0.0, quality + bias[a.email] + rng.gauss(0, 0.7))):.1f}")
            at = opened + rng.uniform(2, 28)
            revision = 2 if rng.random() < 0.05 else 1
            scores.append(
                Score(
                    "ev-large", p.performer_id, a.email, {"Score": v}, v, revision, at + revision - 1, at, 0
                )
            )
    order = tuple(p.performer_id for p in people)
    state = EventState(
        "ev-large",
        Phase.SCORING,
        order,
        performers - 1,
        2 * performers,
        now - 5,
        now + 25,
        version=2 * performers + 1,
        started_at=t0,
    )
    snap = Snapshot(
        at=now,
        state=state,
        settings=settings,
        performers=people,
        scores=scores,
        judges=panel,
        present=[a.email for a in panel],
        flags={},
        results=compute_results(settings, people, scores, panel),
    )
    return snap, scores


def timed(fn, repeat: int) -> tuple[dict, object]:
    """Wall time (first, median, max) and this process's CPU time (median): on a busy machine the
    CPU time is the steadier figure of the two."""
    times, cpu, out = [], [], None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return {
        "first_ms": round(times[0] * 1000, 1),
        "median_ms": round(report.percentile(times, 50) * 1000, 1),
        "max_ms": round(max(times) * 1000, 1),
        "cpu_median_ms": round(report.percentile(cpu, 50) * 1000, 1),
    }, out


class Skip(Exception):
    pass


def call_with(fn, pool: dict):
    """Call fn with the arguments its parameter names ask for (defaults where it has them)."""
    kwargs = {}
    for name, p in inspect.signature(fn).parameters.items():
        if name in pool:
            kwargs[name] = pool[name]
        elif p.default is inspect.Parameter.empty:
            raise Skip(f"needs an argument named {name!r}")
    return fn(**kwargs)


def analytics(snap: Snapshot, serialise: bool):
    """Everything the analytics page computes, from whatever ui/charts.py offers now; returns
    (per-step seconds, skipped builders)."""
    from engine.analytics import analysis, standings, timing
    from ui import charts

    helpers = {**vars(timing), **vars(standings), **vars(analysis)}  # the frames moved out of ui/charts.py
    steps: dict[str, float] = {}
    skipped: dict[str, str] = {}

    def step(name, fn):
        t0 = time.perf_counter()
        out = fn()
        steps[name] = steps.get(name, 0.0) + time.perf_counter() - t0
        return out

    pool = {
        "snap": snap,
        "judges": len(snap.judges),
        "window_seconds": snap.settings.score_seconds,
        "threshold": 1.5,
    }
    if "analyse" in helpers:
        pool["analysis"] = pool["a"] = step("analyse", lambda: helpers["analyse"](snap))
    for name in HELPERS:
        fn = helpers.get(name)
        if fn is None:
            continue
        try:
            result = step(name, lambda fn=fn: call_with(fn, pool))
        except Skip as e:
            skipped[name] = str(e)
            continue
        if name == "openings_estimated":
            pool["openings"] = result
        elif name == "timing_frame":
            pool["timing"] = result
    for name, fn in sorted(vars(charts).items()):
        if not (name.endswith("_chart") and callable(fn)) or getattr(fn, "__module__", "") != charts.__name__:
            continue
        try:
            chart = step(name, lambda fn=fn: call_with(fn, pool))
        except Skip as e:
            skipped[name] = str(e)
            continue
        if serialise:
            step(name + ".to_dict", chart.to_dict)
    return steps, skipped


def write_to_dynamodb(stack, snap: Snapshot, scores: list[Score]) -> str:
    """The same event in DynamoDB Local; returns its event id."""
    from engine.store import codec
    from engine.store.client import to_item

    svc = stack.service()
    events.add_judges(svc, len(snap.judges))
    state = svc.create_event(
        snap.settings, [Performer(p.performer_id, p.name, p.order, p.category) for p in snap.performers]
    )
    eid = state.event_id
    emails = {a.email: f"judge{i:03d}@bench.local" for i, a in enumerate(snap.judges, start=1)}
    requests = []
    for s in scores:
        judge = emails[s.judge]
        item = {
            "event_id": eid,
            "sk": f"S#{s.performer_id}#{judge}",
            "performer_id": s.performer_id,
            "judge": judge,
            "values": dict(s.values),
            "total": s.total,
            "revision": s.revision,
            "submitted_at": codec.to_decimal(s.submitted_at),
            "first_submitted_at": codec.to_decimal(s.first_submitted_at),
            "window_id": s.window_id,
            "request_id": f"r{len(requests)}",
        }
        requests.append({"PutRequest": {"Item": to_item(item)}})
    svc.store.client.batch_write(svc.store.tables.scores, requests)
    return eid


def read_back(stack, eid: str, repeat: int) -> dict:
    """Service.snapshot() with the configured timeouts; if that fails, again with a patient client, so
    there is a figure either way."""
    from engine.domain.model import DatabaseUnavailable

    out: dict = {}
    for label, env in (("default", {}), ("read_timeout_60s", {"STAGESCORE_DB_READ_TIMEOUT": "60"})):
        svc = stack.service(**env)
        pages: list[int] = []
        svc.store.client.boto.meta.events.register(
            "before-send.dynamodb", lambda pages=pages, **_: pages.append(1)
        )
        try:
            read, got = timed(lambda svc=svc: svc.snapshot(eid), repeat)
        except DatabaseUnavailable as e:
            out[f"{label}_error"] = f"{e} (cause: {e.__cause__})"
            report.say(f"Service.snapshot() failed with the {label} client: {e.__cause__}")
            continue
        out.update(read, client=label, scores_read=len(got.scores), requests_per_snapshot=len(pages) / repeat)
        break
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--performers", type=int, default=1000)
    ap.add_argument("--judges", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-db", action="store_true", help="skip the DynamoDB Local part")
    ap.add_argument("--profile", action="store_true", help="pyinstrument each timed part once")
    a = ap.parse_args()

    report.say(f"building {a.performers} performers x {a.judges} judges in memory")
    snap, scores = build(a.performers, a.judges)
    figures: dict = {
        "performers": a.performers,
        "judges": a.judges,
        "scores": len(scores),
        "repeat": a.repeat,
    }

    ranking, _ = timed(
        lambda: compute_results(snap.settings, snap.performers, snap.scores, snap.judges), a.repeat
    )
    board, text = timed(
        lambda: json.dumps(public_board(snap, time.time()), ensure_ascii=False, separators=(",", ":")),
        a.repeat,
    )
    figures["ranking"] = ranking
    figures["board"] = {**board, "json_bytes": len(text.encode())}

    try:
        import ui.charts  # noqa: F401  (written by another hand: it may not be there yet)

        have_charts = True
    except Exception as e:
        have_charts = False
        figures["analytics"] = {"skipped": f"ui.charts not importable: {type(e).__name__}: {e}"}
    if have_charts:
        built, (steps, skipped) = timed(lambda: analytics(snap, serialise=False), a.repeat)
        full, (steps_full, _) = timed(lambda: analytics(snap, serialise=True), a.repeat)
        figures["analytics"] = {
            "build": built,
            "build_and_serialise": full,
            "last_run_steps_ms": {k: round(v * 1000, 1) for k, v in steps_full.items()},
            "skipped": skipped,
        }

    if a.profile:
        profile(snap, have_charts)

    if not a.no_db:
        with BenchStack("large") as stack:
            report.say(f"writing {len(scores)} scores to DynamoDB Local")
            t0 = time.perf_counter()
            eid = write_to_dynamodb(stack, snap, scores)
            figures["db_write_seconds"] = round(time.perf_counter() - t0, 1)
            figures["service_snapshot"] = read_back(stack, eid, a.repeat)

    rows = [
        ["ranking (compute_results)", *ranking.values()],
        ["board (public_board + json.dumps)", *board.values()],
    ]
    if have_charts:
        rows += [
            ["analytics: analyse + helpers + build charts", *figures["analytics"]["build"].values()],
            [
                "analytics: ... + serialise charts (to_dict)",
                *figures["analytics"]["build_and_serialise"].values(),
            ],
        ]
    if "service_snapshot" in figures:
        s = figures["service_snapshot"]
        if "median_ms" in s:
            label = "Service.snapshot() from DynamoDB Local" + (
                "" if s["client"] == "default" else " (default client timed out; 60 s read timeout)"
            )
            rows.append([label, s["first_ms"], s["median_ms"], s["max_ms"], s["cpu_median_ms"]])
    report.print_table(
        f"Large event: {a.performers} performers x {a.judges} judges ({len(scores)} scores)",
        ["what", "first ms", "median ms", "max ms", "CPU ms (median)"],
        rows,
    )
    if have_charts:
        report.print_table(
            "Analytics steps (last run, with serialisation)",
            ["step", "ms"],
            sorted(figures["analytics"]["last_run_steps_ms"].items(), key=lambda kv: -kv[1]),
        )
        if figures["analytics"]["skipped"]:
            print("skipped:", figures["analytics"]["skipped"])
    targets = {
        "ranking": report.target(
            "ranking <= 500 ms (median)", ranking["median_ms"], ranking["median_ms"] <= 500
        ),
        "board": report.target("board <= 300 ms (median)", board["median_ms"], board["median_ms"] <= 300),
    }
    if have_charts:
        b, f = figures["analytics"]["build"], figures["analytics"]["build_and_serialise"]
        targets["analytics"] = report.target(
            "analytics <= 300 ms (median, charts built)", b["median_ms"], b["median_ms"] <= 300
        )
        targets["analytics_serialised"] = report.target(
            "analytics <= 300 ms (median, charts serialised)", f["median_ms"], f["median_ms"] <= 300
        )
    report.emit("large_event", figures, targets)


def profile(snap: Snapshot, have_charts: bool) -> None:
    from pyinstrument import Profiler

    parts = {
        "ranking": lambda: compute_results(snap.settings, snap.performers, snap.scores, snap.judges),
        "board": lambda: json.dumps(public_board(snap, time.time())),
    }
    if have_charts:
        parts["analytics"] = lambda: analytics(snap, serialise=True)
    out_dir = report.RESULTS / "profiles"
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, fn in parts.items():
        p = Profiler(interval=0.0005)
        p.start()
        fn()
        p.stop()
        (out_dir / f"large_event-{name}.html").write_text(p.output_html())
        print(p.output_text(unicode=False, color=False)[:5000])


if __name__ == "__main__":
    main()
