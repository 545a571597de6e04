"""Soak: an event running for --minutes (default 30) with 20 judges scoring and 100 simulated viewers
on the public board. Reported: errors of any kind (target 0) and the Streamlit server's resident
memory at the start and the end (target: growth at most 10 %).

The engine process runs the event (perform 3 s, score 8 s); the 20 judges send presence heartbeats
every 2 s and each scores every performer once at a random moment of its window, some revising
(Service, as their pages do); 100 simulated viewers (bench/viewers.py) poll the board.
Errors counted: a judge's call failing (a refusal because the window closed under the judge is
counted apart: that is the rule working), a heartbeat failing, a viewer's websocket or fetch failing,
a board saying the database is unreachable, a process exiting, a warning or traceback in the engine's
or Streamlit's log, and any problem `verify-log` finds in the event's hash-chained log.

    .venv/bin/python -m bench.soak [--minutes 30] [--judges 20] [--viewers 100]
"""

from __future__ import annotations

import argparse
import math
import re
import time

from bench import events, report
from bench.drivers.judges import Repeater, ScoreDriver
from bench.drivers.pool import ViewerPool
from bench.stack import BenchStack
from tests.support.processes import read_log

PERFORM, SCORE = 3.0, 8.0
_PROBLEM = re.compile(r"Traceback|\bERROR\b|\bWARNING\b|Exception")


def log_problems(proc) -> list[str]:
    return [line for line in read_log(proc).splitlines() if _PROBLEM.search(line)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--judges", type=int, default=20)
    ap.add_argument("--viewers", type=int, default=100)
    ap.add_argument("--sample-seconds", type=float, default=10.0, help="memory sampling period")
    ap.add_argument(
        "--trace-memory",
        action="store_true",
        help="diagnosis: tracemalloc in Streamlit, growth by allocation site to bench/results/profiles/",
    )
    report.add_profile_server_option(ap)
    a = ap.parse_args()
    seconds = a.minutes * 60
    performers = math.ceil((seconds * 1.2 + 180) / (PERFORM + SCORE))  # never finishes early

    samples: list[tuple[float, float, float]] = []  # (elapsed s, RSS MB, cores busy since last sample)
    with BenchStack("soak") as stack:
        svc = stack.service()
        emails = events.add_judges(svc, a.judges)
        tokens = events.login_all(svc, emails)
        state = events.create_event(svc, performers, PERFORM, SCORE, required_judges=min(3, a.judges))
        web = stack.start_web(
            env=report.diag_env(
                cpu_profile="soak-streamlit-cpu.txt" if a.profile_server else None,
                tracemalloc="soak-streamlit-tracemalloc.txt" if a.trace_memory else None,
                every=max(15.0, seconds / 6),
            )
            if a.trace_memory or a.profile_server
            else None
        )
        engine = stack.start_engine()
        stats = report.ProcStats(web.pid)
        heartbeats = [
            Repeater(lambda t=t: svc.heartbeat(t), 2.0, name=f"heartbeat-{i}")
            for i, t in enumerate(tokens.values())
        ]
        for h in heartbeats:
            h.start()
        events.start_event(svc)
        driver = ScoreDriver(svc, tokens, state.event_id, spread=(0.05, 0.9), random_times=True, revise=0.1)
        driver.start()
        pool = ViewerPool(stack.url, per_process=50)
        results: list[dict] = []
        try:
            report.say(f"connecting {a.viewers} viewers")
            pool.add(a.viewers)
            time.sleep(min(10.0, seconds / 10))
            t_start = time.time()
            stats.mark()
            rss_start = stats.rss_mb()
            samples.append((0.0, rss_start, 0.0))
            report.say(f"soaking for {a.minutes:g} min; Streamlit RSS {rss_start:.1f} MB")
            next_report = t_start + 60
            while (now := time.time()) < t_start + seconds:
                time.sleep(min(a.sample_seconds, t_start + seconds - now))
                stack.check_alive()
                _, cores = stats.cpu_since_mark()
                stats.mark()
                samples.append((time.time() - t_start, stats.rss_mb(), cores))
                if time.time() >= next_report:
                    next_report += 60
                    report.say(
                        f"{(time.time() - t_start) / 60:.0f} min: RSS {samples[-1][1]:.1f} MB, "
                        f"{len(driver.submitted)} scores, {len(driver.errors)} score errors"
                    )
            rss_end = stats.rss_mb()
            alive = web.poll() is None and engine.poll() is None
        finally:
            results = pool.stop()
            driver.stop()
            for h in heartbeats:
                h.stop()
        problems = svc.log.verify(state.event_id)
        changes = events.board_changes(svc, state.event_id)
        engine_log = log_problems(engine)
        web_log = log_problems(web)

    viewer_errors = [e for r in results for e in r.get("errors", [])]
    unreachable = sum(r.get("board_errors", 0) for r in results)
    heartbeat_errors = [e for h in heartbeats for e in h.errors]
    latencies = []
    for r in results:
        if r.get("connected_at"):
            latencies += events.seen_latencies(changes, r["obs"], t_start, t_start + seconds - 3)
    errors = {
        "score_calls": len(driver.errors),
        "heartbeats": len(heartbeat_errors),
        "viewers": len(viewer_errors),
        "board_unreachable_fetches": unreachable,
        "processes_exited": 0 if alive else 1,
        "engine_log": len(engine_log),
        "streamlit_log": len(web_log),
        "event_log_verification": len(problems),
        "changes_never_seen": sum(1 for x in latencies if x == float("inf")),
    }
    total_errors = sum(errors.values())
    growth = (rss_end - rss_start) / rss_start * 100
    figures = {
        "minutes": a.minutes,
        "judges": a.judges,
        "viewers": a.viewers,
        "viewers_connected": sum(1 for r in results if r.get("connected_at")),
        "scores_accepted": len(driver.submitted),
        "scores_refused_window_closed": len(driver.refused),
        "score_windows": driver.windows,
        "score_call": report.ms_summary([s["call_seconds"] for s in driver.submitted]),
        "board_latency": report.ms_summary(latencies),
        "errors": errors,
        "errors_total": total_errors,
        "error_samples": (driver.errors + heartbeat_errors + viewer_errors + engine_log + web_log + problems)[
            :10
        ],
        "rss_start_mb": round(rss_start, 1),
        "rss_end_mb": round(rss_end, 1),
        "rss_max_mb": round(max(s[1] for s in samples), 1),
        "rss_growth_pct": round(growth, 2),
        "server_cores_busy_mean": round(sum(s[2] for s in samples[1:]) / max(1, len(samples) - 1), 3),
        "rss_samples_mb": [round(s[1], 1) for s in samples[:: max(1, len(samples) // 30)]],
    }
    report.print_table(
        f"Soak: {a.minutes:g} min, {a.judges} judges, {a.viewers} simulated viewers",
        ["measure", "value"],
        [
            ["scores accepted", figures["scores_accepted"]],
            ["refused (window closed under the judge)", figures["scores_refused_window_closed"]],
            [
                "score call p50 / p95 ms",
                f"{figures['score_call']['p50_ms']} / {figures['score_call']['p95_ms']}",
            ],
            [
                "board latency p50 / p95 ms",
                f"{figures['board_latency']['p50_ms']} / {figures['board_latency']['p95_ms']}",
            ],
            *[[f"errors: {k}", v] for k, v in errors.items()],
            [
                "Streamlit RSS start / end / max MB",
                f"{rss_start:.1f} / {rss_end:.1f} / {figures['rss_max_mb']}",
            ],
            ["RSS growth %", figures["rss_growth_pct"]],
            ["Streamlit cores busy (mean)", figures["server_cores_busy_mean"]],
        ],
    )
    targets = {
        "errors": report.target("no errors", total_errors, total_errors == 0),
        "memory": report.target("memory growth <= 10 %", f"{growth:+.1f} %", growth <= 10),
    }
    report.emit("soak", figures, targets)


if __name__ == "__main__":
    main()
