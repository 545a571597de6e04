"""How many public-board viewers one Streamlit process serves: simulated viewers at N = 10 … 400.

A simulated viewer speaks Streamlit's protocol as a browser does, without a browser: a websocket on
/_stcore/stream (subprotocol `streamlit`), a BackMsg rerun_script for the page "leaderboard", the
ForwardMsgs read until script_finished; then what the page does in a browser: ui/board.js polls the
board JSON (its URL and period, 400 ms after each answer, come from the component's data in the
page), and any fragment with run_every is re-run on its schedule (the board page has none).

Viewers are added in steps (10, 50, 100, 200, 400) while the engine runs an event (perform 2 s,
score 3 s) and three judges score. At each step, over a measurement window: update latency (a change
written to the database → the first fetched JSON that shows it), p50/p95; the Streamlit process's
CPU (psutil: cores busy) and resident memory. The viewers run in worker processes (asyncio, at most
100 a process) so that one client's event loop does not add its own lag.
First a check of the simulation: 5 simulated viewers and 5 real Chromium pages side by side.

    .venv/bin/python -m bench.viewers [--levels 10,50,100,200,400] [--window 20] [--no-browser-check]
    .venv/bin/python -m bench.viewers --sse --levels 50,200,500,1000 [--window 10]   (the live board)
"""

from __future__ import annotations

import argparse
import math
import time

from bench import events, report
from bench.browser import board_observations, launch_chromium, open_board
from bench.drivers.judges import ScoreDriver
from bench.drivers.pool import ViewerPool, client_cpu
from bench.stack import BenchStack

# ---- the benchmark --------------------------------------------------------------------------------


def _latencies(results: list[dict], changes, since: float, until: float) -> list[float]:
    out = []
    for r in results:
        if r.get("connected_at") and r["connected_at"] <= since:
            out += events.seen_latencies(changes, r["obs"], since, until)
    return out


def browser_check(stack, changes_of, seconds: float) -> dict:
    """5 simulated viewers and 5 Chromium pages watching the same changes at the same time."""
    from playwright.sync_api import sync_playwright

    pool = ViewerPool(stack.url)
    pool.add(5)
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        try:
            pages = [open_board(browser, stack.url) for _ in range(5)]
            t0 = time.time()
            time.sleep(seconds)
            t1 = time.time()
            observed = [board_observations(p) for p in pages]
        finally:
            browser.close()
    sims = pool.stop()
    changes = changes_of()
    until = t1 - 2.0
    sim = _latencies(sims, changes, t0, until)
    real = []
    for obs in observed:
        real += events.seen_latencies(changes, obs, t0, until)
    s, r = report.ms_summary(sim), report.ms_summary(real)

    def within(a, b):
        return a is not None and b is not None and abs(a - b) <= 0.2 * b

    return {
        "seconds": seconds,
        "simulated": s,
        "chromium": r,
        "p50_within_20pct": within(s["p50_ms"], r["p50_ms"]),
        "p95_within_20pct": within(s["p95_ms"], r["p95_ms"]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--levels", default="10,50,100,200,400")
    ap.add_argument("--window", type=float, default=20.0, help="measurement seconds per level")
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--check-seconds", type=float, default=40.0)
    ap.add_argument("--no-browser-check", action="store_true")
    ap.add_argument(
        "--streamlit-option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="experiment: a Streamlit option for the server, e.g. runner.postScriptGC=false",
    )
    ap.add_argument("--sse", action="store_true", help="viewers on /live/public (bench/sse_viewers.py)")
    report.add_profile_server_option(ap)
    a = ap.parse_args()
    levels = [int(x) for x in a.levels.split(",")]
    if a.sse:
        from bench import sse_viewers

        return sse_viewers.main(levels, a.window)

    perform, score = 2.0, 3.0
    per_level = a.warmup + a.window + 15  # + connecting
    total = (a.check_seconds + 20 if not a.no_browser_check else 0) + len(levels) * per_level + 60
    # Connecting hundreds of viewers takes a while on a busy machine: an event far longer than needed.
    performers = 2 * math.ceil(total / (perform + score)) + 20

    with BenchStack("viewers") as stack:
        svc = stack.service()
        judges = events.add_judges(svc, 3)
        tokens = events.login_all(svc, judges)
        state = events.create_event(svc, performers, perform, score)
        options = [x for o in a.streamlit_option for x in ("--" + o.split("=", 1)[0], o.split("=", 1)[1])]
        stack.start_web(
            env=report.diag_env(cpu_profile="viewers-streamlit-cpu.txt") if a.profile_server else None,
            options=options,
        )
        stack.start_engine()
        stats = report.ProcStats(stack.web.pid)
        rss_start = stats.rss_mb()
        events.start_event(svc)
        driver = ScoreDriver(svc, tokens, state.event_id)
        driver.start()

        def changes_of():
            return events.board_changes(svc, state.event_id)

        check = None
        if not a.no_browser_check:
            report.say("checking the simulated viewer against Chromium (5 + 5)")
            check = browser_check(stack, changes_of, a.check_seconds)

        # The baseline: one viewer (it starts this process's board publisher).
        pool = ViewerPool(stack.url)
        pool.add(1)
        time.sleep(a.warmup)
        rss_base = stats.rss_mb()
        rows, windows = [], []
        for n in levels:
            report.say(f"{n} viewers: connecting {n - pool.count} more")
            t_add = time.time()
            pool.add(n - pool.count)
            connect_s = time.time() - t_add
            time.sleep(a.warmup)
            stats.mark()
            c0 = client_cpu(pool.pids())
            t0 = time.time()
            time.sleep(a.window)
            t1 = time.time()
            cpu_s, cores = stats.cpu_since_mark()
            client = (client_cpu(pool.pids()) - c0) / (t1 - t0)
            rss = stats.rss_mb()
            windows.append((n, t0, t1, cores, rss, connect_s, client, t_add))
            stack.check_alive()
        results = pool.stop()
        driver.stop()
        changes = changes_of()

    for n, t0, t1, cores, rss, connect_s, client, t_add in windows:
        # Page loads (websocket opened → script_finished) of the viewers this level added.
        arrivals = [
            r["load_seconds"] for r in results if r.get("connected_at") and t_add <= r["connected_at"] <= t0
        ]
        lat = _latencies(results, changes, t0, t1 - 2.0)
        s = report.ms_summary(lat)
        growth = (rss - rss_base) / max(1, n - 1) * 50
        rows.append(
            {
                "viewers": n,
                "changes_in_window": sum(1 for c in changes if t0 <= c[0] <= t1 - 2.0),
                "latency": s,
                "unseen_changes": sum(1 for x in lat if x == float("inf")),
                "server_cores_busy": round(cores, 3),
                "server_rss_mb": round(rss, 1),
                "rss_growth_mb_per_50_viewers": round(growth, 1),
                "connect_seconds": round(connect_s, 1),
                "page_load_of_arrivals": report.ms_summary(arrivals, (50, 95)),
                "client_cores_busy": round(client, 3),
            }
        )
    loads = sorted(r["load_seconds"] for r in results if r.get("load_seconds"))
    errors = [e for r in results for e in r.get("errors", [])]
    figures = {
        "perform_seconds": perform,
        "score_seconds": score,
        "judges": len(judges),
        "window_seconds": a.window,
        "streamlit_options": a.streamlit_option,
        "server_rss_mb_before_viewers": round(rss_start, 1),
        "server_rss_mb_one_viewer": round(rss_base, 1),
        "levels": rows,
        "page_load": report.ms_summary(loads),
        "viewer_errors": len(errors),
        "viewer_error_samples": errors[:5],
        "board_unreachable_fetches": sum(r.get("board_errors", 0) for r in results),
        "page_runs_stopped_early_for_rerun": sum(r.get("early_reruns", 0) for r in results),
        "score_errors": driver.errors[:5],
        "browser_check": check,
    }
    report.print_table(
        "Simulated viewers on /leaderboard (latency: change written → seen in a fetched board JSON)",
        [
            "viewers",
            "p50 ms",
            "p95 ms",
            "max ms",
            "samples",
            "server cores",
            "RSS MB",
            "MB/50 viewers",
            "client cores",
            "arrivals' page load p50/p95 ms",
        ],
        [
            [
                r["viewers"],
                r["latency"]["p50_ms"],
                r["latency"]["p95_ms"],
                r["latency"]["max_ms"],
                r["latency"]["n"],
                r["server_cores_busy"],
                r["server_rss_mb"],
                r["rss_growth_mb_per_50_viewers"],
                r["client_cores_busy"],
                f"{r['page_load_of_arrivals']['p50_ms']} / {r['page_load_of_arrivals']['p95_ms']}",
            ]
            for r in rows
        ],
    )
    if check:
        report.print_table(
            "Simulated viewer vs Chromium (5 each, same changes)",
            ["viewer", "n", "p50 ms", "p95 ms", "max ms"],
            [
                [k, check[k]["n"], check[k]["p50_ms"], check[k]["p95_ms"], check[k]["max_ms"]]
                for k in ("simulated", "chromium")
            ],
        )
    at200 = next((r for r in rows if r["viewers"] == 200), None)
    ok_levels = [
        r["viewers"] for r in rows if (r["latency"]["p95_ms"] or 1e9) <= 1000 and not r["unseen_changes"]
    ]
    worst_growth = max((r["rss_growth_mb_per_50_viewers"] for r in rows), default=None)
    targets = {
        "viewers_200": report.target(
            "200 viewers at p95 <= 1 s",
            f"p95 {at200['latency']['p95_ms']} ms at 200" if at200 else "not measured",
            bool(at200) and 200 in ok_levels,
        ),
        "max_viewers": report.target(
            "largest level with p95 <= 1 s", max(ok_levels, default=0), bool(ok_levels)
        ),
        "memory": report.target(
            "memory growth < 100 MB per 50 viewers",
            f"{worst_growth} MB (worst level)",
            worst_growth is not None and worst_growth < 100,
        ),
        "errors": report.target("no viewer errors", len(errors), not errors),
    }
    if check:
        targets["simulation"] = report.target(
            "simulated viewer latency within 20 % of Chromium's (p50 and p95)",
            f"p50 {check['simulated']['p50_ms']} vs {check['chromium']['p50_ms']}, "
            f"p95 {check['simulated']['p95_ms']} vs {check['chromium']['p95_ms']}",
            check["p50_within_20pct"] and check["p95_within_20pct"],
        )
    report.emit("viewers", figures, targets)


if __name__ == "__main__":
    main()
