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

from bench import common
from engine.model import Phase

PERFORM, SCORE, JUDGES = 1.5, 2.5, 3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--changes", type=int, default=60, help="at least this many changes")
    ap.add_argument("--pages", type=int, default=1, help="Chromium pages watching (each its own context)")
    a = ap.parse_args()
    performers = math.ceil(a.changes / (2 + JUDGES)) + 1

    from playwright.sync_api import sync_playwright

    with common.Stack("browser") as stack:
        svc = stack.service()
        judges = common.add_judges(svc, JUDGES)
        tokens = common.login_all(svc, judges)
        state = common.create_event(svc, performers, PERFORM, SCORE)
        stack.start_streamlit()
        stack.start_engine()
        with sync_playwright() as pw:
            browser = common.launch_chromium(pw)
            try:
                pages = [common.open_board(browser, stack.web_url) for _ in range(a.pages)]
                time.sleep(1.0)
                t0 = time.time()
                common.start_event(svc)
                driver = common.ScoreDriver(svc, tokens, state.event_id)
                driver.start()
                common.say(
                    f"event started: {performers} performers, about {performers * (PERFORM + SCORE):.0f} s"
                )

                def finished():
                    stack.check_alive()
                    return svc.store.events.state(state.event_id).phase is Phase.FINISHED

                common.wait_for(finished, performers * (PERFORM + SCORE) + 60, "the event to finish", 0.25)
                time.sleep(2.0)  # the last change reaches the page
                observed = [common.board_observations(p) for p in pages]
            finally:
                browser.close()
        driver.stop()
        changes = [c for c in common.board_changes(svc, state.event_id) if c[0] >= t0]

    lat_all, lat_state, lat_score = [], [], []
    for obs in observed:
        for change in changes:
            (x,) = common.seen_latencies([change], obs) or [None]
            if x is None:
                continue
            lat_all.append(x)
            (lat_state if change[1] == "version" else lat_score).append(x)
    unseen = sum(1 for x in lat_all if x == float("inf"))
    s = common.ms_summary(lat_all)
    figures = {
        "perform_seconds": PERFORM,
        "score_seconds": SCORE,
        "pages": a.pages,
        "changes": len(changes),
        "latency": s,
        "latency_transitions": common.ms_summary(lat_state),
        "latency_scores": common.ms_summary(lat_score),
        "unseen_changes": unseen,
        "score_errors": driver.errors[:5],
        "scores_refused": len(driver.refused),
    }
    common.print_table(
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
        "samples": common.target("at least 50 changes", s["n"], s["n"] >= 50),
        "all_seen": common.target("every change shown", f"{unseen} unseen", unseen == 0),
        "p95": common.target("p95 <= 1.5 s", s["p95_ms"], (s["p95_ms"] or 1e9) <= 1500),
    }
    common.emit("browser_latency", figures, targets)


if __name__ == "__main__":
    main()
