"""A festival: the engine's clock and its DynamoDB cost as stages are added (N = 1, 2, 4, 8).

For each N, a fresh stack (in-memory DynamoDB Local, one `python -m engine run` process): N stages, each an
event of --performers performers with short windows (perform 0.4 s, score 0.6 s), all started at the same
moment, so every stage's deadlines coincide (the worst case for one engine). Per stage: each transition's
lateness = its log entry's `written_at` minus the deadline it was due at (as bench/clock.py measures it);
informative beside it, the lateness once the transaction had returned (the engine's log).
The engine's DynamoDB requests go through a counting proxy (bench/db_cost.py's): requests per minute while
the stages run. Target: committed transition vs deadline p99 <= 50 ms on every stage.

    .venv/bin/python -m bench.festival [--stages 1,2,4,8] [--performers 30]
"""

from __future__ import annotations

import argparse
import time

from bench import events, report
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--stages", default="1,2,4,8")
    ap.add_argument("--performers", type=int, default=30)
    ap.add_argument("--perform", type=float, default=0.4)
    ap.add_argument("--score", type=float, default=0.6)
    a = ap.parse_args()
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
    report.emit("festival", {"engine_by_stages": runs}, targets)


if __name__ == "__main__":
    main()
