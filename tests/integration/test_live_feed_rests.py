"""When a server's live feed reads (ui/live/hub.py): every tick while somebody watches the stage, every
IDLE_TICK_SECONDS while nobody does (an idle deployment's reads are all cost), and at once for a stream
that opens or a request that asks for the documents of a feed that rested. Real DynamoDB Local."""

from __future__ import annotations

import asyncio
import time

from tests.support.events import seed_event
from tests.support.live import run_apart
from ui.live import hub as hub_module
from ui.live.hub import Hub

IDLE_TICK_SECONDS = 1.0  # the resting pace here (5 s in the product): the test measures ticks, not time


def test_a_feed_nobody_watches_rests_and_reads_at_once_for_a_stream_or_a_request(svc, monkeypatch):
    monkeypatch.setattr(hub_module, "IDLE_TICK_SECONDS", IDLE_TICK_SECONDS)
    seed_event(svc)
    hub = Hub(svc)
    seen: dict[str, float] = {}

    async def scenario() -> None:
        hub.start()
        try:
            await hub.read_after(5)
            start = hub.ticks
            await asyncio.sleep(IDLE_TICK_SECONDS * 1.5)
            seen["resting"] = hub.ticks - start

            start, opened = hub.ticks, time.monotonic()
            stream = hub.stream(hub.public)
            await anext(stream)  # the stream is open (its retry line)
            while hub.ticks == start:
                await asyncio.sleep(0.005)
            seen["first read after the stream opened"] = time.monotonic() - opened
            await asyncio.sleep(1.5)
            seen["watched"] = hub.ticks - start
            await stream.aclose()
            assert hub.streams == 0 and not hub.watched()

            await asyncio.sleep(IDLE_TICK_SECONDS / 2)
            start, asked = hub.ticks, time.monotonic()
            await hub.current()
            seen["reads for a request"] = hub.ticks - start
            seen["a request's answer's age"] = time.monotonic() - hub.last_tick[0]
            seen["request waited"] = time.monotonic() - asked
            assert hub.watched()  # the request counts as watching for a while
        finally:
            await hub.stop()

    run_apart(scenario)
    print(seen)
    assert seen["resting"] <= 2, seen  # a tick every IDLE_TICK_SECONDS, not 6 at 0.25 s
    assert seen["first read after the stream opened"] < IDLE_TICK_SECONDS / 2, seen
    assert seen["watched"] >= 4, seen  # about every 0.25 s again
    assert seen["reads for a request"] >= 1 and seen["a request's answer's age"] < 0.5, seen
