"""Board viewers on /live/public (server-sent events), N = 50 to 1,000, one web server process.

    .venv/bin/python -m bench.sse_viewers [--levels 50,200,500,1000] [--window 10]

`make bench` runs it (bench/run_all.py), as does `bench.viewers --sse`. A viewer is what the board
component does in a browser: one open event stream. Viewers run in worker processes (asyncio, 250
a process) so a client's own event loop adds little lag. While the engine runs an event (perform
2 s, score 3 s) and three judges score, per level: update latency (a transition at its scheduled
time -> each viewer's stream shows it) p50/p95, the web process's CPU (cores busy) and resident
memory (MB per 50 viewers over the one-viewer baseline).
"""

from __future__ import annotations

import argparse
import asyncio
import math
import multiprocessing as mp
import time

from bench import events, report
from bench.drivers.judges import ScoreDriver
from bench.drivers.live import StreamClient
from bench.stack import BenchStack

PER_PROCESS = 250


def _worker(host: str, port: int, n: int, seconds: float, out) -> None:
    async def go():
        clients = [StreamClient(host, port, "/live/public", header_only=True) for _ in range(n)]
        tasks = []
        for c in clients:
            tasks.append(asyncio.create_task(c.run()))
            await asyncio.sleep(0.002)  # a hall's phones do not all connect in the same millisecond
        await asyncio.sleep(seconds)
        lat, errors = [], [c.error for c in clients if c.error]
        for c in clients:
            seen = set()
            for t, d in c.docs:
                key = (d.get("window_id"), d.get("phase"))
                if d.get("window_started_at") and key not in seen:
                    if seen:
                        lat.append(t - d["window_started_at"])
                    seen.add(key)
        for c in clients:
            c.close()
        for t in tasks:
            t.cancel()
        out.put({"latencies": lat, "errors": errors[:5], "connected": sum(1 for c in clients if c.count)})

    asyncio.run(go())


def measure(stack, n: int, seconds: float, stats: report.ProcStats) -> dict:
    host, port = "127.0.0.1", stack.port
    out = mp.Queue()
    sizes = [PER_PROCESS] * (n // PER_PROCESS) + ([n % PER_PROCESS] if n % PER_PROCESS else [])
    procs = [mp.Process(target=_worker, args=(host, port, k, seconds + 4, out)) for k in sizes]
    for p in procs:
        p.start()
    time.sleep(4)  # connecting
    stats.mark()
    rss = 0.0
    for _ in range(int(seconds)):
        time.sleep(1)
        rss = max(rss, stats.rss_mb())
    _, cores = stats.cpu_since_mark()
    results = [out.get(timeout=seconds + 60) for _ in procs]
    for p in procs:
        p.join(10)
    lat = [x for r in results for x in r["latencies"]]
    return {
        "viewers": n,
        "connected": sum(r["connected"] for r in results),
        "update_latency": report.ms_summary(lat),
        "cores_busy": round(cores, 3),
        "rss_mb": round(rss, 1),
        "errors": [e for r in results for e in r["errors"]][:5],
    }


def main(levels: list[int], window: float) -> None:
    perform, score = 2.0, 3.0
    performers = 2 * math.ceil((len(levels) * (window + 10) + 60) / (perform + score)) + 20
    with BenchStack("sseview") as stack:
        svc = stack.service()
        tokens = events.login_all(svc, events.add_judges(svc, 3))
        state = events.create_event(svc, performers, perform, score)
        stack.start_web()
        stack.start_engine()
        stats = report.ProcStats(stack.web.pid)
        events.start_event(svc)
        driver = ScoreDriver(svc, tokens, state.event_id)
        driver.start()
        try:
            base = measure(stack, 1, 4, stats)
            rows = [measure(stack, n, window, stats) for n in levels]
        finally:
            driver.stop()
    for r in rows:
        r["rss_mb_per_50"] = round((r["rss_mb"] - base["rss_mb"]) * 50 / r["viewers"], 2)
    report.print_table(
        "Board viewers on /live/public (one web process)",
        ["viewers", "connected", "p50 ms", "p95 ms", "cores", "RSS MB", "MB per 50"],
        [
            [r["viewers"], r["connected"], r["update_latency"]["p50_ms"], r["update_latency"]["p95_ms"],
             r["cores_busy"], r["rss_mb"], r["rss_mb_per_50"]]
            for r in rows
        ],
    )  # fmt: skip
    top = rows[-1]
    p95 = top["update_latency"]["p95_ms"]
    targets = {
        "p95": report.target(f"{top['viewers']} viewers p95 <= 1 s", p95, p95 is not None and p95 <= 1000),
        "memory": report.target(
            "memory < 100 MB per 50 viewers", top["rss_mb_per_50"], top["rss_mb_per_50"] < 100
        ),
    }
    report.emit("sse_viewers", {"baseline": base, "levels": rows}, targets)


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--levels", default="50,200,500,1000")
    ap.add_argument("--window", type=float, default=10.0, help="measurement seconds per level")
    a = ap.parse_args()
    main([int(x) for x in a.levels.split(",")], a.window)
