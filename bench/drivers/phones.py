"""A phone arriving on the public board, without a browser: what Chromium does on a first visit, at
protocol level (asyncio, many phones a process).

1. the page's files, as the browser fetches them on a first load (the list recorded from a real
   Chromium page, bench/doors.py): the HTML, then the rest over up to six keep-alive connections, with
   `Accept-Encoding: br, gzip`; bodies are counted, not decoded;
2. a Streamlit session: a websocket on /_stcore/stream (subprotocol `streamlit`), one BackMsg
   rerun_script for the page, ForwardMsgs until script_finished (bench/drivers/viewers.py's protocol);
3. the board's stream, /live/public, until its first document.

Then the phone stays: its websocket and its stream held open until told to leave.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from urllib.parse import urlsplit

CONNECTIONS = 6  # Chromium's connections per host over HTTP/1.1
_TLS = ssl.create_default_context()
_TLS.check_hostname = False
_TLS.verify_mode = ssl.CERT_NONE  # the benchmark's nginx has a self-signed certificate


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
    def __init__(self, base_url: str, files: list[str], page: str = "leaderboard"):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._BackMsg, self._ForwardMsg = BackMsg, ForwardMsg
        u = urlsplit(base_url)
        self.tls = u.scheme == "https"
        self.host, self.port = u.hostname, u.port or (443 if self.tls else 80)
        self.base_url, self.files, self.page = base_url, files, page
        self.cookies: dict[str, str] = {}
        self.ws = None
        self.stream: Http | None = None
        self.t: dict[str, float] = {}
        self.bytes = 0
        self.requests = 0
        self.encoded = 0  # files that came compressed
        self.error: str | None = None

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
        await self._fetch(first, f"/{self.page}")
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
        self.t["ws_open"] = time.time()
        m = self._BackMsg()
        m.rerun_script.page_name = self.page
        m.rerun_script.widget_states.SetInParent()
        await self.ws.send(m.SerializeToString())
        while True:
            f = self._ForwardMsg()
            f.ParseFromString(await asyncio.wait_for(self.ws.recv(), 180))
            if f.WhichOneof("type") != "script_finished":
                continue
            if f.script_finished == self._ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                continue  # the rerun's messages follow
            if f.script_finished != self._ForwardMsg.FINISHED_SUCCESSFULLY:
                raise RuntimeError(f"script finished with status {f.script_finished}")
            break

    async def _first_doc(self) -> None:
        self.stream = Http(self.host, self.port, self.tls)
        if self.stream.writer is None:
            self.stream.reader, self.stream.writer = await asyncio.open_connection(
                self.host, self.port, ssl=_TLS if self.tls else None
            )
        h = {"Accept": "text/event-stream", **self._headers()}
        extra = "".join(f"{k}: {v}\r\n" for k, v in h.items())
        self.stream.writer.write(f"GET /live/public HTTP/1.1\r\nHost: {self.host}\r\n{extra}\r\n".encode())
        reader = self.stream.reader
        status = int((await reader.readline()).split()[1])
        if status != 200:
            raise RuntimeError(f"/live/public: HTTP {status}")
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        while b"event: doc" not in await asyncio.wait_for(reader.readline(), 120):
            pass

    async def arrive(self) -> None:
        """Files, session, stream: the timestamps of each step in `t`; a failure in `error`."""
        self.t["arrived"] = time.time()
        try:
            await self._files()
            self.t["files"] = time.time()
            await self._session()
            self.t["script_finished"] = time.time()
            await self._first_doc()
            self.t["first_doc"] = time.time()
        except Exception as e:  # counted as a failed phone, with its reason
            self.error = f"{type(e).__name__}: {e}"[:200]

    async def drain(self) -> None:
        """Stay on the page: read (and drop) what the server pushes on the websocket."""
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
        return {
            "error": self.error,
            "page_load": span("ws_open", "script_finished"),  # the measure: websocket → script
            "files": span("arrived", "files"),
            "ready": span("arrived", "first_doc"),  # arrival → the board's first document
            "bytes": self.bytes,
            "requests": self.requests,
            "encoded": self.encoded,
            "arrived": t.get("arrived"),
        }
