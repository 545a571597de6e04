"""The simulated viewer: a client of Streamlit's protocol, as a browser is, without a browser.

A websocket on /_stcore/stream (subprotocol `streamlit`), a BackMsg rerun_script for the page, the
ForwardMsgs read until script_finished; then what the page does in a browser: ui/board.js polls the
board JSON (its URL and period come from the component's data in the page), and any fragment with
run_every is re-run on its schedule. Viewers run in worker processes (asyncio, at most 100 a process)
so that one client's event loop does not add its own lag."""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from urllib.parse import urlsplit

from bench.drivers.http import HttpConn

PAGE = "leaderboard"
_DATA_RE = re.compile(rb'\{"url": ?"[^"]+", ?"poll_ms": ?\d+[^{}]*\}')


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
