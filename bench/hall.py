"""All at once on one web server process: 50 judges, the admin desk and a hall of 500 board viewers.

The judges' measurement is bench/judges.py's at N = 50 (its idle cost, submits one after another and
all at once, window flips, a new score on the board and the desk), taken while bench/sse_viewers.py's
viewers (worker processes, 250 each) hold /live/public open the whole time; the viewers' own update
latency is reported beside it. Every client shares the machine's cores with the server.

    .venv/bin/python -m bench.hall [--judges 50] [--viewers 500] [--idle 6]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import time

from bench import report
from bench.judges import Bench, run, seed
from bench.sse_viewers import PER_PROCESS, _worker
from bench.stack import BenchStack

HALL_SECONDS = 90.0  # the viewers stay this long: longer than the judges' measurement


def _hall(stack: BenchStack, viewers: int, out: mp.Queue) -> list[mp.Process]:
    host, port = "127.0.0.1", int(stack.url.rsplit(":", 1)[1])
    sizes = [PER_PROCESS] * (viewers // PER_PROCESS) + (
        [viewers % PER_PROCESS] if viewers % PER_PROCESS else []
    )
    procs = [mp.Process(target=_worker, args=(host, port, k, HALL_SECONDS, out)) for k in sizes]
    for p in procs:
        p.start()
    return procs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--judges", type=int, default=50)
    ap.add_argument("--viewers", type=int, default=500)
    ap.add_argument("--idle", type=float, default=6.0)
    a = ap.parse_args()
    with BenchStack("hall") as stack:
        tokens = seed(stack, a.judges, performers=20)
        stack.start_engine()
        stack.start_web()
        out: mp.Queue = mp.Queue()
        procs = _hall(stack, a.viewers, out)
        time.sleep(5)  # the hall connects
        started = time.monotonic()
        rows = asyncio.run(run(Bench(stack, tokens), [a.judges], a.idle))
        took = time.monotonic() - started
        results = [out.get(timeout=HALL_SECONDS + 60) for _ in procs]
        for p in procs:
            p.join(10)
    top = rows[-1]
    latencies = [x for r in results for x in r["latencies"]]
    hall = {
        "viewers": a.viewers,
        "connected": sum(r["connected"] for r in results),
        "update_latency": report.ms_summary(latencies),
        "errors": [e for r in results for e in r["errors"]][:5],
        "judges_measured_seconds": round(took, 1),
    }
    fig = {
        k: top[k]["p95_ms"] for k in ("submit_one_after_another", "submit_all_at_once", "window_flip_seen")
    }
    board = max(top["score_on_board"]["p95_ms"] or 1e9, top["score_on_admin"]["p95_ms"] or 1e9)
    seen = hall["update_latency"]["p95_ms"]
    idle = top["idle_core_pct_per_judge"]
    ok = lambda v, limit: v is not None and v <= limit  # noqa: E731
    n, v = a.judges, a.viewers
    seq, burst, flip = fig.values()
    targets = {
        "idle": report.target(f"idle judge <= 0.5 % of a core ({n} judges, {v} viewers)", idle, idle <= 0.5),
        "ack": report.target(f"submit -> ack p95 <= 300 ms, {n} judges, {v} viewers", seq, ok(seq, 300)),
        "burst": report.target(f"{n} judges at once p95 <= 750 ms, {v} viewers", burst, ok(burst, 750)),
        "flip": report.target("window flip seen <= 250 ms after the deadline p95", flip, ok(flip, 250)),
        "board": report.target("new score on board and admin <= 500 ms p95", board, board <= 500),
        "viewers": report.target(f"{v} viewers' board updates p95 <= 1 s", seen, ok(seen, 1000)),
    }
    report.print_table(
        f"{n} judges, the admin desk and {v} board viewers on one web server process",
        ["what", "p95 ms"],
        [["submit, one after another", seq], ["submit, all at once", burst], ["window flip", flip],
         ["new score on board / desk", board], [f"{v} viewers' updates", seen]],
    )  # fmt: skip
    report.emit("hall", {"judges": top, "hall": hall}, targets)


if __name__ == "__main__":
    main()
