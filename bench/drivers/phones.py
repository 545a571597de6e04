"""A phone arriving on the public board, without a browser: what Chromium does on a first visit, at
protocol level (asyncio, many phones a process).

1. the page's files, as the browser fetches them on a first load (the list recorded from a real
   Chromium page, bench/doors.py): the HTML, then the rest over up to six keep-alive connections, with
   `Accept-Encoding: br, gzip`; bodies are counted, not decoded;
2. for a Streamlit page only, a Streamlit session: a websocket on /_stcore/stream (subprotocol
   `streamlit`), one BackMsg rerun_script for the page, ForwardMsgs until script_finished
   (bench/drivers/viewers.py's protocol); a run that showed an error id instead of the page (ui/errors.py)
   is reloaded once, as its message asks (its second failure fails the phone). The crowd's board
   (/leaderboard without ?kiosk=1) is a plain page (ui/board/): its browser opens no session;
3. the board's stream, /live/public, until its first document.

Then the phone stays: its websocket (if any) and its stream held open until told to leave. A phone may name a
stage (`/leaderboard?stage=ID`, its session's query string, `/live/public?stage=ID`) and may `follow` its
stream as the board does, recording when the board's state version or the scores it shows changed.
"""

from __future__ import annotations

import asyncio
import re
import ssl
import time
from urllib.parse import urlsplit

from ui import front

CONNECTIONS = 6  # Chromium's connections per host over HTTP/1.1
_TLS = ssl.create_default_context()
_TLS.check_hostname = False
_TLS.verify_mode = ssl.CERT_NONE  # the benchmark's nginx has a self-signed certificate
# What a follower reads of a public document without parsing it: its state version (the header's, first
# in the document) and the scores the ranking shows (the performer being scored counts none: publicity).
_VERSION = re.compile(rb'"version":(\d+)')
_SCORES_IN = re.compile(rb'"scores_in":(\d+)')
# What a page shows for a bug instead of itself (ui/errors.py); the message asks the viewer to reload.
ERROR_PAGE = b"Something went wrong (error id"


class PageError(RuntimeError):
    """The page's run showed an error id instead of the page."""


class Http:
    """One keep-alive HTTP/1.1 connection; GET returns (status, headers, body length)."""

    def __init__(self, host: str, port: int, tls: bool):
        self.host, self.port, self.tls = host, port, tls
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], int]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port, ssl=_TLS if self.tls else None, limit=2**20
            )
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{extra}\r\n".encode())
        status = int((await self.reader.readline()).split()[1])
        head: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            k, _, v = line.decode("latin-1").partition(":")
            head[k.strip().lower()] = v.strip()
        size = 0
        if "content-length" in head:
            size = int(head["content-length"])
            await self.reader.readexactly(size)
        elif head.get("transfer-encoding") == "chunked":
            while n := int((await self.reader.readline()).strip() or b"0", 16):
                await self.reader.readexactly(n + 2)
                size += n
            await self.reader.readline()
        if head.get("connection", "").lower() == "close":
            self.close()
        return status, head, size

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class Phone:
    def __init__(self, base_url: str, files: list[str], page: str = "leaderboard", stage: str | None = None):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._BackMsg, self._ForwardMsg = BackMsg, ForwardMsg
        u = urlsplit(base_url)
        self.tls = u.scheme == "https"
        self.host, self.port = u.hostname, u.port or (443 if self.tls else 80)
        self.base_url, self.files, self.page, self.stage = base_url, files, page, stage
        self.query = f"stage={stage}" if stage else ""
        # Served without a Streamlit session (ui/front.py): the page and its stream are all a browser opens.
        self.plain = f"/{page}" == front.BOARD and front.board_wanted(self.query.encode())
        self.seen: list[tuple[float, int, int]] = []  # (received at, state version, scores shown)
        self._buffer = b""
        self.cookies: dict[str, str] = {}
        self.ws = None
        self.stream: Http | None = None
        self.t: dict[str, float] = {}
        self.bytes = 0
        self.requests = 0
        self.encoded = 0  # files that came compressed
        self.error: str | None = None
        self.error_pages = 0  # runs that showed an error id instead of the board (each reloaded once)

    def _headers(self) -> dict[str, str]:
        h = {"Accept-Encoding": "br, gzip"}
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return h

    async def _fetch(self, conn: Http, path: str) -> None:
        status, head, size = await conn.get(path, self._headers())
        if status != 200:
            raise RuntimeError(f"GET {path}: HTTP {status}")
        if cookie := head.get("set-cookie"):  # nginx's route cookie: the websocket follows it
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        self.bytes += size
        self.requests += 1
        self.encoded += "content-encoding" in head

    async def _files(self) -> None:
        first = Http(self.host, self.port, self.tls)
        await self._fetch(first, f"/{self.page}" + (f"?{self.query}" if self.query else ""))
        conns = [first] + [Http(self.host, self.port, self.tls) for _ in range(CONNECTIONS - 1)]
        queue = list(self.files)

        async def worker(conn: Http) -> None:
            while queue:
                await self._fetch(conn, queue.pop(0))
            conn.close()

        await asyncio.gather(*(worker(c) for c in conns))

    async def _session(self) -> None:
        from websockets.asyncio.client import connect

        scheme = "wss" if self.tls else "ws"
        self.ws = await connect(
            f"{scheme}://{self.host}:{self.port}/_stcore/stream",
            subprotocols=["streamlit"],
            origin=self.base_url,
            proxy=None,
            max_size=None,
            ping_interval=None,  # a browser does not ping
            open_timeout=180,
            ssl=_TLS if self.tls else None,
            additional_headers={"Cookie": self._headers()["Cookie"]} if self.cookies else None,
        )
        self.t.setdefault("ws_open", time.time())  # a reload's page load counts from the first open
        m = self._BackMsg()
        m.rerun_script.page_name = self.page
        m.rerun_script.query_string = self.query
        m.rerun_script.widget_states.SetInParent()
        await self.ws.send(m.SerializeToString())
        failed = False
        while True:
            f = self._ForwardMsg()
            raw = await asyncio.wait_for(self.ws.recv(), 180)
            f.ParseFromString(raw)
            if f.WhichOneof("type") != "script_finished":
                failed = failed or ERROR_PAGE in raw
                continue
            if f.script_finished == self._ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue  # the rerun's messages follow
            if f.script_finished != self._ForwardMsg.FINISHED_SUCCESSFULLY:
                raise RuntimeError(f"script finished with status {f.script_finished}")
            break
        if failed:
            raise PageError("the page showed an error id instead of the board")

    async def _first_doc(self) -> None:
        self.stream = Http(self.host, self.port, self.tls)
        if self.stream.writer is None:
            self.stream.reader, self.stream.writer = await asyncio.open_connection(
                self.host, self.port, ssl=_TLS if self.tls else None
            )
        h = {"Accept": "text/event-stream", **self._headers()}
        extra = "".join(f"{k}: {v}\r\n" for k, v in h.items())
        path = "/live/public" + (f"?{self.query}" if self.query else "")
        self.stream.writer.write(f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\n{extra}\r\n".encode())
        reader = self.stream.reader
        status = int((await reader.readline()).split()[1])
        if status != 200:
            raise RuntimeError(f"{path}: HTTP {status}")
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        while await asyncio.wait_for(self._event(), 120) is None:
            pass

    async def _event(self) -> bytes | None:
        """The next event of the stream (chunked, as the server sends it): a document's data, or None for
        any other event. Records the document's state version and the scores it shows."""
        reader = self.stream.reader
        while b"\n\n" not in self._buffer:
            size = int((await reader.readline()).strip() or b"0", 16)
            if size == 0:
                raise ConnectionError("the stream ended")
            self._buffer += (await reader.readexactly(size + 2))[:-2]  # each chunk ends with CRLF
        block, self._buffer = self._buffer.split(b"\n\n", 1)
        if not block.startswith(b"event: doc"):
            return None
        t = time.time()
        version = _VERSION.search(block)
        shown = sum(int(n) for n in _SCORES_IN.findall(block))
        mark = (int(version[1]) if version else -1, shown)
        if not self.seen or self.seen[-1][1:] != mark:
            self.seen.append((t, *mark))
        return block

    async def follow(self) -> None:
        """Stay on the board as its page does: read every document the stream pushes (`seen` records
        each change of the version or of the scores shown) until the stream ends or the phone leaves."""
        try:
            while True:
                await self._event()
        except Exception:
            return

    async def arrive(self) -> None:
        """Files, session, stream: the timestamps of each step in `t`; a failure in `error`."""
        self.t["arrived"] = time.time()
        try:
            await self._files()
            self.t["files"] = time.time()
            if not self.plain:
                try:
                    await self._session()
                except PageError:  # as its message asks, the viewer reloads (its files are cached) once
                    self.error_pages += 1
                    await self.ws.close()
                    await self._session()
                self.t["script_finished"] = time.time()
            await self._first_doc()
            self.t["first_doc"] = time.time()
        except Exception as e:  # counted as a failed phone, with its reason
            self.error = f"{type(e).__name__}: {e}"[:200]

    async def drain(self) -> None:
        """Stay on the page: read (and drop) what the server pushes on the websocket."""
        if self.ws is None:
            return
        try:
            async for _ in self.ws:
                pass
        except Exception:
            return

    async def leave(self) -> None:
        if self.stream is not None:
            self.stream.close()
        if self.ws is not None:
            await self.ws.close()

    def result(self) -> dict:
        t = self.t
        span = lambda a, b: round(t[b] - t[a], 4) if a in t and b in t else None  # noqa: E731
        # The measure: websocket open → script finished; for a plain page, what its reader waits for
        # instead: from arriving (the page's request) to the board drawn from its stream's first document.
        load = span("arrived", "first_doc") if self.plain else span("ws_open", "script_finished")
        return {
            "error": self.error,
            "page_load": load,
            "files": span("arrived", "files"),
            "ready": span("arrived", "first_doc"),  # arrival → the board's first document
            "bytes": self.bytes,
            "requests": self.requests,
            "encoded": self.encoded,
            "arrived": t.get("arrived"),
            "stage": self.stage,
            "error_pages": self.error_pages,
            "seen": self.seen,
        }
