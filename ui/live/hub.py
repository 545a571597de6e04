"""The live feed of one server process: started and stopped by the app's lifespan (ui/server.py).

Three tasks on the event loop, every DynamoDB call in a worker thread:
  tick      about every 0.25 s (sooner when woken by a score): read, build, publish what changed;
            every 5 s while nobody watches the stage (no open stream, no request for its documents in
            the last 10 s), since an idle deployment's reads are all cost and no use (a request then
            waits for one read begun at once: what it answers is as fresh as a watched tick's)
  presence  every 2 s (and at once when a judge connects): one BatchWriteItem marks every judge with an
            open, authenticated stream present; no page heartbeat (ui/live/attendance.py)
  sessions  every second: one BatchGetItem re-checks the session of every open stream; an ended session
            (logout, the admin's End, a new device, a new password, a disabled account, taken on any
            server) gets `event: ended` with why, within 2 s, and stops being marked present (the same)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from engine.domain import stages
from engine.domain.model import UNREACHABLE, DatabaseUnavailable, Role, StagescoreError
from engine.domain.stages import MAIN
from engine.service.core import Service
from engine.service.feed import NO_EVENT, Feed
from engine.service.scoring import ScoreContext
from ui.live import attendance
from ui.live.builder import Builder, Built
from ui.live.cadence import next_read_in
from ui.live.channel import KEEP_ALIVE, Channel, Connection, Turns, frame, json_text, keep_alive

log = logging.getLogger("stagescore.live")
TICK_SECONDS = 0.25
# Threads for DynamoDB calls: not the loop's default executor, which Streamlit's file watchers hold
# (measured: 3 of its 6 threads on 2 cores), so fifty judges submitting at once would queue behind them.
DB_THREADS = 32
IDLE_TICK_SECONDS = 5.0  # the tick while nobody watches the stage
WATCHED_SECONDS = 10.0  # a request for the stage's documents counts as watching it for this long
FIRST_READ_SECONDS = 3.0  # how long a request waits for a read of a stage's feed that was resting


class Hub:
    """One stage's live feed (ui/live/hubs.py holds one per stage); `svc` acts on that stage."""

    def __init__(
        self,
        svc: Service,
        tick: float = TICK_SECONDS,
        pool: ThreadPoolExecutor | None = None,
        turns: Turns | None = None,
    ):
        """`pool`, `turns`: the DB threads and the boards' turns (channel.Turns) the process's hubs share."""
        self.svc = svc
        self.turns: Turns = turns or Turns()
        self.tick = tick
        self.stage = svc.stage or MAIN
        self.feed = Feed(svc.store, svc.clock, self.stage)
        self.builder = Builder(self.feed, self._stage_name)
        self.scorer = svc.scorer  # the one way in for a score; its session cache is this process's
        self.public, self.admin, self.state = Channel(), Channel(), Channel()  # state: /api/v1/state
        self.judges: dict[str, Channel] = {}
        self.connections: set[Connection] = set()
        self.streams = 0  # open streams of any channel (the boards' are no Connection)
        self._asked_at = -WATCHED_SECONDS  # when a request last asked for the documents (time.monotonic())
        self.built: Built | None = None
        self.ticks = 0
        # When the last tick ended (time.monotonic()) and its failure, (kind, sentence) or None: what
        # /healthz and /metrics answer from (ui/ops.py), so a probe costs no DynamoDB request.
        self.last_tick: tuple[float, tuple[str, str] | None] | None = None
        self._reads = 0  # feed reads begun
        self._read_done = 0  # the number of the last read that completed
        self._read_event = asyncio.Event()  # set (and replaced) when a read completes
        self._wake = asyncio.Event()
        self.presence_now = asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._own_pool = pool is None
        self._pool = pool or ThreadPoolExecutor(DB_THREADS, thread_name_prefix="live-db")

    async def blocking(self, fn: Callable, *args):
        """Run a blocking (boto3) call on the hub's own threads."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def _stage_name(self) -> str:
        """The stage's name on its screens once the deployment has several stages (the list is cached)."""
        listed = self.svc.stages.list()
        return next((s.name for s in listed if s.stage_id == self.stage), "") if len(listed) > 1 else ""

    # ---- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        loops = (self._tick_loop(), attendance.presence_loop(self), attendance.sessions_loop(self))
        for name, loop in zip(("tick", "presence", "sessions"), loops, strict=True):
            self._tasks.append(asyncio.create_task(loop, name=f"live-{name}"))
        beat = keep_alive(lambda: (self.public, self.admin, self.state, *self.judges.values()))
        self._tasks.append(asyncio.create_task(beat, name="live-keep-alive"))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._own_pool:
            self._pool.shutdown(wait=False, cancel_futures=True)
        for conn in self.connections:
            conn.ended = "The server is restarting; this page reconnects by itself."
        for channel in (self.public, self.admin, self.state, *self.judges.values()):
            channel.poke()

    def wake(self) -> None:
        """Read again now (a score was just stored): the board need not wait for the next tick."""
        self._wake.set()

    # ---- the tick -----------------------------------------------------------------------------------
    async def _tick_loop(self) -> None:
        while True:
            started = time.monotonic()
            self._wake.clear()  # before reading: a wake during the read asks for one more
            await self._tick_once()
            try:
                await asyncio.wait_for(self._wake.wait(), self._pause(time.monotonic() - started))
            except TimeoutError:
                pass

    def _pause(self, spent: float) -> float:
        """Until the next read: a tick, or as soon as a running window's flip can be read (cadence.py)."""
        if not self.watched():
            return next_read_in(time.time(), spent, None, IDLE_TICK_SECONDS)
        state = self.built.reading.snapshot.state if self.built else None
        deadline = None if state is None or state.paused else state.deadline
        return next_read_in(time.time(), spent, deadline, self.tick)

    async def _tick_once(self) -> None:
        emails = sorted({c.email for c in self.connections if c.role == Role.JUDGE.value})
        admins = any(c.role == Role.ADMIN.value for c in self.connections)
        self._reads += 1
        number = self._reads
        try:
            built = await self.blocking(self.builder.build, emails, admins)
        except DatabaseUnavailable:
            self.last_tick = (time.monotonic(), ("unreachable", UNREACHABLE))
            self._publish_error(UNREACHABLE)
            return
        except StagescoreError as e:
            kind = "no_event" if str(e) == NO_EVENT else "error"
            self.last_tick = (time.monotonic(), (kind, str(e)))
            self._publish_error(str(e))
            return
        except Exception:  # a bug must not stop the feed: log it, keep the last documents
            log.exception("live feed tick failed")
            return
        self.last_tick = (time.monotonic(), None)
        self.ticks += 1
        if built.reading.complete:
            self._read_done = number
            done, self._read_event = self._read_event, asyncio.Event()
            done.set()
        else:  # a window's flip from the status partition alone (engine/service/feed.py): the rest now
            self.wake()
        if built.reading.judges_only and self.built is not None:
            # The next performer, for the judges' screens: the board, the desk and the state feed keep
            # (and answer from) their documents until the whole read that follows at once.
            last = self.built
            built = replace(built, public=last.public, admin=last.admin, state=last.state)
        self.built = built
        self._publish(built)

    def _publish(self, built: Built) -> None:
        """The new documents to their channels, the judges' first: their subscribers wake in that order, and
        a judge under the clock must not wait behind a board written to a thousand phones."""
        for email, (doc, key) in built.judges.items():
            self.judge_channel(email).publish(doc, key, built.encoded.get(email))
        self.admin.publish(*built.admin)
        self.state.publish(*built.state)
        self.public.publish(*built.public)
        self._follow_moves(built)

    def _follow_moves(self, built: Built) -> None:
        """A judge assigned to another stage: their stream says so and closes, and their screen opens the
        new stage's stream (a score sent meanwhile is refused at commit, OTHER_STAGE)."""
        for conn in self.connections:
            account = built.reading.accounts.get(conn.email)
            if conn.role != Role.JUDGE.value or account is None or conn.moved:
                continue
            if built.reading.accounts_at < conn.opened_at:
                continue  # accounts read before this stream opened (where it opened was read afresh)
            if stages.of_judge(account.stage) != self.stage:
                conn.moved = stages.of_judge(account.stage)
                self.judge_channel(conn.email).poke()

    def _publish_error(self, sentence: str) -> None:
        """Keep the last documents, saying what is wrong (the database-unreachable banner)."""
        for channel, doc in self._last_docs():
            channel.publish({**doc, "error": sentence}, f"error:{sentence}:{channel.key}")

    def _last_docs(self):
        built = self.built
        if built is None:
            return [(channel, {"error": None}) for channel in (self.public, self.admin, self.state)]
        docs = [(self.public, built.public[0]), (self.admin, built.admin[0]), (self.state, built.state[0])]
        return docs + [(self.judge_channel(e), d) for e, (d, _) in built.judges.items()]

    def judge_channel(self, email: str) -> Channel:
        channel = self.judges.get(email)
        if channel is None:
            channel = self.judges[email] = Channel()
        return channel

    # ---- who watches ---------------------------------------------------------------------------------
    def watched(self) -> bool:
        """Somebody follows the stage: an open stream, or a request for its documents lately."""
        return self.streams > 0 or time.monotonic() - self._asked_at < WATCHED_SECONDS

    async def current(self) -> None:
        """A request is about to answer from the documents: if the feed was resting (nobody watched) or
        has not read yet, wait for a read begun now (up to FIRST_READ_SECONDS; `built` may stay None)."""
        rested = not self.watched()
        self._asked_at = time.monotonic()
        if rested or self.built is None:
            await self.read_after(FIRST_READ_SECONDS)

    # ---- connections --------------------------------------------------------------------------------
    def connect(self, conn: Connection) -> Channel:
        self.connections.add(conn)
        if conn.role == Role.JUDGE.value:
            conn.opened_at = self.svc.clock()
            self.feed.refresh_accounts()
            self.presence_now.set()
            self.wake()  # build this judge's document now, not at the next tick
            return self.judge_channel(conn.email)
        self.wake()  # the desk's engine line is read only while an admin is connected: read it now
        return self.admin

    def disconnect(self, conn: Connection) -> None:
        self.connections.discard(conn)
        if conn.role == Role.JUDGE.value and not any(c.email == conn.email for c in self.connections):
            self.judges.pop(conn.email, None)

    async def stream(self, channel: Channel, conn: Connection | None = None) -> AsyncIterator[bytes]:
        """One subscriber: the document on connect, then each new version, keep-alives between."""
        seen = 0  # version 0: nothing published yet
        beats = channel.beats
        if not self.watched():
            self.wake()  # the feed was resting: read now, not in up to IDLE_TICK_SECONDS
        self.streams += 1
        try:
            yield b"retry: 2000\n\n"
            while True:
                if conn is not None and conn.ended:
                    yield frame("ended", '{"reason":' + json_text(conn.ended) + "}")
                    return
                if conn is not None and conn.moved:
                    yield frame("moved", '{"stage":' + json_text(conn.moved) + "}")
                    return
                if channel.ready and channel.version != seen:
                    if channel is self.public:
                        await self.turns.take()
                    seen = channel.version
                    yield channel.frame(time.time())
                    continue
                if channel.beats != beats:
                    beats = channel.beats
                    yield KEEP_ALIVE
                    continue
                await channel.wait(seen)
        finally:
            self.streams -= 1
            if conn is not None:
                self.disconnect(conn)

    def score_context(self) -> ScoreContext | None:
        if self.built is None:
            return None
        snap = self.built.reading.snapshot
        return ScoreContext(snap.event_id, snap.settings, self.feed.score, snap.state.stage)

    async def read_after(self, timeout: float) -> bool:
        """Wait for a feed read begun after now (so it sees every commit made before); False after
        `timeout` seconds without one."""
        target = self._reads + 1
        self.wake()
        deadline = time.monotonic() + timeout
        while self._read_done < target:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                await asyncio.wait_for(self._read_event.wait(), left)
            except TimeoutError:
                continue
        return True
