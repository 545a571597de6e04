"""One web server's live feed for bench/event_cost.py: the real Hub (ui/live/hub.py: the feed's tick, the
presence BatchWriteItem, the sessions BatchGetItem) on an event loop of its own in this process, with
judge streams and board viewers connected as the routes connect them, and the judges' scores stored
through the hub's Scorer with the hub's score context, as POST /live/score stores them.

The Hub's own Store counts the feed (tick reads), presence and sessions; the Scorer gets a Store of its
own so the scores are counted apart (in a server both share one client)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter

from bench.tally import Tally
from engine.domain.model import Role
from engine.service.core import Service
from engine.service.scoring import Identity, Scorer
from engine.store import Store
from ui.live.channel import Connection
from ui.live.hub import Hub

PRESENCE = {"BatchWriteItem"}
SESSIONS = {"BatchGetItem"}


class LiveServer:
    """A context manager: the hub started on its own loop thread, and stopped with its streams."""

    def __init__(self, svc: Service, scorer_store: Store):
        self.svc, self.scorer_store = svc, scorer_store
        self.feed_tally = Tally(svc.store)
        self.score_tally = Tally(scorer_store)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="bench-hub", daemon=True)
        self.frames: Counter[str] = Counter()  # documents received, by kind of subscriber
        self.viewers = 0
        self._tasks: list[asyncio.Task] = []
        self.hub: Hub | None = None

    def __enter__(self) -> LiveServer:
        self.thread.start()
        self.hub = self._run(self._start())
        return self

    def __exit__(self, *exc) -> None:
        try:
            self._run(self._stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5)

    def _run(self, coro, timeout: float = 30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    async def _start(self) -> Hub:
        hub = Hub(self.svc)
        hub.scorer = Scorer(self.scorer_store, self.svc.clock)
        hub.start()
        return hub

    async def _stop(self) -> None:
        for t in self._tasks:
            t.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.hub.stop()

    # ---- subscribers, as ui/live/routes.py connects them ----------------------------------------------
    def connect_judges(self, tokens: dict[str, str]) -> None:
        self._run(self._judges(tokens))

    async def _judges(self, tokens: dict[str, str]) -> None:
        for email, token in tokens.items():
            self.hub.scorer.remember(token, Identity(email, Role.JUDGE, ""))  # as the stream's check does
            conn = Connection(token, email, Role.JUDGE.value, opened_at=time.time())
            self._consume(self.hub.stream(self.hub.connect(conn), conn), "judge")

    def add_viewers(self, n: int) -> None:
        async def add() -> None:
            for _ in range(n):
                self._consume(self.hub.stream(self.hub.public), "viewer")

        self._run(add())
        self.viewers += n

    def _consume(self, stream, kind: str) -> None:
        async def read() -> None:
            async for chunk in stream:
                if chunk.startswith(b"event: doc"):
                    self.frames[kind] += 1

        self._tasks.append(asyncio.create_task(read()))

    # ---- what the bench drives ---------------------------------------------------------------------
    def wake(self) -> None:
        """What the route does after a stored score (and what the flip read does after a deadline)."""
        self.loop.call_soon_threadsafe(self.hub.wake)

    def wait_version(self, version: int, timeout: float = 10) -> None:
        """Until the hub's feed has read state `version` (a judge's screen shows the window then)."""
        deadline = time.monotonic() + timeout
        while (b := self.hub.built) is None or b.reading.snapshot.state.version < version:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the live feed did not read version {version}")
            time.sleep(0.005)

    def submit(self, token: str, performer_id: str, window_id: int, values: dict, request_id: str):
        hub = self.hub
        out = hub.scorer.submit(token, hub.score_context(), performer_id, window_id, values, request_id)
        self.wake()
        return out

    def measure(self, seconds: float, warmup: float = 2.0) -> dict:
        """The hub's requests for `seconds` after `warmup`, split into the feed's tick reads, presence and
        sessions; with the ticks and documents pushed meanwhile."""
        time.sleep(warmup)
        self.feed_tally.take()
        ticks, frames, t0 = self.hub.ticks, Counter(self.frames), time.monotonic()
        time.sleep(seconds)
        counts, span = self.feed_tally.take(), time.monotonic() - t0
        return {
            "seconds": round(span, 1),
            "judges": len(self.hub.judges),
            "viewers": self.viewers,
            "ticks": self.hub.ticks - ticks,
            "documents_pushed": dict(self.frames - frames),
            "counts": counts,
            "tick_reads": counts.only(without=PRESENCE | SESSIONS),
            "presence": counts.only(PRESENCE),
            "sessions": counts.only(SESSIONS),
        }
