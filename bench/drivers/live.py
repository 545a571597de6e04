"""Protocol-level clients of the live routes (asyncio, no browser): an event-stream reader that records
when each document arrived, and POST /live/score."""

from __future__ import annotations

import asyncio
import json
import re
import time

# The header fields come first in every document (engine/views/documents.py): a viewer that only needs them
# reads them without parsing a whole ranking, so the client's CPU does not become the measurement.
_HEAD = re.compile(
    r'"phase":"(?P<phase>\w+)".*?"paused":(?P<paused>true|false).*?"window_id":(?P<window_id>\d+)'
    r'.*?"window_started_at":(?P<started>[\d.]+|null)'
)


def _head(data: str) -> dict:
    m = _HEAD.search(data, 0, 2000)
    if not m:
        return {}
    started = m["started"]
    return {
        "phase": m["phase"],
        "paused": m["paused"] == "true",
        "window_id": int(m["window_id"]),
        "window_started_at": None if started == "null" else float(started),
    }


class StreamClient:
    """One GET of /live/public, /live/judge or /live/admin, read until stopped. `docs` holds
    (received at, document) for every `event: doc` (or what `keep` takes of it; `last` is the whole
    document); `ended` the reason of an `event: ended`."""

    def __init__(
        self, host: str, port: int, path: str, cookie: str = "", header_only: bool = False, keep=None
    ):
        self.host, self.port, self.path, self.cookie = host, port, path, cookie
        self.header_only, self.keep = header_only, keep
        self.docs: list[tuple[float, dict]] = []
        self.count = 0
        self.last: dict | None = None
        self.status = 0
        self.ended: str | None = None
        self.error: str | None = None
        self.connected = asyncio.Event()
        self._writer: asyncio.StreamWriter | None = None

    async def run(self) -> None:
        try:
            reader, self._writer = await asyncio.open_connection(self.host, self.port)
            cookie = f"Cookie: {self.cookie}\r\n" if self.cookie else ""
            head = f"GET {self.path} HTTP/1.1\r\nHost: {self.host}\r\nAccept: text/event-stream\r\n"
            self._writer.write((head + cookie + "\r\n").encode())
            await self._writer.drain()
            self.status = int((await reader.readline()).split()[1])
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            self.connected.set()
            await self._read_chunks(reader)
        except (ConnectionError, OSError, asyncio.IncompleteReadError) as e:
            self.error = self.error or f"{type(e).__name__}: {e}"
        finally:
            self.connected.set()

    async def _read_chunks(self, reader: asyncio.StreamReader) -> None:
        buffer = b""
        while True:
            size = int((await reader.readline()).strip() or b"0", 16)
            if size == 0:
                return
            buffer += (await reader.readexactly(size + 2))[:-2]  # each chunk ends with CRLF
            while b"\n\n" in buffer:
                block, buffer = buffer.split(b"\n\n", 1)
                self._event(block.decode())

    def _event(self, block: str) -> None:
        kind, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip(" "))
        if kind == "doc" and data:
            text = "\n".join(data)
            doc = _head(text) if self.header_only else json.loads(text)
            self.count += 1
            self.last = doc
            self.docs.append((time.time(), doc if self.keep is None else self.keep(doc)))
        elif kind == "ended" and data:
            self.ended = json.loads(data[0])["reason"]

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


async def post_score(host: str, port: int, cookie: str, body: dict) -> tuple[float, int, dict]:
    """(seconds from sending to the answer, status, answer) of one POST /live/score."""
    payload = json.dumps(body).encode()
    t0 = time.perf_counter()
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(
            (
                f"POST /live/score HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                f"X-Stagescore: 1\r\nCookie: {cookie}\r\nContent-Length: {len(payload)}\r\n"
                "Connection: close\r\n\r\n"
            ).encode()
            + payload
        )
        await writer.drain()
        status = int((await reader.readline()).split()[1])
        length = 0
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        answer = json.loads(await reader.readexactly(length)) if length else {}
        return time.perf_counter() - t0, status, answer
    finally:
        writer.close()


class ScoringJudge:
    """A judge's screen at protocol level, scoring: its /live/judge stream (the judge's session cookie)
    and, in every scoring window its stream shows open, one POST /live/score at `at` (a fraction of the
    window) with the performer, window and event its own document names. `acks` holds each answer:
    {judge, performer_id, window_id, sent, acked (epoch s), seconds (the round trip), status}."""

    def __init__(self, host: str, port: int, email: str, cookie: str, at: float, seed: int = 7):
        import random

        self.host, self.port, self.email, self.cookie, self.at = host, port, email, cookie, at
        self.stream = StreamClient(host, port, "/live/judge", cookie, keep=window_key)
        self.rng = random.Random(seed)
        self.acks: list[dict] = []
        self.skipped = 0  # the document came too late to score in the window
        self.errors: list[str] = []
        self._tasks: list[asyncio.Task] = []

    async def start(self, timeout: float = 60) -> None:
        self._tasks.append(asyncio.create_task(self.stream.run()))
        await asyncio.wait_for(self.stream.connected.wait(), timeout)
        if self.stream.status != 200:
            raise RuntimeError(f"{self.email}: /live/judge answered {self.stream.status}")
        self._tasks.append(asyncio.create_task(self._score()))

    async def _score(self) -> None:
        seen: set[int] = set()
        while True:
            d = self.stream.last
            if d and d.get("scoring_open") and not d.get("paused") and d["window_id"] not in seen:
                seen.add(d["window_id"])
                start, end = d["window_started_at"], d["deadline"]
                when = start + (end - start) * self.at
                await asyncio.sleep(max(0.0, when - time.time()))
                if end - time.time() < 0.15:
                    self.skipped += 1
                else:
                    await self._post(d)
            await asyncio.sleep(0.02)

    async def _post(self, d: dict) -> None:
        import uuid

        body = {
            "performer_id": d["performer_id"],
            "window_id": d["window_id"],
            "event_id": d["event_id"],
            "values": {"Score": f"{self.rng.randint(30, 100) / 10:.1f}"},
            "request_id": uuid.uuid4().hex,
        }
        sent = time.time()
        try:
            took, status, answer = await post_score(self.host, self.port, self.cookie, body)
        except (ConnectionError, OSError, asyncio.IncompleteReadError, ValueError) as e:
            self.errors.append(f"{type(e).__name__}: {e}")
            return
        if status != 200:
            self.errors.append(f"HTTP {status}: {answer.get('error')}")
        self.acks.append(
            {"judge": self.email, "performer_id": d["performer_id"], "window_id": d["window_id"],
             "sent": sent, "acked": sent + took, "seconds": took, "status": status}
        )  # fmt: skip

    def stop(self) -> None:
        self.stream.close()
        for t in self._tasks:
            t.cancel()


def window_key(doc: dict) -> dict:
    """What a flip is measured from: the document's phase, window and the window's scheduled start, and
    when the server wrote it to the stream (`server_time`: a late flip late from the server or the client)."""
    return {k: doc.get(k) for k in ("phase", "paused", "window_id", "window_started_at", "server_time")}
