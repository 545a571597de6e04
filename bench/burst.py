"""A burst of scores: 50 judges of one panel submit within the same 100 ms.

50 threads wait on a barrier, then each sends POST /live/score, with its own session cookie, to a real
web server (the one path a judge's phone uses, tests/support/judges.py). The engine process runs the
event: each round is one performer's scoring window (perform 0.5 s, score 30 s); after the burst the
admin's Close moves on to the next. Reported: how many were accepted (and are stored), latency
p50/p95/max, and the web server's CPU and DynamoDB requests (from its /metrics, the feed's reads
during the burst included) per score.

    .venv/bin/python -m bench.burst [--judges 50] [--rounds 5] [--profile]
"""

from __future__ import annotations

import argparse
import re
import threading
import time
import urllib.request
import uuid
from collections import Counter

from bench import events, report
from bench.stack import BenchStack
from engine.domain.model import Command, CommandKind, Phase
from tests.support.judges import post_score
from tests.support.live import session_cookie
from tests.support.waiting import wait_for


class Cost:
    """CPU seconds of the web server and of DynamoDB Local, and the web server's DynamoDB requests by
    operation (its /metrics: stagescore_db_request_seconds_count)."""

    def __init__(self, web_pid: int, db_pid: int, url: str):
        import psutil

        self.web, self.db, self.url = psutil.Process(web_pid), psutil.Process(db_pid), url
        self.ops: Counter[str] = Counter()

    def _requests(self) -> Counter[str]:
        with urllib.request.urlopen(self.url + "/metrics", timeout=10) as r:
            text = r.read().decode()
        found = re.findall(r'^stagescore_db_request_seconds_count\{operation="(\w+)"\} (\S+)$', text, re.M)
        return Counter({op: int(float(n)) for op, n in found})

    def _now(self) -> tuple[float, float, Counter[str]]:
        w, d = self.web.cpu_times(), self.db.cpu_times()
        return w.user + w.system, d.user + d.system, self._requests()

    def __enter__(self):
        self.start = self._now()
        return self

    def __exit__(self, *exc):
        end = self._now()
        self.client_cpu, self.db_cpu = end[0] - self.start[0], end[1] - self.start[1]
        self.ops = end[2] - self.start[2]
        self.sent = sum(self.ops.values())


def burst(url: str, cookie: str, tokens: dict[str, str], performer_id: str, window_id: int) -> dict:
    judges = list(tokens)
    released: list[float] = []
    barrier = threading.Barrier(len(judges), action=lambda: released.append(time.perf_counter()))
    starts, latencies, from_release, errors = {}, {}, {}, {}

    def one(judge: str, i: int) -> None:
        barrier.wait()
        t0 = time.perf_counter()
        starts[judge] = t0
        body = {
            "performer_id": performer_id,
            "window_id": window_id,
            "values": {"Score": f"{5 + (i % 50) / 10:.1f}"},
            "request_id": uuid.uuid4().hex,
        }
        status, answer = post_score(url, cookie, tokens[judge], body)
        t1 = time.perf_counter()
        if status == 200 and answer.get("ok"):
            latencies[judge] = t1 - t0
            from_release[judge] = t1 - released[0]
        else:  # reported: the target is that none fails
            errors[judge] = f"{status}: {answer.get('error')}"

    threads = [threading.Thread(target=one, args=(j, i)) for i, j in enumerate(judges)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    spread = max(starts.values()) - min(starts.values())
    return {
        "latencies": list(latencies.values()),
        "from_release": list(from_release.values()),
        "errors": errors,
        "start_spread": spread,
    }


def profile_sequential(svc, tokens: dict[str, str], event_id: str) -> None:
    """pyinstrument profiles one thread of this process only: so one more window, its scores submitted one
    by one in this process through the live route's Scorer (what POST /live/score runs)."""
    from pyinstrument import Profiler

    from engine.service.scoring import ScoreContext, Scorer

    st = wait_for(
        lambda: (s := svc.store.events.state(event_id)).phase is Phase.SCORING and s,
        30,
        "a scoring window",
        ignore=(),
    )
    profiler = Profiler(interval=0.0002)
    profiler.start()
    t0 = time.perf_counter()
    scorer = Scorer(svc.store, time.time)
    context = ScoreContext(event_id, svc.bundle().settings, lambda performer, judge: None)
    for token in tokens.values():
        scorer.submit(token, context, st.performer_id, st.window_id, {"Score": "7.0"})
    took = time.perf_counter() - t0
    profiler.stop()
    out = report.RESULTS / "profiles" / "burst.html"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(profiler.output_html())
    report.say(
        f"{len(tokens)} sequential submissions: {took / len(tokens) * 1000:.1f} ms each; profile: {out}"
    )
    print(profiler.output_text(unicode=False, color=False)[:8000])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--judges", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--profile", action="store_true", help="then profile 50 sequential submissions")
    a = ap.parse_args()

    rounds = []
    with BenchStack("burst") as stack:
        svc = stack.service()
        emails = events.add_judges(svc, a.judges)
        report.say(f"logging in {a.judges} judges")
        tokens = events.login_all(svc, emails)
        state = events.create_event(svc, a.rounds + 2, 0.5, 30.0, required_judges=a.judges)
        stack.start_engine()
        web = stack.start_web()
        cookie = session_cookie(stack.prefix)
        cost = Cost(web.pid, stack.db.pid, stack.url)
        events.start_event(svc)
        for r in range(a.rounds):
            st = wait_for(
                lambda: (s := svc.store.events.state(state.event_id)).phase is Phase.SCORING and s,
                30,
                "a scoring window",
                ignore=(),
            )
            with cost:
                res = burst(stack.url, cookie, tokens, st.performer_id, st.window_id)
            res["ops"] = cost.ops
            n = max(1, len(res["latencies"]))
            res["client_cpu_ms_per_score"] = cost.client_cpu / n * 1000
            res["dynamodb_cpu_ms_per_score"] = cost.db_cpu / n * 1000
            res["requests_per_score"] = cost.sent / n
            stored = svc.store.scores.list(state.event_id, st.performer_id, consistent=True)
            res["stored"] = len(stored)
            rounds.append(res)
            report.say(
                f"round {r + 1}: {len(res['latencies'])} accepted, {len(stored)} stored, "
                f"p95 {report.ms_summary(res['latencies'])['p95_ms']} ms"
            )
            svc.command(None, Command(CommandKind.CLOSE))
            time.sleep(0.1)
        if a.profile:
            profile_sequential(svc, tokens, state.event_id)

    all_lat = [x for r in rounds for x in r["latencies"]]
    warm = [x for r in rounds[1:] for x in r["latencies"]]
    s = report.ms_summary(all_lat)
    accepted = sum(len(r["latencies"]) for r in rounds)
    stored = sum(r["stored"] for r in rounds)
    errors = [e for r in rounds for e in r["errors"].values()]
    figures = {
        "judges": a.judges,
        "rounds": a.rounds,
        "submitted": a.judges * a.rounds,
        "accepted": accepted,
        "stored": stored,
        "latency": s,
        # From the barrier's release (every judge "pressed" at that instant) to acceptance.
        "latency_from_release": report.ms_summary([x for r in rounds for x in r["from_release"]]),
        "latency_first_round": report.ms_summary(rounds[0]["latencies"]) if rounds else None,
        "latency_later_rounds": report.ms_summary(warm),
        "max_start_spread_ms": round(max(r["start_spread"] for r in rounds) * 1000, 1),
        "requests_per_score": round(sum(r["requests_per_score"] for r in rounds) / len(rounds), 2),
        "requests_per_score_by_operation": {
            op: round(n / max(1, accepted), 2) for op, n in sum((r["ops"] for r in rounds), Counter()).items()
        },
        "client_cpu_ms_per_score": round(sum(r["client_cpu_ms_per_score"] for r in rounds) / len(rounds), 2),
        "dynamodb_cpu_ms_per_score": round(
            sum(r["dynamodb_cpu_ms_per_score"] for r in rounds) / len(rounds), 2
        ),
        "errors": errors[:5],
    }

    def row(label, r_lat, acc, sto, spread, req, ccpu, dcpu):
        m = report.ms_summary(r_lat)
        return [label, acc, sto, spread, m["p50_ms"], m["p95_ms"], m["max_ms"], req, ccpu, dcpu]

    report.print_table(
        f"Burst: {a.judges} judges submit at once, {a.rounds} rounds (latency of POST /live/score)",
        [
            "round",
            "accepted",
            "stored",
            "start spread ms",
            "p50 ms",
            "p95 ms",
            "max ms",
            "req/score",
            "web server CPU ms/score",
            "DynamoDB CPU ms/score",
        ],
        [
            row(
                i + 1,
                r["latencies"],
                len(r["latencies"]),
                r["stored"],
                round(r["start_spread"] * 1000, 1),
                round(r["requests_per_score"], 1),
                round(r["client_cpu_ms_per_score"], 1),
                round(r["dynamodb_cpu_ms_per_score"], 1),
            )
            for i, r in enumerate(rounds)
        ]
        + [
            row(
                "all",
                all_lat,
                accepted,
                stored,
                figures["max_start_spread_ms"],
                figures["requests_per_score"],
                figures["client_cpu_ms_per_score"],
                figures["dynamodb_cpu_ms_per_score"],
            )
        ],
    )
    targets = {
        "accepted": report.target(
            "all accepted (and stored)",
            f"{accepted}/{a.judges * a.rounds}, stored {stored}",
            accepted == stored == a.judges * a.rounds,
        ),
        "within_100ms": report.target(
            "(set-up) every call starts within 100 ms of the others",
            f"{figures['max_start_spread_ms']} ms",
            figures["max_start_spread_ms"] <= 100,
        ),
        # The judges' path over HTTP, so the README's "50 judges at once" target (bench.judges) applies;
        # the 150 ms this benchmark had was for an in-process call that judges never made.
        "p95": report.target(
            "p95 <= 750 ms (50 at once over HTTP)", s["p95_ms"], (s["p95_ms"] or 1e9) <= 750
        ),
    }
    report.emit("burst", figures, targets)


if __name__ == "__main__":
    main()
