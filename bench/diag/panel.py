"""What the judges' panel costs a web process with nobody else on it, as bench/doors.py's panel scores:

    .venv/bin/python -m bench.diag.panel [--judges 50] [--seconds 60] [--profile 20] [--board 1]

The same stack as bench/doors.py (DynamoDB Local in memory, the engine, perform 2 s / score 3 s windows,
one web process): `--judges` judges' screens at protocol level (bench/doors_judges.py's Panel: each its
/live/judge stream and a POST /live/score in every window it shows open) and `--board` boards' streams.
Every `--seconds` / 4 it prints the web process's cores, the judges' acknowledgements (p95), the window
flips on their screens (p95), the documents and bytes a judge and a board received; with `--profile S`,
py-spy then records the process for S s and the top frames by own and by inclusive time are printed.
"""

from __future__ import annotations

import argparse
import math
import threading
import time

from bench import report
from bench.diag.held import count_docs, load, profile
from bench.doors import show
from bench.doors_judges import Panel
from bench.drivers.pool import client_cpu
from bench.festival_live import _flips
from bench.stack import BenchStack


def main(a: argparse.Namespace) -> None:
    performers = math.ceil(a.seconds * 2 / 5) + 40
    with BenchStack("panel") as stack:
        _, tokens, web, _ = show(stack, a.judges, performers)
        panel = Panel(stack, tokens, stack.port)
        boards = [[0, 0] for _ in range(a.board)]
        for docs in boards:
            threading.Thread(target=count_docs, args=(stack.url, docs), daemon=True).start()
        try:
            step = a.seconds / 4
            for _ in range(4):
                c0, t0, m0 = client_cpu([web.pid]), time.time(), time.monotonic()
                b0 = sum(d[0] for d in boards)
                j0 = [j.stream.count for j in panel.judges]
                time.sleep(step)
                t1, took = time.time(), time.monotonic() - m0
                cores = (client_cpu([web.pid]) - c0) / took
                acks = [x["seconds"] for j in panel.judges for x in j.acks if t0 <= x["sent"] <= t1]
                flips = [f for j in panel.judges for f in _flips(j.stream.docs, t0, t1)[0]]
                judge_docs = sum(j.stream.count - n for j, n in zip(panel.judges, j0, strict=True))
                last = panel.judges[0].stream.last or {}
                print(
                    f"{cores:.3f} cores; acks {len(acks)} p95 {_p95(acks)} ms; flips p95 {_p95(flips, 1)} ms;"
                    f" judge docs {judge_docs / took / len(panel.judges):.1f}/s each"
                    f" ({len(str(last.get('others', '')))} chars of others);"
                    f" board docs {(sum(d[0] for d in boards) - b0) / took / max(1, a.board):.2f}/s of"
                    f" {boards[0][1] if boards else 0} B (load {load()})",
                    flush=True,
                )
            if a.profile:
                profile([web.pid], a.profile, stack.log_dir)
        finally:
            panel.stop()
    report.say("done")


def _p95(values: list[float], scale: float = 1000) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return round(values[min(len(values) - 1, int(0.95 * len(values)))] * scale, 1)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--judges", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--profile", type=float, default=0.0, help="py-spy the web process for this long")
    ap.add_argument("--board", type=int, default=1, help="board streams to count documents on")
    main(ap.parse_args())
