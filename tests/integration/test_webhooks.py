"""Webhooks from a real engine process to a receiver on 127.0.0.1: an event played through, every request's
signature checked, the order of the log kept, a refused delivery (500) tried again and accepted; a public
webhook carries nothing the board would not show, a private one the scores and comments."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from engine.domain import webhooks
from engine.domain.model import Phase, Settings
from engine.service.core import Service
from engine.views import exports
from tests.support.engines import Reaper, lease_holder
from tests.support.events import seed_event, start_event
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration

SECRET = "webhook-secret-0123456789"
SCORES = [{1: "6", 2: "7", 3: "6.5"}, {1: "9", 2: "8.5", 3: "9.5"}]
COMMENT = "A private note for the sheet."


class Receiver:
    """An HTTP server recording every request; the first to `refuse_path` is answered 500."""

    def __init__(self, refuse_path: str):
        self.requests: list[dict] = []
        self.refused_once = False
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                status = 200
                if self.path == refuse_path and not receiver.refused_once:
                    receiver.refused_once, status = True, 500
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body,
                                          "status": status, "at": time.time()})  # fmt: skip
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self, path: str) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests if r["path"] == path and r["status"] == 200]


@pytest.fixture
def receiver():
    r = Receiver("/public")
    yield r
    r.server.shutdown()


@pytest.fixture
def procs(tmp_path):
    r = Reaper(tmp_path)
    try:
        yield r
    finally:
        r.cleanup()


def play(svc: Service, tokens: dict[str, str], event_id: str) -> None:
    """Score each performer as their window opens; the engine closes it once the three present judges
    have scored (auto-close: a loaded machine cannot make the window's end close it too early)."""
    for i, by_judge in enumerate(SCORES):
        for j in by_judge:
            svc.heartbeat(tokens[f"judge{j}@test.local"])
        state = wait_for(
            lambda i=i: (s := svc.store.events.state(event_id)).phase is Phase.SCORING and s.index == i and s,
            60,  # the window before closes on its deadline (30 s) should the presence have lapsed
            f"performer {i + 1}'s scoring window",
        )
        for j in by_judge:  # present again as the window opens: the engine counts them for the auto-close
            svc.heartbeat(tokens[f"judge{j}@test.local"])
        for j, value in by_judge.items():
            comment = COMMENT if (i, j) == (0, 2) else None
            svc.submit_score(
                tokens[f"judge{j}@test.local"], state.performer_id, {"Score": value}, comment=comment
            )


def test_an_event_played_through_reaches_the_receiver_signed_in_order_with_a_retry(
    store, engine_env, procs, receiver
):
    svc = Service(store)
    tokens = seed_event(
        svc,
        performers=2,
        settings=Settings(perform_seconds=1, score_seconds=30, auto_start=False, auto_close=True),
    )
    event_id = svc.event_id()
    public, private = webhooks.Hook(f"{receiver.url}/public"), webhooks.Hook(f"{receiver.url}/private", True)
    env = {**engine_env, "STAGESCORE_WEBHOOK_SECRET": SECRET,
           "STAGESCORE_WEBHOOKS": f"{public.url}, private:{private.url}"}  # fmt: skip
    engine = procs.engine(env)
    wait_for(lambda: lease_holder(store) == engine.owner(), 20, "the engine to hold the lease")
    for hook in (public, private):  # each hook has begun reading the log: from now on nothing is missed
        wait_for(lambda hook=hook: store.webhooks.get(hook.hook_id, "main"), 20, "the webhooks to start")
    start_event(svc)
    play(svc, tokens, event_id)
    wait_for(lambda: store.events.state(event_id).phase is Phase.FINISHED, 60, "the event to finish")
    svc.results.sign_off(None)
    wait_for(lambda: len(receiver.accepted("/public")) >= 8, 30, lambda: f"8 deliveries: {receiver.requests}")
    wait_for(lambda: len(receiver.accepted("/private")) >= 8, 30, "8 private deliveries")

    for r in receiver.requests:  # every request: signed over its body, its id and time inside the body
        expected = "sha256=" + hmac.new(SECRET.encode(), r["body"], hashlib.sha256).hexdigest()
        assert r["headers"]["X-Stagescore-Signature"] == expected
        doc = json.loads(r["body"])
        assert r["headers"]["X-Stagescore-Delivery"] == doc["delivery_id"]
        assert float(r["headers"]["X-Stagescore-Timestamp"]) == pytest.approx(doc["timestamp"], abs=0.01)
        assert r["headers"]["X-Stagescore-Event"] == doc["event"] and abs(doc["timestamp"] - r["at"]) < 10

    names = {p.performer_id: p.name for p in svc.snapshot(event_id).performers}
    order = [names[pid] for pid in store.events.state(event_id).order]
    expected = [("phase_changed", "PERFORMING", order[0]), ("phase_changed", "SCORING", order[0]),
                ("results_public", None, order[0]), ("phase_changed", "PERFORMING", order[1]),
                ("phase_changed", "SCORING", order[1]), ("results_public", None, order[1]),
                ("phase_changed", "FINISHED", None), ("results_official", None, None)]  # fmt: skip

    def seen(docs):
        return [
            (d["event"], d["data"].get("phase"), (d["data"].get("performer") or {}).get("performer")
             if d["event"] == "results_public" else d["data"].get("performer"))
            for d in docs
        ]  # fmt: skip

    for path in ("/public", "/private"):
        docs = receiver.accepted(path)
        assert seen(docs) == expected, path
        assert len({d["delivery_id"] for d in docs}) == len(docs)  # no delivery accepted twice

    lags = sorted(
        r["at"] - json.loads(r["body"])["occurred_at"] for r in receiver.requests if r["status"] == 200
    )
    print(f"webhook lag, log entry to receiver: median {lags[len(lags) // 2]:.2f} s, max {lags[-1]:.2f} s")
    first = [r for r in receiver.requests if r["path"] == "/public"]
    assert first[0]["status"] == 500 and first[1]["status"] == 200  # refused, then tried again and accepted
    assert json.loads(first[0]["body"])["delivery_id"] == json.loads(first[1]["body"])["delivery_id"]
    assert first[1]["at"] - first[0]["at"] >= 0.9  # after the backoff's first second

    board = exports.public_board(svc.snapshot(event_id), time.time())
    shown = {row["performer"]: row for row in board["ranking"]}
    for d in receiver.accepted("/public"):
        text = json.dumps(d)
        assert "@test.local" not in text and COMMENT not in text and "private" not in d["data"]
        assert "performer_id" not in text
        if d["event"] == "results_public":
            row = d["data"]["performer"]
            assert (row["total"], row["scores_in"]) == (shown[row["performer"]]["total"], 3)
    official = receiver.accepted("/public")[-1]["data"]
    assert official["results_status"] == "official" and official["ranking"] == board["ranking"]
    private_docs = receiver.accepted("/private")
    scored = [d for d in private_docs if d["event"] == "results_public"][0]["data"]["private"]["scores"]
    assert COMMENT in {s["comment"] for s in scored} and all("@test.local" in s["judge"] for s in scored)
    assert private_docs[-1]["data"]["private"]["signed_off_by"] == "operator"
    state = store.webhooks.get(public.hook_id, "main")
    assert state.failing is None and state.dropped == 0 and state.delivered == 8


def test_a_refused_delivery_holds_back_the_later_ones_and_is_dropped_after_an_hour(svc, clock, store):
    """In process, on the test's clock: the delivery worker's rules on DynamoDB Local."""
    from engine.domain.model import Command, CommandKind
    from engine.timer.webhooks import Deliveries

    tokens = seed_event(svc, settings=Settings(perform_seconds=10, score_seconds=30, auto_start=False))
    sent: list[tuple[str, str | None]] = []
    answer = {"error": "HTTP 503"}

    def send(url, body, headers):
        sent.append((json.loads(body)["event"], json.loads(body)["data"].get("phase")))
        return answer["error"]

    hook = webhooks.Hook("http://127.0.0.1:9/hook")
    deliveries = Deliveries(store, [hook], SECRET, lambda: ["main"], clock=clock, send=send)
    deliveries.run_once(hook, "main")  # starts reading now: the event's creation is not sent
    assert sent == []
    svc.command(tokens["admin@test.local"], Command(CommandKind.START, force=True))
    svc.command(tokens["admin@test.local"], Command(CommandKind.SKIP))
    deliveries.run_once(hook, "main")
    assert sent == [("phase_changed", "PERFORMING")]  # refused: the skip's change waits behind it
    clock.advance(0.5)
    deliveries.run_once(hook, "main")
    assert len(sent) == 1  # not due again before a second
    clock.advance(0.6)
    deliveries.run_once(hook, "main")
    assert len(sent) == 2 and store.webhooks.get(hook.hook_id, "main").failing["attempts"] == 2
    assert "refused (HTTP 503), 2 attempt(s)" in webhooks.desk_lines(store.webhooks.list(), clock.now)[0]
    clock.advance(3600)
    answer["error"] = None
    deliveries.run_once(hook, "main")  # the receiver is back: the held delivery goes, then the next
    state = store.webhooks.get(hook.hook_id, "main")
    assert state.failing is None and state.delivered == 2 and state.dropped == 0
    assert [k for k, _ in sent[2:]] == ["phase_changed", "phase_changed"]
    answer["error"] = "HTTP 500"
    svc.command(tokens["admin@test.local"], Command(CommandKind.SKIP))
    deliveries.run_once(hook, "main")
    clock.advance(3601)
    deliveries.run_once(hook, "main")
    state = store.webhooks.get(hook.hook_id, "main")
    assert state.dropped == 1 and state.failing is None and state.last_dropped["error"] == "HTTP 500"
    assert "1 delivery(ies) dropped after an hour" in webhooks.desk_lines(store.webhooks.list(), clock.now)[0]
