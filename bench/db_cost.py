"""Database cost of the public board: DynamoDB requests per second made by the Streamlit server with
1, 10 and 50 viewers on /leaderboard; and DynamoDB requests per score on the live score path.

A small counting HTTP proxy on loopback sits in front of DynamoDB Local; only the Streamlit process
talks through it (its AWS_ENDPOINT_URL_DYNAMODB points at the proxy; the engine and this script's
judges go direct). The event runs (perform 2 s, score 3 s, three judges scoring) so the board is live.
Viewers: real Chromium pages (Playwright contexts) at 1 and 10; simulated viewers (bench/viewers.py)
at 1, 10 and 50.

    .venv/bin/python -m bench.db_cost [--window 20] [--no-browsers]
"""

from __future__ import annotations

import argparse
import bisect
import http.client
import math
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from bench import events, report
from bench.browser import launch_chromium, open_board
from bench.drivers.judges import ScoreDriver
from bench.drivers.pool import ViewerPool
from bench.stack import BenchStack
from engine.localdb import free_port


class CountingProxy:
    """Forwards every POST to DynamoDB Local and records (time, X-Amz-Target) of each request."""

    def __init__(self, upstream: str):
        u = urlsplit(upstream)
        self.upstream = (u.hostname, u.port)
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.ops: list[str] = []
        self.port = free_port()
        proxy = self
        local = threading.local()

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as botocore expects

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                op = (self.headers.get("X-Amz-Target") or "?").rsplit(".", 1)[-1]
                with proxy.lock:
                    proxy.times.append(time.time())
                    proxy.ops.append(op)
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")
                }
                for attempt in (0, 1):
                    conn = getattr(local, "conn", None)
                    if conn is None:
                        conn = local.conn = http.client.HTTPConnection(*proxy.upstream, timeout=30)
                    try:
                        conn.request("POST", self.path, body=body, headers=headers)
                        resp = conn.getresponse()
                        data = resp.read()
                        break
                    except (OSError, http.client.HTTPException):
                        conn.close()
                        local.conn = None
                        if attempt:
                            self.send_error(502)
                            return
                self.send_response_only(resp.status, resp.reason)
                for k, v in resp.getheaders():
                    if k.lower() not in (
                        "content-length",
                        "transfer-encoding",
                        "connection",
                        "date",
                        "server",
                    ):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client hanging up (Streamlit stopping) is not news

        self.server = Server(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, name="proxy", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> CountingProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def window(self, t0: float, t1: float) -> tuple[float, dict[str, float]]:
        """Requests a second in [t0, t1), total and by operation."""
        with self.lock:
            i, j = bisect.bisect_left(self.times, t0), bisect.bisect_left(self.times, t1)
            ops = Counter(self.ops[i:j])
        span = t1 - t0
        return (j - i) / span, {k: round(v / span, 2) for k, v in sorted(ops.items())}


class Requests:
    """Every DynamoDB request a store's client makes (botocore's before-call hook), by operation."""

    def __init__(self, store):
        self.seen: Counter[str] = Counter()
        store.client.boto.meta.events.register("before-call.dynamodb", self._count)

    def _count(self, model, **_):
        self.seen[model.name] += 1

    def take(self) -> Counter:
        taken, self.seen = self.seen, Counter()
        return taken


def requests_per_score(stack, tokens: dict[str, str]) -> dict:
    """DynamoDB requests of the live score path (engine/service/scoring.py, POST /live/score's) per score,
    counted on a fresh store as a new server process would have it: a judge's first score (no session
    cached), a revision, a replay, and a score from a judge whose stream had connected."""
    from engine.service.feed import Feed
    from engine.service.scoring import Identity, ScoreContext, Scorer

    store = stack.store()
    svc = stack.service()
    deadline = time.time() + 30
    while (state := svc.bundle().state).phase.value != "SCORING" or state.deadline - time.time() < 1.5:
        if time.time() > deadline:
            raise RuntimeError("no scoring window to measure in")
        time.sleep(0.05)
    feed = Feed(store)
    feed.read()
    context = ScoreContext(state.event_id, svc.bundle().settings, feed.score)
    scorer = Scorer(store, time.time)
    count = Requests(store)
    judges = list(tokens)
    pid, w = state.performer_id, state.window_id
    cases: dict[str, list[int]] = {"first (cold)": [], "revision": [], "replay": [], "stream connected": []}
    for i, email in enumerate(judges):
        token = tokens[email]
        if i == len(judges) - 1:
            scorer.remember(token, Identity(email, svc.logins.whoami(token).role, ""))
            scorer.submit(token, context, pid, w, {"Score": "6"}, f"c{i}")
            cases["stream connected"].append(sum(count.take().values()))
            continue
        scorer.submit(token, context, pid, w, {"Score": "6"}, f"a{i}")
        cases["first (cold)"].append(sum(count.take().values()))
        scorer.submit(token, context, pid, w, {"Score": "7"}, f"b{i}")
        cases["revision"].append(sum(count.take().values()))
        scorer.submit(token, context, pid, w, {"Score": "7"}, f"b{i}")
        cases["replay"].append(sum(count.take().values()))
    return {case: max(n) for case, n in cases.items() if n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--window", type=float, default=20.0, help="seconds counted per level")
    ap.add_argument("--warmup", type=float, default=3.0)
    ap.add_argument("--no-browsers", action="store_true", help="simulated viewers only")
    a = ap.parse_args()

    perform, score = 2.0, 3.0
    phases = (0 if a.no_browsers else 2) + 3 + 1
    # Generous: opening pages on a busy machine takes a while, and the board must stay live throughout.
    performers = 2 * math.ceil((phases * (a.window + a.warmup + 15) + 60) / (perform + score)) + 20
    rows: list[dict] = []

    with BenchStack("dbcost") as stack, CountingProxy(stack.db_url) as proxy:
        svc = stack.service()
        judges = events.add_judges(svc, 3)
        tokens = events.login_all(svc, judges)
        state = events.create_event(svc, performers, perform, score)
        stack.start_web(env={"AWS_ENDPOINT_URL_DYNAMODB": proxy.url})
        stack.start_engine()
        events.start_event(svc)
        driver = ScoreDriver(svc, tokens, state.event_id)
        driver.start()

        def measure(kind: str, n: int) -> None:
            time.sleep(a.warmup)
            t0 = time.time()
            time.sleep(a.window)
            rate, ops = proxy.window(t0, time.time())
            stack.check_alive()
            rows.append(
                {
                    "viewers": n,
                    "kind": kind,
                    "requests_per_second": round(rate, 2),
                    # Each board snapshot (ui/board.py, every 0.25 s) makes exactly one GetItem.
                    "snapshots_per_second": ops.get("GetItem", 0.0),
                    "by_operation": ops,
                }
            )
            report.say(f"{n} {kind} viewer(s): {rate:.2f} requests/s {ops}")

        measure("none", 0)
        if not a.no_browsers:
            from playwright.sync_api import sync_playwright

            with sync_playwright() as pw:
                browser = launch_chromium(pw)
                try:
                    pages = [open_board(browser, stack.url)]
                    measure("chromium", 1)
                    pages += [open_board(browser, stack.url) for _ in range(9)]
                    measure("chromium", 10)
                finally:
                    browser.close()
        pool = ViewerPool(stack.url)
        try:
            for n in (1, 10, 50):
                pool.add(n - pool.count)
                measure("simulated", n)
        finally:
            results = pool.stop()
        measure("none (after)", 0)
        driver.stop()
        per_score = requests_per_score(stack, tokens)
        report.say(f"DynamoDB requests per score (the most seen): {per_score}")

    def rate(kind: str, n: int) -> float | None:
        return next((r["requests_per_second"] for r in rows if r["kind"] == kind and r["viewers"] == n), None)

    one, fifty = rate("simulated", 1), rate("simulated", 50)
    ratio = fifty / one if one and fifty is not None else None
    errors = [e for r in results for e in r.get("errors", [])]
    figures = {
        "window_seconds": a.window,
        "levels": rows,
        "ratio_50_to_1": None if ratio is None else round(ratio, 3),
        "viewer_errors": len(errors),
        "score_errors": driver.errors[:5],
        "requests_per_score": per_score,
    }
    report.print_table(
        "DynamoDB requests per second made by the Streamlit server",
        ["viewers", "kind", "req/s", "snapshots/s", "by operation"],
        [
            [r["viewers"], r["kind"], r["requests_per_second"], r["snapshots_per_second"], r["by_operation"]]
            for r in rows
        ],
    )
    browsers = (rate("chromium", 1), rate("chromium", 10))
    flat_browsers = None not in browsers and browsers[0] and browsers[1] <= 1.10 * browsers[0]
    targets = {
        "flat": report.target(
            "flat: requests/s at 50 viewers <= 1.10 x at 1",
            f"{fifty} vs {one} (x{figures['ratio_50_to_1']})",
            ratio is not None and ratio <= 1.10,
        ),
    }
    worst = max(per_score.values())
    targets["per_score"] = report.target("<= 3 DynamoDB requests per score", worst, worst <= 3)
    if not a.no_browsers:
        targets["flat_browsers"] = report.target(
            "flat with Chromium: at 10 <= 1.10 x at 1", f"{browsers[1]} vs {browsers[0]}", bool(flat_browsers)
        )
    report.emit("db_cost", figures, targets)


if __name__ == "__main__":
    main()
