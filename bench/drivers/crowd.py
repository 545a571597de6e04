"""A crowd of phones (bench/drivers/phones.py) arriving at random moments within a window, spread over
worker processes (spawned, asyncio) so that no client's event loop adds its own lag; they stay on the
page until told to leave, then report each phone's figures. Phones may be spread over several stages'
boards (the i-th phone on stages[i % len(stages)]) and may follow their board's stream."""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import queue
import random
import time

from bench.drivers import devices
from bench.drivers.phones import Phone

PER_PROCESS = 250
TICK = 0.1  # seconds between the looks at each worker's event loop (`Crowd.lags`)


def _worker(
    wid: int, base_url: str, files: list[str], starts: list[float], stages: list, follow: bool, leave_evt, out
) -> None:
    devices.as_a_device()

    async def main() -> None:
        phones = [Phone(base_url, files, stage=stage) for stage in stages]
        tasks, drains = [], []
        lags: list[tuple[float, float]] = []

        async def ticker() -> None:  # how late this worker's event loop wakes: the clients' own queue
            while True:
                t = time.monotonic()
                await asyncio.sleep(TICK)
                lags.append((time.time(), time.monotonic() - t - TICK))

        clock = asyncio.create_task(ticker())

        async def one(phone: Phone, at: float) -> None:
            await asyncio.sleep(max(0.0, at - time.time()))
            await phone.arrive()
            if phone.error is None:
                drains.append(asyncio.create_task(phone.drain()))
                if follow:
                    drains.append(asyncio.create_task(phone.follow()))

        for phone, at in zip(phones, starts, strict=True):
            tasks.append(asyncio.create_task(one(phone, at)))
        await asyncio.gather(*tasks)
        out.put(("in", wid, sum(p.error is None for p in phones)))
        while not leave_evt.is_set():
            await asyncio.sleep(0.1)
        await asyncio.gather(*(p.leave() for p in phones), return_exceptions=True)
        for d in drains:
            d.cancel()
        clock.cancel()
        out.put(("done", wid, {"phones": [p.result() for p in phones], "lags": lags}))

    try:
        asyncio.run(main())
    except BaseException as e:
        out.put(("failed", wid, f"{type(e).__name__}: {e}"))


class Crowd:
    def __init__(
        self,
        base_url: str,
        files: list[str],
        n: int,
        within: float,
        lead: float = 3.0,
        stages: list[str] | None = None,
        follow: bool = False,
    ):
        """n phones at uniformly random moments within `within` seconds, starting `lead` s from now
        (time for the workers to start); on `stages`' boards in turn (None: the default board)."""
        self.ctx = mp.get_context("spawn")
        self.leave_evt = self.ctx.Event()
        self.out = self.ctx.Queue()
        self.start_at = time.time() + lead
        moments = sorted(self.start_at + random.uniform(0, within) for _ in range(n))
        where = [stages[i % len(stages)] if stages else None for i in range(n)]
        k = max(1, -(-n // PER_PROCESS))
        # each worker gets arrivals across the whole window, on every stage
        shares = [(moments[i::k], where[i::k]) for i in range(k)]
        self.procs = [
            self.ctx.Process(
                target=_worker,
                args=(i, base_url, files, at, on, follow, self.leave_evt, self.out),
                daemon=True,
            )
            for i, (at, on) in enumerate(shares)
        ]
        for p in self.procs:
            p.start()
        self.lags: list[tuple[float, float]] = []  # (when, seconds late) of every worker's loop, at leave()

    def wait_in(self, timeout: float) -> int:
        """Block until every phone has arrived (or failed); returns how many are in."""
        return sum(self._collect("in", timeout))

    def leave(self, timeout: float = 120) -> list[dict]:
        self.leave_evt.set()
        results: list[dict] = []
        for share in self._collect("done", timeout):
            results.extend(share["phones"])
            self.lags.extend(share["lags"])
        for p in self.procs:
            p.join(10)
        return results

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def _collect(self, kind: str, timeout: float) -> list:
        got, deadline = [], time.time() + timeout
        while len(got) < len(self.procs):
            try:
                k, wid, payload = self.out.get(timeout=max(0.1, deadline - time.time()))
            except queue.Empty:
                raise TimeoutError(
                    f"{len(self.procs) - len(got)} crowd workers silent after {timeout} s"
                ) from None
            if k == "failed":
                raise RuntimeError(f"crowd worker {wid}: {payload}")
            if k == kind:
                got.append(payload)
        return got
