"""Board latency in a real browser: from the engine writing a transition (or a judge's score being
written) to that change showing in Chromium on /leaderboard.

The engine process runs an event (perform 1.5 s, score 2.5 s); three judges score each performer at
evenly spaced moments of its window (Service.submit_score). In the page, a MutationObserver on the
board's root (`.board`, in the component's shadow DOM) records performance.timeOrigin +
performance.now() at each render that changed the state version (`data-version`) or the number of
scores shown. Same machine, same clock: latency = that time - the change's write time (`written_at`
of the state change's log entry; `submitted_at` of a score).

    .venv/bin/python -m bench.browser_latency [--changes 60] [--pages 1]
"""

from __future__ import annotations

import argparse
import math
import time

from bench import events, report
from bench.browser import board_observations, launch_chromium, open_board
from bench.drivers.judges import ScoreDriver
from bench.stack import BenchStack
from engine.domain.model import Phase
from tests.support.waiting import wait_for

PERFORM, SCORE, JUDGES = 1.5, 2.5, 3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--changes", type=int, default=60, help="at least this many changes")
    ap.add_argument("--pages", type=int, default=1, help="Chromium pages watching (each its own context)")
    a = ap.parse_args()
    performers = math.ceil(a.changes / (2 + JUDGES)) + 1

    from playwright.sync_api import sync_playwright

    with BenchStack("browser") as stack:
        svc = stack.service()
        judges = events.add_judges(svc, JUDGES)
        tokens = events.login_all(svc, judges)
        state = events.create_event(svc, performers, PERFORM, SCORE)
        stack.start_web()
        stack.start_engine()
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            try:
                pages = [open_board(browser, stack.url) for _ in range(a.pages)]
                time.sleep(1.0)
                t0 = time.time()
                events.start_event(svc)
                driver = ScoreDriver(svc, tokens, state.event_id)
                driver.start()
                report.say(
                    f"event started: {performers} performers, about {performers * (PERFORM + SCORE):.0f} s"
                )

                def finished():
                    stack.check_alive()
                    return svc.store.events.state(state.event_id).phase is Phase.FINISHED

                wait_for(
                    finished, performers * (PERFORM + SCORE) + 60, "the event to finish", 0.25, ignore=()
                )
                time.sleep(2.0)  # the last change reaches the page
                observed = [board_observations(p) for p in pages]
            finally:
                browser.close()
        driver.stop()
        changes = [c for c in events.board_changes(svc, state.event_id) if c[0] >= t0]

    lat_all, lat_state, lat_score = [], [], []
    for obs in observed:
        for change in changes:
            (x,) = events.seen_latencies([change], obs) or [None]
            if x is None:
                continue
            lat_all.append(x)
            (lat_state if change[1] == "version" else lat_score).append(x)
    unseen = sum(1 for x in lat_all if x == float("inf"))
    s = report.ms_summary(lat_all)
    figures = {
        "perform_seconds": PERFORM,
        "score_seconds": SCORE,
        "pages": a.pages,
        "changes": len(changes),
        "latency": s,
        "latency_transitions": report.ms_summary(lat_state),
        "latency_scores": report.ms_summary(lat_score),
        "unseen_changes": unseen,
        "score_errors": driver.errors[:5],
        "scores_refused": len(driver.refused),
    }
    report.print_table(
        "Browser latency: change written → shown in Chromium on /leaderboard",
        ["changes", "n", "p50 ms", "p95 ms", "max ms", "mean ms"],
        [
            [k, d["n"], d["p50_ms"], d["p95_ms"], d["max_ms"], d["mean_ms"]]
            for k, d in (
                ("all", s),
                ("transitions", figures["latency_transitions"]),
                ("scores", figures["latency_scores"]),
            )
        ],
    )
    targets = {
        "samples": report.target("at least 50 changes", s["n"], s["n"] >= 50),
        "all_seen": report.target("every change shown", f"{unseen} unseen", unseen == 0),
        "p95": report.target("p95 <= 1.5 s", s["p95_ms"], (s["p95_ms"] or 1e9) <= 1500),
    }
    report.emit("browser_latency", figures, targets)


if __name__ == "__main__":
    main()
