"""Audience phones over HTTP, for the fault runs and the benchmarks: each phone is its own cookie jar (the
voter cookie GET /vote sets, and nginx's route cookie) and votes as ui/vote/vote.js does: GET /vote once,
GET /vote/window?code= for the code the room's screen shows, then POST /vote with a request id. A request
that got no answer (a broken connection, 502, 503, 504) is sent again with the same request id until it
is acknowledged or refused. Every vote is recorded as a Cast for the checks.

A Kiosk is the room's screen (the windows and their codes, read from the database); a Crowd is many
phones, each in a thread of its own, voting in every window they see on it, some revising, some in the
last second before a window closes and some just after (a page left open on the code).
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie

from engine.domain.votes import VoteWindow
from tests.support.live import connection
from ui import cookies

RETRYABLE = (0, 502, 503, 504)  # 0: no answer (refused, reset, cut)


@dataclass
class Cast:
    """One vote as its phone saw it (all its tries share the request id)."""

    phone: int
    window: str  # the window's key: a performer's id
    code: str
    value: int
    request_id: str
    t0: float
    t1: float = 0.0
    outcome: str = ""  # ack | refused (409) | lost (no definite answer before giving up) | error
    tries: int = 0
    cut: bool = False  # some try got no answer: it may have reached the database all the same
    replayed: bool = False
    statuses: tuple[int, ...] = ()
    message: str = ""

    @property
    def uncertain(self) -> bool:
        """Not acknowledged, yet it may count: a try was cut and nothing after it settled the question."""
        return self.outcome != "ack" and self.cut


@dataclass(frozen=True)
class Find:
    """A phone looking up the window of a code (GET /vote/window)."""

    phone: int
    window: str
    t0: float
    t1: float
    status: int
    message: str = ""


class Phone:
    """A phone's browser: its cookies, and requests to one url (nginx, or a web server)."""

    def __init__(self, n: int, url: str, timeout: float = 10.0):
        self.n, self.url, self.timeout = n, url, timeout
        self.jar: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        """(status, JSON answer); status 0 when no answer came."""
        headers = {"Accept-Encoding": "br, gzip"}
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        if body is not None:
            headers.update({"Content-Type": "application/json", "X-Stagescore": "1"})
        conn = connection(self.url, self.timeout)
        try:
            conn.request(method, path, None if body is None else json.dumps(body), headers)
            resp = conn.getresponse()
            raw = resp.read()
        except (OSError, http.client.HTTPException) as e:
            return 0, {"error": repr(e)}
        finally:
            conn.close()
        for header in resp.headers.get_all("Set-Cookie") or ():
            try:
                jar = SimpleCookie(header)
            except CookieError:
                continue
            self.jar.update({name: morsel.value for name, morsel in jar.items()})
        if not resp.headers.get("Content-Type", "").startswith("application/json"):
            return resp.status, {}  # the page itself, or nginx's own HTML error page
        try:
            answer = json.loads(raw or b"{}")
        except ValueError:
            answer = {"error": raw[:200].decode(errors="replace")}
        return resp.status, answer if isinstance(answer, dict) else {"error": repr(answer)}

    @property
    def voter(self) -> str | None:
        """The device token the vote page gave this phone (its HttpOnly cookie)."""
        return next((v for k, v in self.jar.items() if k.endswith(cookies.VOTER)), None)

    def open_page(self, give_up: float = 30.0) -> None:
        """GET /vote until it answers 200 with the voter cookie (AssertionError if it never does)."""
        t0, status = time.monotonic(), 0
        while time.monotonic() - t0 < give_up:
            status, _ = self.request("GET", "/vote")
            if status == 200 and self.voter:
                return
            time.sleep(0.2)
        raise AssertionError(f"phone {self.n}: GET /vote answered {status} and no voter cookie")

    def find(self, code: str) -> tuple[int, dict]:
        """GET /vote/window?code=, as the page does with a typed or scanned code (retried while cut)."""
        for _ in range(20):
            status, answer = self.request("GET", f"/vote/window?code={code}")
            if status not in RETRYABLE:
                return status, answer
            time.sleep(0.2)
        return status, answer

    def vote(self, window: str, code: str, value: int, give_up: float = 20.0) -> Cast:
        """One vote, sent again with the same request id while it gets no definite answer."""
        cast = Cast(self.n, window, code, value, uuid.uuid4().hex, time.time())
        statuses = []
        while True:
            status, answer = self.request(
                "POST", "/vote", {"code": code, "value": value, "request_id": cast.request_id}
            )
            statuses.append(status)
            cast.tries += 1
            if status not in RETRYABLE:
                break
            cast.cut = True
            if time.time() - cast.t0 > give_up:
                break
            time.sleep(min(0.1 * 2**cast.tries, 1.0))
        cast.t1, cast.statuses = time.time(), tuple(statuses)
        if status == 200 and answer.get("ok"):
            cast.outcome, cast.replayed = "ack", bool(answer.get("replayed"))
            if answer.get("value") != value or answer.get("window") != window:
                cast.outcome, cast.message = "error", f"acknowledged as {answer}"
        else:
            cast.outcome = {409: "refused"}.get(status, "lost" if status in RETRYABLE else "error")
            cast.message = f"{status}: {answer.get('error', '')}"
        return cast


class Kiosk:
    """The room's screen: every window of the event with its code, read from the database every
    `every` seconds (a closed one stays known: a phone may still hold its code)."""

    def __init__(self, read: Callable[[], Mapping[str, VoteWindow]], every: float = 0.1):
        self.read, self.every = read, every
        self.windows: dict[str, VoteWindow] = {}
        self.shown: dict[str, float] = {}  # window -> when the screen first showed it open
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="kiosk")

    def start(self) -> Kiosk:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.windows = dict(self.read())
            except Exception:  # a read failing now and then: the screen keeps what it showed
                pass
            now = time.time()
            for key, w in self.windows.items():
                if key not in self.shown and w.open_at(now):
                    self.shown[key] = now
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(10)

    cleanup = stop


@dataclass(frozen=True)
class Habits:
    """How a crowd votes in a window, in seconds from the moment a phone sees it open: `vote` of the
    phones vote within `first`; each revises with `revise` (again with revise², ...) `again` later;
    `last` of them vote once more around the close (`rush`: from the close, once the screen shows it).
    A phone sends nothing else in the last `margin` seconds before a close it knows."""

    vote: float = 0.8
    first: tuple[float, float] = (0.3, 4.0)
    revise: float = 0.35
    again: tuple[float, float] = (0.3, 2.5)
    last: float = 0.25
    rush: tuple[float, float] = (-0.6, 0.3)
    margin: float = 0.8

    def share(self, span: float) -> float:
        """The share of a crowd that votes in a window shown open `span` seconds before its close: the
        phones whose first vote falls due before the last `margin` seconds."""
        low, high = self.first
        return self.vote * min(1.0, max(0.0, (span - self.margin - low) / (high - low)))


class Crowd:
    """`phones` phones voting through `url` in every window the `kiosk` shows, one thread each."""

    def __init__(self, url: str, phones: int, kiosk: Kiosk, seed: int, habits: Habits = Habits()):
        self.phones = [Phone(n, url) for n in range(phones)]
        self.kiosk, self.seed, self.habits = kiosk, seed, habits
        self.casts: list[Cast] = []
        self.finds: list[Find] = []  # every GET /vote/window
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def open_pages(self) -> None:
        """Every phone opens the vote page once (its cookie), a few at a time."""
        threads = [threading.Thread(target=p.open_page, daemon=True) for p in self.phones]
        for i in range(0, len(threads), 10):
            for t in threads[i : i + 10]:
                t.start()
            for t in threads[i : i + 10]:
                t.join(60)
        missing = [p.n for p in self.phones if not p.voter]
        assert not missing, f"phones without a voter cookie: {missing}"

    def start(self) -> Crowd:
        for p in self.phones:
            rng = random.Random(self.seed * 1000 + p.n)
            t = threading.Thread(target=self._run, args=(p, rng), daemon=True, name=f"phone-{p.n}")
            t.start()
            self._threads.append(t)
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(30)

    cleanup = stop

    def _record(self, cast: Cast) -> None:
        with self._lock:
            self.casts.append(cast)

    def _run(self, phone: Phone, rng: random.Random) -> None:
        h = self.habits
        plans: dict[str, list[tuple[float, bool]]] = {}  # window -> (when, whether it is the rush's)
        rushing: set[str] = set()
        found: set[str] = set()
        values: dict[str, int] = {}
        while not self._stop.wait(rng.uniform(0.05, 0.15)):
            now = time.time()
            shown = self.kiosk.windows
            for key, w in shown.items():
                if key not in plans:
                    plans[key] = []
                    if w.open_at(now) and rng.random() < h.vote:
                        plans[key].append((now + rng.uniform(*h.first), False))
                        while rng.random() < h.revise ** len(plans[key]):
                            plans[key].append((plans[key][-1][0] + rng.uniform(*h.again), False))
                if w.closes_at is not None and key not in rushing:
                    rushing.add(key)
                    if not w.closed and rng.random() < h.last:
                        plans[key].append((w.closes_at + rng.uniform(*h.rush), True))
                        plans[key].sort()
            due = [key for key, plan in plans.items() if plan and plan[0][0] <= now]
            if not due:
                continue
            key = rng.choice(due)
            _, rush = plans[key].pop(0)
            w = shown[key]
            if not rush and not w.open_at(now + h.margin):
                continue
            if key not in found:
                t0 = time.time()
                status, answer = phone.find(w.code)
                with self._lock:
                    self.finds.append(Find(phone.n, key, t0, time.time(), status, answer.get("error", "")))
                if status != 200:
                    if not rush:
                        plans[key].insert(0, (now + 0.5, False))  # the voter types the code again
                    continue
                found.add(key)
            value = rng.choice([v for v in range(1, 6) if v != values.get(key)])
            cast = phone.vote(key, w.code, value)
            if cast.outcome == "ack":
                values[key] = value
            self._record(cast)
