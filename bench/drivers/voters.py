"""Audience phones voting, without a browser: what ui/vote/vote.js does, at protocol level (asyncio, many
phones a process), each phone a fresh device: a connection and a cookie jar of its own.

A phone, at its planned moment after the window's code is given out:
1. GET /vote?code=CODE (as the kiosk's QR code opens it) with `Accept-Encoding: br, gzip`: the page and
   the HttpOnly cookie that is its place in the vote; the bytes that came over the wire are counted;
2. GET /vote/window?code=CODE, as the page does with a code in its address;
3. POST /vote {code, value, request_id} with `X-Stagescore: 1`: a 503 is sent again after 2 s with the
   same request id, as the page does; the acknowledgement is timed from the first send;
4. a reviser votes again 1-3 s after its acknowledgement (a new request id, other stars); a late phone
   loaded the page in time but taps only after the window's close, and must be refused (409).

`Voters` spreads the phones over worker processes (spawned) that wait for the code; `open` gives it out,
`close` tells the late phones when the window closes; `results` returns every phone's record.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import queue
import random
import threading
import time
import uuid
from dataclasses import asdict, dataclass

from bench.drivers import devices

PER_PROCESS = 500
RETRY_SECONDS = 2.0  # ui/vote/vote.js: a 503 (busy, or the database away) is sent again after 2 s
RETRIES = 5
IDLE_SECONDS = 4.0  # uvicorn closes a keep-alive connection idle for 5 s: a phone reconnects before


@dataclass(frozen=True)
class Plan:
    at: float  # seconds after the code is given out
    value: int  # stars
    revise_to: int | None = None  # a second vote, other stars
    late: bool = False  # loads in time, votes only after the close
    late_after: float = 0.0  # seconds after the close


def plans(n: int, within: float, revise: float, late: float, seed: int = 24) -> list[Plan]:
    """n phones at random moments within `within` s; a share `revise` vote twice, a share `late` (others)
    vote only after the close."""
    rng = random.Random(seed)
    kinds = ["late"] * round(n * late) + ["revise"] * round(n * revise)
    kinds += ["once"] * (n - len(kinds))
    rng.shuffle(kinds)
    out = []
    for kind in kinds:
        value = rng.randint(1, 5)
        other = rng.choice([v for v in range(1, 6) if v != value]) if kind == "revise" else None
        out.append(Plan(rng.uniform(0, within), value, other, kind == "late", rng.uniform(0.3, 2.5)))
    return out


class Conn:
    """One keep-alive HTTP/1.1 connection: (status, headers, body) per request; a request on a connection
    the server has closed meanwhile is sent again on a new one (each is a GET or carries a request id)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.used = 0.0

    async def request(
        self, method: str, path: str, headers: dict, body: bytes = b""
    ) -> tuple[int, dict, bytes]:
        if self.writer is not None and time.monotonic() - self.used > IDLE_SECONDS:
            self.close()
        for attempt in (0, 1):
            fresh = self.writer is None
            try:
                return await self._once(method, path, headers, body)
            except (ConnectionError, asyncio.IncompleteReadError, IndexError):
                self.close()
                if fresh or attempt:
                    raise
        raise AssertionError("unreachable")

    async def _once(self, method: str, path: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        length = f"Content-Length: {len(body)}\r\n" if method == "POST" else ""
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{extra}{length}\r\n"
        self.writer.write(head.encode() + body)
        status = int((await self.reader.readline()).split()[1])
        got: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b""):
            k, _, v = line.decode("latin-1").partition(":")
            got[k.strip().lower()] = v.strip()
        data = await self.reader.readexactly(int(got.get("content-length", "0")))
        self.used = time.monotonic()
        if got.get("connection", "").lower() == "close":
            self.close()
        return status, got, data

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


class Voter:
    def __init__(self, host: str, port: int, plan: Plan):
        self.conn = Conn(host, port)
        self.plan = plan
        self.cookie = ""
        self.rec: dict = {"plan": asdict(plan), "error": None, "votes": []}

    async def run(self, code: str, zero: float, closes: asyncio.Future) -> None:
        r = self.rec
        try:
            await asyncio.sleep(max(0.0, zero + self.plan.at - time.time()))
            r["arrived"] = time.time()
            status, head, body = await self.conn.request(
                "GET", f"/vote?code={code}", {"Accept-Encoding": "br, gzip"}
            )
            if status != 200 or "set-cookie" not in head:
                raise RuntimeError(f"GET /vote: HTTP {status}, cookie {'set-cookie' in head}")
            self.cookie = head["set-cookie"].split(";", 1)[0]
            r["page"] = {"seconds": time.time() - r["arrived"], "bytes": len(body),
                         "encoding": head.get("content-encoding", "")}  # fmt: skip
            t = time.time()
            status, _, body = await self.conn.request("GET", f"/vote/window?code={code}", self._headers())
            r["window"] = {"seconds": time.time() - t, "status": status}
            if status != 200:
                raise RuntimeError(f"GET /vote/window: HTTP {status} {body[:100]!r}")
            if self.plan.late:
                closes_at = await closes
                await asyncio.sleep(max(0.0, closes_at + self.plan.late_after - time.time()))
                await self._vote(code, self.plan.value, "late")
                return
            await self._vote(code, self.plan.value, "first")
            if self.plan.revise_to is not None:
                await asyncio.sleep(random.uniform(1.0, 3.0))
                await self._vote(code, self.plan.revise_to, "revision")
        except Exception as e:  # counted as a failed phone, with its reason
            r["error"] = f"{type(e).__name__}: {e}"[:200]
        finally:
            self.conn.close()

    def _headers(self) -> dict:
        return {"Accept-Encoding": "br, gzip", "Cookie": self.cookie}

    async def _vote(self, code: str, value: int, kind: str) -> None:
        rid = uuid.uuid4().hex
        payload = json.dumps({"code": code, "value": value, "request_id": rid}).encode()
        headers = {**self._headers(), "Content-Type": "application/json", "X-Stagescore": "1"}
        sent, retries = time.time(), 0
        while True:
            status, _, body = await self.conn.request("POST", "/vote", headers, payload)
            if status != 503 or retries >= RETRIES:
                break
            retries += 1
            await asyncio.sleep(RETRY_SECONDS)
        try:
            answer = json.loads(body) if body else {}
        except ValueError:  # not the route's answer (a refused connection's sentence)
            answer = {"error": body[:100].decode("latin-1")}
        acked = time.time()
        self.rec["votes"].append(
            {"kind": kind, "value": value, "status": status, "sent": sent, "acked": acked,
             "seconds": acked - sent, "retries": retries, "counted": answer.get("value"),
             "replayed": answer.get("replayed"), "error": answer.get("error")}
        )  # fmt: skip


def _worker(wid: int, host: str, port: int, share: list[Plan], inbox, out) -> None:
    devices.as_a_device()

    async def main() -> None:
        loop = asyncio.get_running_loop()
        closes = loop.create_future()
        _, code, zero = await loop.run_in_executor(None, inbox.get)

        def wait_close() -> None:
            _, closes_at = inbox.get()
            loop.call_soon_threadsafe(closes.set_result, closes_at)

        threading.Thread(target=wait_close, daemon=True).start()
        voters = [Voter(host, port, p) for p in share]
        await asyncio.gather(*(v.run(code, zero, closes) for v in voters))
        out.put(("done", wid, ([v.rec for v in voters], time.process_time())))

    try:
        asyncio.run(main())
    except BaseException as e:
        out.put(("failed", wid, f"{type(e).__name__}: {e}"))


class Voters:
    """The phones in worker processes, started now and waiting for the window's code."""

    def __init__(self, host: str, port: int, phones: list[Plan]):
        ctx = mp.get_context("spawn")
        self.out = ctx.Queue()
        self.cpu = 0.0
        k = max(1, -(-len(phones) // PER_PROCESS))
        self.inboxes = [ctx.Queue() for _ in range(k)]
        self.procs = [
            ctx.Process(
                target=_worker, args=(i, host, port, phones[i::k], self.inboxes[i], self.out), daemon=True
            )
            for i in range(k)
        ]
        for p in self.procs:
            p.start()

    def open(self, code: str, zero: float) -> None:
        """The code is out: each phone starts at `zero` + its planned moment."""
        for q in self.inboxes:
            q.put(("open", code, zero))

    def close(self, closes_at: float) -> None:
        for q in self.inboxes:
            q.put(("close", closes_at))

    def results(self, timeout: float) -> list[dict]:
        """Every phone's record, once all have voted; `cpu`: the CPU seconds the workers used."""
        got, deadline = [], time.time() + timeout
        for _ in self.procs:
            try:
                kind, wid, payload = self.out.get(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                raise TimeoutError(f"voter workers silent after {timeout} s") from None
            if kind == "failed":
                raise RuntimeError(f"voter worker {wid}: {payload}")
            records, cpu = payload
            got.extend(records)
            self.cpu += cpu
        for p in self.procs:
            p.join(10)
        return got
