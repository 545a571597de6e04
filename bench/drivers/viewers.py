"""The simulated viewer: a client of Streamlit's protocol, as a browser is, without a browser.

A websocket on /_stcore/stream (subprotocol `streamlit`), a BackMsg rerun_script for the page, the
ForwardMsgs read until script_finished; then what the page does in a browser: ui/board.js polls the
board JSON (its URL and period come from the component's data in the page), and any fragment with
run_every is re-run on its schedule. Viewers run in worker processes (asyncio, at most 100 a process)
so that one client's event loop does not add its own lag."""

from __future__ import annotations

import asyncio
import gzip
import json
import math
import multiprocessing as mp
import queue
import random
import re
import time
import zlib
from urllib.parse import urlsplit

from bench import report

PAGE = "leaderboard"
_DATA_RE = re.compile(rb'\{"url": ?"[^"]+", ?"poll_ms": ?\d+[^{}]*\}')


# ---- a small keep-alive HTTP/1.1 client (a browser keeps its connection too) ---------------------


class HttpConn:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, path: str) -> tuple[int, bytes]:
        for attempt in (0, 1):
            try:
                return await self._get(path)
            except (ConnectionError, asyncio.IncompleteReadError, OSError):
                self.close()
                if attempt:
                    raise
        raise AssertionError("unreachable")

    async def _get(self, path: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAccept: */*\r\n"
                "Accept-Encoding: gzip, deflate\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n"
            ).encode()
        )
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            raise ConnectionError("connection closed")
        status = int(status_line.split()[1])
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            k, _, v = line.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    break
                body += await self.reader.readexactly(size)
                await self.reader.readline()
            body = bytes(body)
        else:
            body = await self.reader.readexactly(int(headers.get("content-length", "0")))
        enc = headers.get("content-encoding", "")
        if enc == "gzip":
            body = gzip.decompress(body)
        elif enc == "deflate":
            body = zlib.decompress(body)
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


# ---- the simulated viewer -------------------------------------------------------------------------


class SimViewer:
    def __init__(self, base_url: str, page: str = PAGE, query: str = ""):
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        self._BackMsg, self._ForwardMsg = BackMsg, ForwardMsg
        u = urlsplit(base_url)
        self.base_url, self.host, self.port = base_url, u.hostname, u.port
        self.page, self.query = page, query
        self.http = HttpConn(self.host, self.port)
        self.ws = None
        self.page_hash = ""
        self.board_path: str | None = None
        self.poll_s = 0.4
        self.fragments: dict[str, asyncio.Task] = {}
        self.load_seconds: float | None = None
        self.connected_at: float | None = None
        self.obs: list[tuple[float, int, int]] = []  # (seen at, state version, scores in), on change
        self.errors: list[str] = []
        self.fetches = 0
        self.fragment_runs = 0
        self.board_errors = 0  # fetched boards saying the database is unreachable
        self.early_reruns = 0  # script runs the server stopped early for a rerun
        self._closing = False

    def _rerun(self, fragment_id: str = "", auto: bool = False) -> bytes:
        m = self._BackMsg()
        r = m.rerun_script
        r.query_string = self.query
        r.page_script_hash = self.page_hash if fragment_id else ""
        r.page_name = "" if fragment_id else self.page
        if fragment_id:
            r.fragment_id = fragment_id
            r.is_auto_rerun = auto
        r.widget_states.SetInParent()
        return m.SerializeToString()

    async def connect(self) -> None:
        from websockets.asyncio.client import connect

        t0 = time.time()
        ws_url = f"ws://{self.host}:{self.port}/_stcore/stream"
        # A browser neither pings nor gives up on a slow server: no keepalive pings, a patient handshake.
        self.ws = await connect(
            ws_url,
            subprotocols=["streamlit"],
            origin=self.base_url,
            proxy=None,
            max_size=None,
            ping_interval=None,
            open_timeout=120,
        )
        await self.ws.send(self._rerun())
        kinds = []
        while True:
            msg = await asyncio.wait_for(self.ws.recv(), 180)
            kind = self._handle(msg)
            kinds.append(kind)
            if kind == "script_finished":  # (a run stopped early for a rerun is followed by that rerun)
                break
        self.load_seconds = time.time() - t0
        self.connected_at = time.time()
        if self.board_path is None:
            raise RuntimeError(f"the page held no live board component (messages: {', '.join(kinds)})")

    def _handle(self, raw: bytes) -> str:
        """Act on one ForwardMsg; return its kind (script_finished with its status)."""
        f = self._ForwardMsg()
        f.ParseFromString(raw)
        kind = f.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = f.new_session.page_script_hash
        elif kind == "delta":
            if self.board_path is None and (m := _DATA_RE.search(raw)):
                data = json.loads(m.group(0))
                self.board_path, self.poll_s = data["url"], data["poll_ms"] / 1000
            element = f.delta.new_element.WhichOneof("type") if f.delta.HasField("new_element") else None
            if element in ("exception", "alert"):
                shown = str(getattr(f.delta.new_element, element))[:200]
                self.errors.append(f"the page showed an {element}: {shown}")
        elif kind == "auto_rerun":
            fid, every = f.auto_rerun.fragment_id, f.auto_rerun.interval
            if fid and fid not in self.fragments:
                self.fragments[fid] = asyncio.get_running_loop().create_task(self._fragment(fid, every))
        elif kind == "stop_auto_rerun":
            for fid in f.stop_auto_rerun.fragment_ids or list(self.fragments):
                task = self.fragments.pop(fid, None)
                if task:
                    task.cancel()
        elif kind == "script_finished":
            ok = (self._ForwardMsg.FINISHED_SUCCESSFULLY, self._ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY)
            if f.script_finished == self._ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                self.early_reruns += 1
                return "script_stopped_for_rerun"  # the browser waits for the rerun's messages too
            if f.script_finished not in ok:
                self.errors.append(f"script finished with status {f.script_finished}")
        return kind

    async def _fragment(self, fid: str, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            await self.ws.send(self._rerun(fid, auto=True))
            self.fragment_runs += 1

    async def _read_ws(self) -> None:
        try:
            async for raw in self.ws:
                self._handle(raw)
        except Exception as e:
            if not self._closing:
                self.errors.append(f"websocket: {type(e).__name__}: {e}")
            return
        if not self._closing:
            self.errors.append("websocket closed by the server")

    async def poll_once(self) -> None:
        path = f"{self.board_path}?t={int(time.time() * 1000)}"
        try:
            status, body = await self.http.get(path)
        except Exception as e:
            self.errors.append(f"board fetch: {type(e).__name__}: {e}")
            return
        seen = time.time()
        self.fetches += 1
        if status == 404 and not self.obs:
            return  # not published yet (the first page of this process started the publisher)
        if status != 200:
            self.errors.append(f"board fetch: HTTP {status}")
            return
        doc = json.loads(body)
        if doc.get("error"):
            self.board_errors += 1
        if "version" not in doc:
            return
        n = sum(r.get("scores_in", 0) for r in doc.get("ranking", ()))
        key = (int(doc["version"]), n)
        if not self.obs or self.obs[-1][1:] != key:
            self.obs.append((seen, *key))

    async def run(self, stop: asyncio.Event) -> None:
        try:
            await self.connect()
        except Exception as e:
            self.errors.append(f"connect: {type(e).__name__}: {e}")
            return
        reader = asyncio.get_running_loop().create_task(self._read_ws())
        await asyncio.sleep(random.uniform(0, self.poll_s))  # viewers do not arrive in lockstep
        try:
            while not stop.is_set():
                await self.poll_once()
                await asyncio.sleep(self.poll_s)
        finally:
            self._closing = True
            for task in [reader, *self.fragments.values()]:
                task.cancel()
            self.http.close()
            await self.ws.close()

    def result(self) -> dict:
        return {
            "load_seconds": self.load_seconds,
            "connected_at": self.connected_at,
            "obs": self.obs,
            "errors": self.errors,
            "fetches": self.fetches,
            "fragment_runs": self.fragment_runs,
            "board_errors": self.board_errors,
            "early_reruns": self.early_reruns,
        }


# ---- worker processes ---------------------------------------------------------------------------


def _worker(wid: int, base_url: str, page: str, query: str, n: int, ramp: float, stop_evt, out) -> None:
    async def main() -> None:
        stop = asyncio.Event()
        viewers = [SimViewer(base_url, page, query) for _ in range(n)]
        tasks = []
        for v in viewers:
            tasks.append(asyncio.create_task(v.run(stop)))
            await asyncio.sleep(1 / ramp)
        while any(v.connected_at is None and not v.errors for v in viewers):
            await asyncio.sleep(0.05)
        out.put(("ready", wid, sum(v.connected_at is not None for v in viewers)))
        while not stop_evt.is_set():
            await asyncio.sleep(0.1)
        stop.set()
        await asyncio.wait(tasks, timeout=10)
        out.put(("done", wid, [v.result() for v in viewers]))

    try:
        asyncio.run(main())
    except BaseException as e:
        out.put(("failed", wid, f"{type(e).__name__}: {e}"))


class ViewerPool:
    """Simulated viewers in worker processes (spawned: no threads or sockets inherited)."""

    def __init__(self, base_url: str, page: str = PAGE, query: str = "", per_process: int = 100):
        self.ctx = mp.get_context("spawn")
        self.base_url, self.page, self.query, self.per_process = base_url, page, query, per_process
        self.stop_evt = self.ctx.Event()
        self.out = self.ctx.Queue()
        self.procs: list = []
        self.count = 0

    def add(self, n: int, rate: float = 10.0, timeout: float = 900) -> None:
        """Add n viewers, arriving `rate` a second in all; return once all have loaded the page."""
        k = math.ceil(n / self.per_process)
        ramp = rate / k
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
        started = []
        for size in sizes:
            wid = len(self.procs)
            p = self.ctx.Process(
                target=_worker,
                args=(wid, self.base_url, self.page, self.query, size, ramp, self.stop_evt, self.out),
                daemon=True,
            )
            p.start()
            self.procs.append(p)
            started.append(wid)
        ready = set()
        deadline = time.monotonic() + timeout
        while len(ready) < len(started):
            try:
                kind, wid, payload = self.out.get(timeout=1)
            except queue.Empty:
                dead = [w for w in started if w not in ready and not self.procs[w].is_alive()]
                if dead:
                    raise RuntimeError(f"viewer worker(s) {dead} exited before connecting") from None
                if time.monotonic() > deadline:
                    raise TimeoutError(f"viewers not connected within {timeout:g} s") from None
                continue
            if kind == "failed":
                raise RuntimeError(f"viewer worker {wid} failed: {payload}")
            if kind == "ready":
                ready.add(wid)
                if payload < sizes[started.index(wid)]:
                    report.say(
                        f"worker {wid}: only {payload} of {sizes[started.index(wid)]} viewers connected"
                    )
        self.count += n

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def stop(self, timeout: float = 60) -> list[dict]:
        """Stop every viewer; return each one's result."""
        self.stop_evt.set()
        results: list[dict] = []
        done = set()
        deadline = time.monotonic() + timeout
        while len(done) < len(self.procs) and time.monotonic() < deadline:
            try:
                kind, wid, payload = self.out.get(timeout=1)
            except queue.Empty:
                if not any(p.is_alive() for p in self.procs):
                    break
                continue
            if kind == "done":
                results += payload
                done.add(wid)
            elif kind == "failed":
                done.add(wid)
                results.append({"obs": [], "errors": [f"worker failed: {payload}"], "connected_at": None})
        for p in self.procs:
            p.join(5)
            if p.is_alive():
                p.terminate()
        return results


def client_cpu(pids: list[int]) -> float:
    import psutil

    total = 0.0
    for pid in pids:
        try:
            t = psutil.Process(pid).cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total
