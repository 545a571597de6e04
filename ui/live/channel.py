"""One pushed document and its subscribers: the latest version, encoded once, and a waiter they share.

Why not a queue per subscriber: a thousand board viewers want the same bytes; each holds only the
version it last sent and wakes when the version moves (or when poked: its connection may have ended).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from engine.views.documents import encode

KEEP_ALIVE = b": keep-alive\n\n"


def frame(event: str, data: str) -> bytes:
    return f"event: {event}\ndata: {data}\n\n".encode()


class Channel:
    def __init__(self) -> None:
        self.version = 0
        self.key: str | None = None
        self._body: str | None = None  # the document's JSON without its leading "{"
        self._waiter = asyncio.Event()

    @property
    def ready(self) -> bool:
        return self._body is not None

    def publish(self, doc: dict, key: str) -> bool:
        """Take a new document if `key` (views.documents.change_key) says it changed; wakes subscribers."""
        if key == self.key:
            return False
        body = {k: v for k, v in doc.items() if k != "server_time"}
        self.key, self._body = key, encode(body)[1:]
        self.version += 1
        self.poke()
        return True

    def poke(self) -> None:
        old, self._waiter = self._waiter, asyncio.Event()
        old.set()

    def frame(self, now: float) -> bytes:
        """The current document as an event, stamped with `now` so a late subscriber's clock is right."""
        sep = "," if self._body and self._body != "}" else ""
        return frame("doc", '{"server_time":' + f"{now:.3f}" + sep + (self._body or "}"))

    async def wait(self, seen: int, timeout: float) -> bool:
        """Until the version moves past `seen` or a poke; False after `timeout` seconds of nothing."""
        if self.version != seen:
            return True
        try:
            await asyncio.wait_for(self._waiter.wait(), timeout)
            return True
        except TimeoutError:
            return False


@dataclass(eq=False)
class Connection:
    """One open stream of a logged-in user; `ended` is the sentence to send when their session ends."""

    token: str
    email: str
    role: str
    ended: str | None = None
    moved: str | None = None  # the stage a judge was assigned to while their stream was open
    opened_at: float = field(default=0.0)
