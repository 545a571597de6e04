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
from bench.judges import Bench, _met, run, seed, targets
from bench.sse_viewers import PER_PROCESS, _worker
from bench.stack import BenchStack

HALL_SECONDS = 90.0  # the viewers stay this long: longer than the judges' measurement


def _hall(stack: BenchStack, viewers: int, out: mp.Queue) -> list[mp.Process]:
    host, port = "127.0.0.1", stack.port
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
    n, v = a.judges, a.viewers
    seen = hall["update_latency"]["p95_ms"]
    held = targets(top, f", {v} viewers")  # the judges' own targets, with the hall open
    held["viewers"] = report.target(f"{v} viewers' board updates p95 <= 1 s", seen, _met(seen, 1000))
    seq, burst, flip, board = (held[k]["value"] for k in ("ack", "burst", "flip", "board"))
    report.print_table(
        f"{n} judges, the admin desk and {v} board viewers on one web server process",
        ["what", "p95 ms"],
        [["submit, one after another", seq], ["submit, all at once", burst], ["window flip", flip],
         ["new score on board / desk", board], [f"{v} viewers' updates", seen]],
    )  # fmt: skip
    report.emit("hall", {"judges": top, "hall": hall}, held)


if __name__ == "__main__":
    main()
