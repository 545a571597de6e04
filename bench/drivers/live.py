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
    (received at, document) for every `event: doc`; `ended` the reason of an `event: ended`."""

    def __init__(self, host: str, port: int, path: str, cookie: str = "", header_only: bool = False):
        self.host, self.port, self.path, self.cookie = host, port, path, cookie
        self.header_only = header_only
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
            self.docs.append((time.time(), doc))
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
