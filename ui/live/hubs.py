"""The process's live feed for a festival: one Hub (ui/live/hub.py) per stage, started when a screen
first asks for that stage and kept while the process runs. A deployment with one stage has one hub.

A screen names its stage: the board and the desk with `?stage=ID` (none: the first stage), a judge's
stream and score by the stage their account is assigned to (read afresh, one GetItem), so a judge moved
to another stage follows it and their next score goes to the new stage's window.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from engine.domain.devices import SessionEnded
from engine.domain.model import Role
from engine.domain.stages import MAIN
from engine.service.core import Service
from ui.live.channel import Turns
from ui.live.hub import DB_THREADS, TICK_SECONDS, Hub

log = logging.getLogger("stagescore.live")
RETRY_SECONDS = 2.0


class Hubs:
    def __init__(self, svc: Service, tick: float = TICK_SECONDS):
        self.svc = svc
        self.tick = tick
        self._hubs: dict[str, Hub] = {}
        self._pool = ThreadPoolExecutor(DB_THREADS, thread_name_prefix="live-db")  # shared by the hubs
        self._turns = Turns()  # ... and the boards' writes, taken in turns (ui/live/channel.py)
        self._opening = asyncio.Lock()
        self._starting: asyncio.Task | None = None
        self._default: str | None = None

    async def blocking(self, fn: Callable, *args):
        """Run a blocking (boto3) call on the hubs' own threads."""
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    def all(self) -> list[Hub]:
        return list(self._hubs.values())

    def first(self) -> Hub | None:
        """The default stage's hub: what /healthz and /metrics answer from."""
        return self._hubs.get(self._default) if self._default else None

    def start(self) -> None:
        """Open the default stage's hub now, or as soon as the database answers."""
        self._starting = asyncio.create_task(self._open_default(), name="live-default-stage")

    async def _open_default(self) -> None:
        while True:
            try:
                self._default = (await self._opened(None)).stage
                return
            except Exception as e:
                log.warning("live feed: the default stage cannot be opened yet: %s", e)
            if self._default is None:  # the main stage's hub meanwhile: /healthz says what is wrong
                self._default = MAIN
                self._open(MAIN, self.svc)
            await asyncio.sleep(RETRY_SECONDS)

    async def stop(self) -> None:
        if self._starting is not None:
            self._starting.cancel()
        await asyncio.gather(*(hub.stop() for hub in self._hubs.values()), return_exceptions=True)
        self._hubs.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def of(self, stage_id: str | None) -> Hub:
        """The hub of the stage named (None: the default stage, the first at start); InvalidInput names the
        stages there are."""
        known = self._hubs.get(stage_id or self._default or "")  # None: the default stage, once opened
        return known if known is not None else await self._opened(stage_id)

    async def _opened(self, stage_id: str | None) -> Hub:
        """The stage's hub, the stage read from the list (None: the first stage), opened if need be."""
        stage_id, bound = await self.blocking(self._resolve, stage_id)
        async with self._opening:
            return self._hubs.get(stage_id) or self._open(stage_id, bound)

    async def of_judge(self, email: str) -> Hub:
        """The hub of the stage a judge is assigned to now."""
        return await self.of(await self.blocking(self.svc.stages.of_judge, email))

    async def of_token(self, token: str | None) -> Hub:
        """Where a judge's score or answer goes: their stage's hub. A token that is no live session, or
        anyone else's, goes to the default stage, whose one score path refuses it: routing decides nothing."""
        return await self.of(await self.blocking(self._stage_of_token, token))

    def _stage_of_token(self, token: str | None) -> str | None:
        """The stage of the judge holding `token` (None: the default stage), in one worker thread. With one
        stage nothing is read: the score path's hot read stays the session check it always had."""
        if len(self.svc.stages.list()) == 1:
            return None
        try:
            identity = self.svc.scorer.identify(token)
        except SessionEnded:
            return None
        if identity.role is not Role.JUDGE:
            return None
        stage = self.svc.stages.of_judge(identity.email)
        known = {s.stage_id for s in self.svc.stages.list()}
        return stage if stage in known else None  # a stage since removed: the commit says which is theirs

    def _resolve(self, stage_id: str | None) -> tuple[str, Service]:
        """(the stage's id, the service acting on it), in a worker thread."""
        stage = self.svc.stages.get(stage_id) if stage_id else self.svc.stages.list()[0]
        return stage.stage_id, self.svc.on(stage.stage_id)

    def _open(self, stage_id: str, svc: Service) -> Hub:
        hub = Hub(svc, self.tick, self._pool, self._turns)
        hub.start()
        self._hubs[stage_id] = hub
        return hub
