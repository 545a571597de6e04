"""Simulated viewers in worker processes (asyncio, at most `per_process` a process), so that one
client's event loop does not add its own lag; and the CPU those clients used."""

from __future__ import annotations

import asyncio
import math
import multiprocessing as mp
import queue
import time

from bench import report
from bench.drivers import devices
from bench.drivers.viewers import PAGE, SimViewer

# ---- worker processes ---------------------------------------------------------------------------


def _worker(wid: int, base_url: str, page: str, query: str, n: int, ramp: float, stop_evt, out) -> None:
    devices.as_a_device()

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
