"""A festival: the engine's clock and its DynamoDB cost as stages are added (N = 1, 2, 4, 8), then a
festival live: 4 stages x 9 judges scoring and 2,000 board viewers on one engine and one web server.

Part one, the engine (--parts engine). For each N, a fresh stack (in-memory DynamoDB Local, one
`python -m engine run` process): N stages, each an event of --performers performers with short windows
(perform 0.4 s, score 0.6 s), all started at the same moment, so every stage's deadlines coincide (the
worst case for one engine). Per stage: each transition's
lateness = its log entry's `written_at` minus the deadline it was due at (as bench/clock.py measures it);
informative beside it, the lateness once the transaction had returned (the engine's log).
The engine's DynamoDB requests go through a counting proxy (bench/db_cost.py's): requests per minute while
the stages run. Target: committed transition vs deadline p99 <= 50 ms on every stage.

Part two, live (--parts live): bench/festival_live.py (what it measures and how, in its docstring), with
one board page and one judge screen per stage in Chromium beside the simulated clients
(bench/festival_browser.py). Targets, on every stage: committed transition vs deadline p99 <= 50 ms, the
window flip on judge screens p95 <= 250 ms, a score acknowledged p95 <= 300 ms, a new score on the stage's
admin desk and on its public board (from the moment the board may show it) p95 <= 500 ms.

    .venv/bin/python -m bench.festival [--stages 1,2,4,8] [--performers 30]
        [--live-stages 4] [--judges-per-stage 9] [--viewers 2000] [--arrive-within 300] [--measure 180]
        [--start together|staggered] [--no-chromium] [--parts engine,live] [--quick]
"""

from __future__ import annotations

import argparse
import time

from bench import events, festival_live, report
from bench.clock import COMMITTED
from bench.db_cost import CountingProxy
from bench.stack import BenchStack
from engine.domain.model import Phase
from tests.support.processes import read_log
from tests.support.waiting import wait_for

KINDS = ("scoring_opened", "scoring_closed")


def run_stages(n: int, performers: int, perform: float, score: float) -> dict:
    """One stack, n stages started together; returns lateness per stage and the engine's requests."""
    with BenchStack(f"fest{n}") as stack:
        svc = stack.service()
        ids = [f"s{i}" for i in range(1, n + 1)]
        for sid in ids:
            svc.stages.add(None, f"Stage {sid[1:]}", sid)
            events.create_event(svc.on(sid), performers, perform, score)
        with CountingProxy(stack.env["AWS_ENDPOINT_URL_DYNAMODB"]) as proxy:
            engine = stack.start_engine(stage=ids[-1], env={"AWS_ENDPOINT_URL_DYNAMODB": proxy.url})
            time.sleep(1.0)  # every lease held, the watcher reading each stage
            started = [events.start_event(svc.on(sid)) for sid in ids]
            t0 = time.time()
            run = performers * (perform + score)

            def finished() -> bool:
                stack.check_alive()
                return all(svc.store.events.state(s.event_id).phase is Phase.FINISHED for s in started)

            wait_for(finished, run + 60, "every stage to finish", 0.25, ignore=())
            t1 = time.time()
            per_second, by_op = proxy.window(t0, t1)
        # Informative, as in bench/clock.py: when each transaction had returned (the engine's log).
        committed = [float(m) / 1000 for m in COMMITTED.findall(read_log(engine))]
        lateness = {}
        for sid, state in zip(ids, started, strict=True):
            entries = events.transitions(svc, state.event_id, KINDS)
            lateness[sid] = report.ms_summary([e["written_at"] - e["ts"] for e in entries])
            lateness[sid]["transitions"] = len(entries)
    return {
        "stages": n,
        "lateness": lateness,
        "worst_p99_ms": max(d["p99_ms"] or 0 for d in lateness.values()),
        "lateness_committed_all_stages": report.ms_summary(committed),
        "engine_requests_per_minute": round(per_second * 60),
        "engine_requests_per_minute_by_operation": {k: round(v * 60) for k, v in by_op.items()},
        "run_seconds": round(t1 - t0, 1),
    }


def engine_part(a: argparse.Namespace) -> tuple[dict, dict]:
    runs = []
    for n in (int(x) for x in a.stages.split(",")):
        report.say(f"{n} stage(s) of {a.performers} performers, started together")
        runs.append(run_stages(n, a.performers, a.perform, a.score))
    report.print_table(
        "Festival: the engine's clock and requests as stages are added (lateness in ms)",
        ["stages", "transitions", "worst p50", "worst p99", "max", "committed p99", "requests/min"],
        [
            [
                r["stages"],
                sum(d["transitions"] for d in r["lateness"].values()),
                max(d["p50_ms"] or 0 for d in r["lateness"].values()),
                r["worst_p99_ms"],
                max(d["max_ms"] or 0 for d in r["lateness"].values()),
                r["lateness_committed_all_stages"]["p99_ms"],
                r["engine_requests_per_minute"],
            ]
            for r in runs
        ],
    )
    expected = 2 * a.performers
    complete = all(d["transitions"] == expected for r in runs for d in r["lateness"].values())
    worst = max(r["worst_p99_ms"] for r in runs)
    targets = {
        "all_transitions": report.target(f"{expected} transitions on every stage", complete, complete),
        "p99": report.target("every stage: transition vs deadline p99 <= 50 ms", worst, worst <= 50),
    }
    return {"engine_by_stages": runs}, targets


def live_part(a: argparse.Namespace) -> tuple[dict, dict]:
    sizes = festival_live.Sizes(
        stages=a.live_stages,
        judges=a.judges_per_stage,
        viewers=a.viewers,
        arrive_within=a.arrive_within,
        measure=a.measure,
        perform=a.live_perform,
        score=a.live_score,
        chromium=a.chromium,
        start=a.start,
        profile_server=a.profile_server,
    )
    live = festival_live.main(sizes)
    festival_live.print_tables(live)
    return {"live": live}, festival_live.targets(live)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--parts", default="engine,live", help="engine, live or both")
    ap.add_argument("--quick", action="store_true", help="a smoke run of both parts at small sizes")
    ap.add_argument("--stages", default="1,2,4,8", help="engine part: stage counts")
    ap.add_argument("--performers", type=int, default=30, help="engine part: performers a stage")
    ap.add_argument("--perform", type=float, default=0.4)
    ap.add_argument("--score", type=float, default=0.6)
    ap.add_argument("--live-stages", type=int, default=4)
    ap.add_argument("--judges-per-stage", type=int, default=9)
    ap.add_argument("--viewers", type=int, default=2000, help="board viewers, spread over the stages")
    ap.add_argument(
        "--arrive-within", type=float, default=300.0, help="seconds over which the viewers arrive"
    )
    ap.add_argument("--measure", type=float, default=180.0, help="seconds of the stages running, measured")
    ap.add_argument("--live-perform", type=float, default=3.0)
    ap.add_argument("--live-score", type=float, default=6.0)
    ap.add_argument("--start", choices=("together", "staggered"), default="together")
    ap.add_argument("--no-chromium", dest="chromium", action="store_false", help="no real Chromium pages")
    ap.add_argument("--profile-server", action="store_true", help="live part: CPU profile of the web server")
    a = ap.parse_args()
    if a.quick:
        a.stages, a.performers = "1,2", 10
        a.live_stages, a.judges_per_stage, a.viewers, a.arrive_within, a.measure = 2, 3, 40, 10.0, 40.0
    figures, targets = {}, {}
    for part in a.parts.split(","):
        f, t = {"engine": engine_part, "live": live_part}[part](a)
        figures.update(f)
        targets.update(t)
    report.emit("festival", figures, targets)


if __name__ == "__main__":
    main()
