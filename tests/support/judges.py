"""Judges as their phones are, for the fault runs and the burst benchmark: each keeps the judge stream
/live/judge open and scores the performer and window it last showed, by POST /live/score with its
session cookie. A 502, 503, 504 or a broken connection is sent again with the same request id, through
the next server in its list (or the same nginx, which picks another), as the judge screen does
(ui/components/judge_core.js `retryable`). Every submission is recorded as an Attempt for the checks.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from engine.domain.model import StagescoreError
from tests.support.live import EventStream, connection

ALREADY_ENDED = "That device has already logged out."  # engine/service/logins.py end_device
RETRYABLE = (0, 502, 503, 504)  # 0: no answer (refused, reset, cut)
OUTCOMES = {200: "ack", 409: "refused", 401: "ended"}  # anything else reaching a judge is an error


@dataclass
class Attempt:
    judge: str
    performer_id: str
    request_id: str
    t0: float
    t1: float
    outcome: str  # ack | refused (409) | ended (401) | transient (no answer after retrying) | error
    total: Decimal | None = None
    revision: int | None = None
    message: str = ""
    window_id: int | None = None  # the window the request named
    tries: int = 1


def post_score(url: str, cookie: str, token: str, body: dict, timeout: float = 10.0) -> tuple[int, dict]:
    """One POST /live/score as the page sends it; (status, answer), status 0 when no answer came."""
    conn = connection(url, timeout)
    headers = {"Content-Type": "application/json", "X-Stagescore": "1", "Cookie": f"{cookie}={token}"}
    try:
        conn.request("POST", "/live/score", json.dumps(body), headers)
        resp = conn.getresponse()
        raw = resp.read()
    except (OSError, http.client.HTTPException) as e:
        return 0, {"error": repr(e)}
    finally:
        conn.close()
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:  # nginx's own error pages are HTML
        answer = {"error": raw[:200].decode(errors="replace")}
    return resp.status, answer if isinstance(answer, dict) else {"error": repr(answer)}


class Judges:
    """Judges scoring over HTTP at random moments whatever their screen shows (and sometimes what it
    showed before: a page left on the last performer, whose score must be refused with 409).

    `urls`: the servers (or the nginx in front) in the order a judge tries them; `cookie`: the session
    cookie's name; `tokens`: judge email -> session token. `end_session` logs one judge out at a moment
    while their phone keeps sending: each of those must be refused (401) and none stored."""

    def __init__(
        self,
        urls: Sequence[str],
        cookie: str,
        tokens: dict[str, str],
        event_id: str,
        seed: int,
        pause: tuple[float, float] = (0.08, 0.3),
        give_up: float = 8.0,
        name_event: bool = False,
    ):
        self.urls, self.cookie, self.tokens, self.event_id = list(urls), cookie, tokens, event_id
        self.seed, self.pause, self.give_up = seed, pause, give_up
        self.name_event = name_event  # send the event id the screen showed, as judge_net.js does
        self.attempts: list[Attempt] = []
        self.ended: dict[str, tuple[float, float]] = {}  # judge -> (logout began, logout returned)
        self.reconnects = 0
        self._docs: dict[str, dict | None] = dict.fromkeys(tokens)
        self._ending: dict[str, tuple[float, Callable[[str], None]]] = {}
        self._pressed: dict[str, float] = {}  # judge -> when the admin first pressed End for them
        self._streams: dict[str, EventStream] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    def start(self) -> Judges:
        for i, email in enumerate(sorted(self.tokens)):
            rng = random.Random(self.seed * 100 + i)
            for target, args in ((self._watch, (i, email)), (self._score, (i, email, rng))):
                t = threading.Thread(target=target, args=args, daemon=True, name=f"judge-{i}")
                t.start()
                self._threads.append(t)
        return self

    def showing(self) -> bool:
        """Every judge's screen shows the event (its lobby, say): what a show has before the admin's Start."""
        return all(self._docs[email] is not None for email in self.tokens)

    def end_session(self, email: str, at: float, logout: Callable[[str], None]) -> None:
        """At wall-clock `at`, `logout(token)` ends `email`'s session; their phone keeps scoring."""
        self._ending[email] = (at, logout)

    # ---- the screen: the judge stream, reconnected to the next server when it breaks
    def _watch(self, i: int, email: str) -> None:
        n = i
        while not self._stop.is_set():
            stream = None
            try:
                stream = EventStream(
                    self.urls[n % len(self.urls)], "/live/judge", self.tokens[email], 5, self.cookie
                )
                self._streams[email] = stream
                if stream.status != 200:
                    raise ConnectionError(f"the judge stream answered {stream.status}")
                while not self._stop.is_set():
                    doc = stream.next_doc(timeout=30)
                    if doc.get("event_id") == self.event_id:
                        self._docs[email] = doc
                        if doc.get("phase") == "FINISHED":
                            return
            except (OSError, http.client.HTTPException, ValueError):
                with self._lock:
                    self.reconnects += 1
                n += 1
                self._stop.wait(0.2)
            finally:
                if stream is not None:
                    stream.close()

    # ---- the thumb: a score now and then, for what the screen shows
    def _score(self, i: int, email: str, rng: random.Random) -> None:
        last = None  # (performer, window) of the last scoring window this screen showed
        while not self._stop.is_set():
            self._maybe_end(email)
            doc = self._docs[email]
            if doc is None or doc.get("performer_id") is None:
                self._stop.wait(0.05)
                continue
            if doc.get("phase") == "FINISHED" and email not in self.ended:
                return
            target = (doc["performer_id"], doc["window_id"])
            if last and last[0] != target[0] and rng.random() < 0.15:
                target = last  # a late submission for the previous performer: must be refused
            if doc.get("phase") == "SCORING":
                last = (doc["performer_id"], doc["window_id"])
            self.submit(email, *target, Decimal(rng.randint(0, 100)) / 10, start=i)
            self._stop.wait(rng.uniform(*self.pause))

    def _maybe_end(self, email: str) -> None:
        if email in self._ending and time.time() >= self._ending[email][0]:
            _, logout = self._ending[email]
            # A press that failed half-way (the database killed mid-call) may have ended the session all the
            # same: the logout began at the first press, and "already logged out" on a later one means done.
            began = self._pressed.setdefault(email, time.time())
            try:
                logout(self.tokens[email])
            except StagescoreError as e:  # the database is away (a fault run): the admin presses End again
                if str(e) != ALREADY_ENDED:
                    return
            del self._ending[email]
            self.ended[email] = (began, time.time())

    def submit(self, email: str, pid: str, window: int, value: Decimal, start: int = 0) -> Attempt:
        """One submission, sent again with the same request id while it gets no definite answer."""
        rid = uuid.uuid4().hex
        body = {"performer_id": pid, "window_id": window, "values": {"Score": str(value)}, "request_id": rid}
        if self.name_event:
            body["event_id"] = self.event_id
        t0, tries = time.time(), 0
        while True:
            status, answer = self._send(email, body, start + tries)
            tries += 1
            if status not in RETRYABLE or time.time() - t0 > self.give_up or self._stop.is_set():
                break
            self._stop.wait(min(0.05 * 2**tries, 1.0))
        outcome = OUTCOMES.get(status, "transient" if status in RETRYABLE else "error")
        if outcome == "ack" and not answer.get("ok"):
            outcome = "error"
        a = Attempt(email, pid, rid, t0, time.time(), outcome, window_id=window, tries=tries)
        if outcome == "ack":
            a.total, a.revision = Decimal(answer["total"]), int(answer["revision"])
        else:
            a.message = f"{status}: {answer.get('error', '')}"
        self.record(a)
        return a

    def _send(self, email: str, body: dict, n: int) -> tuple[int, dict]:
        return post_score(self.urls[n % len(self.urls)], self.cookie, self.tokens[email], body)

    def record(self, a: Attempt) -> None:
        with self._lock:
            self.attempts.append(a)

    def stop(self) -> None:
        self._stop.set()
        for stream in list(self._streams.values()):
            stream.interrupt()
        for t in self._threads:
            t.join(15)

    cleanup = stop

    # ---- what the checks need
    def acknowledged(
        self, excused: frozenset[str] = frozenset()
    ) -> dict[tuple[str, str], tuple[Decimal, int]]:
        acks: dict[tuple[str, str], tuple[Decimal, int]] = {}
        for a in self.attempts:
            if a.request_id in excused or a.outcome != "ack":
                continue
            key = (a.performer_id, a.judge)
            if key not in acks or acks[key][1] < a.revision:
                acks[key] = (a.total, a.revision)
        return acks

    def counts(self) -> dict[str, int]:
        c: dict[str, int] = defaultdict(int)
        for a in self.attempts:
            c[a.outcome] += 1
        c["retried"] = sum(1 for a in self.attempts if a.tries > 1)
        return dict(c)


class InProcessJudges(Judges):
    """The same judges through a Service in this process (for tests of the engine process alone, with no
    web server): their screen is the status item read every 50 ms, their request Service.submit_score,
    its exceptions answered with the statuses POST /live/score gives them. Requests name no window."""

    def __init__(self, svc, tokens: dict[str, str], event_id: str, seed: int, pause=(0.08, 0.3)):
        super().__init__([], "", tokens, event_id, seed, pause)
        self.svc = svc

    def _watch(self, i: int, email: str) -> None:
        while not self._stop.wait(0.05):
            try:
                s = self.svc.store.events.state(self.event_id)
            except Exception:  # the database down on purpose: the screen keeps what it had
                continue
            self._docs[email] = {"phase": s.phase.value, "performer_id": s.performer_id, "window_id": None}
            if s.phase.value == "FINISHED":
                return

    def _send(self, email: str, body: dict, n: int) -> tuple[int, dict]:
        from engine.domain.model import Conflict, DatabaseUnavailable, NotAllowed, ScoreRefused

        try:
            score, replayed = self.svc.submit_score(
                self.tokens[email], body["performer_id"], body["values"], request_id=body["request_id"]
            )
        except ScoreRefused as e:
            return 409, {"error": str(e)}
        except NotAllowed as e:
            return 401, {"error": str(e)}
        except (Conflict, DatabaseUnavailable) as e:
            return 503, {"error": str(e)}
        except Exception as e:  # anything else reaching a judge's page is a bug to report
            return 500, {"error": repr(e)}
        return 200, {"ok": True, "total": str(score.total), "revision": score.revision, "replayed": replayed}
