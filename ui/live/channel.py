"""One pushed document and its subscribers: the latest version, encoded once, and a waiter they share.

Why not a queue per subscriber: a thousand board viewers want the same bytes; each holds only the
version it last sent and wakes when the version moves (or when poked: its connection may have ended).
The event's bytes are built once for the subscribers a version wakes together (the board's document is
about 50 KB: building it per subscriber was most of the process's own work of a push), stamped with the
moment the first of them took it.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from engine.views.documents import encode

KEEP_ALIVE = b": keep-alive\n\n"
KEEP_ALIVE_SECONDS = 15.0  # at most this long between two writes on a stream (for proxies)
# A frame stamped at most this long ago is sent as it is: the subscribers one publish wakes take it within
# a few milliseconds; a subscriber arriving later gets a fresh stamp (its clock's offset is read from it).
STAMP_SECONDS = 0.05


def frame(event: str, data: str) -> bytes:
    return f"event: {event}\ndata: {data}\n\n".encode()


def json_text(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


class Channel:
    def __init__(self) -> None:
        self.version = 0
        self.key: str | None = None
        self._tail = b"}\n\n"  # the event's bytes after its server_time: the document's other fields
        self._stamped: tuple[float, bytes] | None = None  # the last frame built, with its stamp
        self._waiter = asyncio.Event()
        self.published_at = time.monotonic()  # when the version last moved (or the channel was made)
        self.beats = 0  # keep-alives asked of every subscriber (beat)

    @property
    def ready(self) -> bool:
        return self.key is not None

    def publish(self, doc: dict, key: str, encoded: dict[str, str] | None = None) -> bool:
        """Take a new document if `key` (views.documents.change_key) says it changed; wakes subscribers.
        `encoded`: fields of `doc` already in JSON (a judge's list of the others, encoded once per change
        in the builder's thread instead of at each push on the event loop)."""
        if key == self.key:
            return False
        body = {k: v for k, v in doc.items() if k != "server_time" and not (encoded and k in encoded)}
        rest = encode(body)[1:]  # the document's JSON without its leading "{"
        if encoded:
            fields = "".join(f",{json_text(k)}:{v}" for k, v in encoded.items())
            rest = (rest[:-1] + fields + "}") if rest != "}" else fields[1:] + "}"
        self.key, self._stamped = key, None
        self._tail = (("," if rest != "}" else "") + rest + "\n\n").encode()
        self.version += 1
        self.published_at = time.monotonic()
        self.poke()
        return True

    def beat(self) -> None:
        """Every subscriber sends a keep-alive (the hub's one timer asks, for a channel gone quiet)."""
        self.beats += 1
        self.poke()

    def poke(self) -> None:
        old, self._waiter = self._waiter, asyncio.Event()
        old.set()

    def frame(self, now: float) -> bytes:
        """The current document as an event, stamped with `now` (or, within STAMP_SECONDS after, the same
        bytes as the last subscriber's) so a late subscriber's clock is right."""
        stamped = self._stamped
        if stamped is not None and 0 <= now - stamped[0] < STAMP_SECONDS:
            return stamped[1]
        data = b'event: doc\ndata: {"server_time":' + f"{now:.3f}".encode() + self._tail
        self._stamped = (now, data)
        return data

    async def wait(self, seen: int, timeout: float | None = None) -> bool:
        """Until the version moves past `seen` or a poke; False after `timeout` seconds of nothing (None:
        no timer of its own, as the hub's subscribers wait: a beat wakes them)."""
        if self.version != seen:
            return True
        if timeout is None:
            await self._waiter.wait()
            return True
        try:
            await asyncio.wait_for(self._waiter.wait(), timeout)
            return True
        except TimeoutError:
            return False


async def keep_alive(channels: Callable[[], Iterable[Channel]], seconds: float = KEEP_ALIVE_SECONDS) -> None:
    """One timer for every stream of a hub, instead of one per subscriber: every `seconds` / 2, each channel
    that published nothing for that long beats. A stream so writes a document or a keep-alive at least
    every `seconds`, and one whose channel publishes more often is never woken for a keep-alive."""
    half = seconds / 2
    while True:
        await asyncio.sleep(half)
        beat_the_quiet(channels(), time.monotonic(), half)


def beat_the_quiet(channels: Iterable[Channel], now: float, quiet_for: float) -> None:
    """Each channel that published nothing for `quiet_for` seconds before `now` (time.monotonic()) beats."""
    for channel in channels:
        if channel.published_at <= now - quiet_for:
            channel.beat()


class Turns:
    """The writes to a crowd's streams taken one pass of the event loop at a time (a process's boards share
    one): whatever became ready meanwhile, a judge's new document or another stage's read, goes between two
    phones' writes instead of after a thousand of them."""

    def __init__(self) -> None:
        self._one = asyncio.Semaphore(1)

    async def take(self) -> None:
        async with self._one:
            await asyncio.sleep(0)


@dataclass(eq=False)
class Connection:
    """One open stream of a logged-in user; `ended` is the sentence to send when their session ends."""

    token: str
    email: str
    role: str
    ended: str | None = None
    moved: str | None = None  # the stage a judge was assigned to while their stream was open
    opened_at: float = field(default=0.0)
