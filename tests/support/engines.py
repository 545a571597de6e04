"""Processes a fault test kills: `python -m engine run` (SIGKILL, SIGSTOP, SIGCONT; its engine id read
from its log) and a DynamoDB Local persisted on disk that is killed and started again; and who holds
the engines' lease."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from pathlib import Path

from engine import localdb
from engine.domain.stages import MAIN
from engine.store import Store
from tests.support.processes import engine_command, spawn
from tests.support.waiting import wait_for


class EngineProc:
    """One `python -m engine run`, output in a log file; the engine's id is read from that log."""

    _OWNER = re.compile(r"engine (engine-[0-9a-f]+) starting")

    def __init__(self, env: dict[str, str], log_dir: Path, name: str):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.started_at = time.time()
        self.proc = spawn(engine_command("run"), env, self.log_path)
        self._owner: str | None = None
        self.stopped = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def owner(self, timeout: float = 20.0) -> str:
        if self._owner is None:

            def found():
                if self.proc.poll() is not None:
                    raise AssertionError(f"engine {self.name} exited early:\n{self.text()[-2000:]}")
                m = self._OWNER.search(self.text())
                return m.group(1) if m else None

            self._owner = wait_for(found, timeout, f"engine {self.name} to start")
        return self._owner

    def owner_now(self) -> str | None:
        """The engine's id if it has logged it yet (never waits)."""
        if self._owner is None:
            m = self._OWNER.search(self.text())
            self._owner = m.group(1) if m else None
        return self._owner

    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            os.kill(self.proc.pid, sig)
            if sig == signal.SIGSTOP:
                self.stopped = True
            elif sig == signal.SIGCONT:
                self.stopped = False

    def kill(self) -> None:
        """kill -9, and reap it."""
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def cleanup(self) -> None:
        if self.alive():
            if self.stopped:
                os.kill(self.proc.pid, signal.SIGCONT)
            self.kill()


class DynamoProc:
    """A DynamoDB Local of the test's own, persisted on disk, that the test may kill and restart."""

    def __init__(self, data_dir: Path, log_dir: Path):
        self.data_dir = data_dir
        self.port = localdb.free_port()
        self.log_path = log_dir / f"dynamodb-{self.port}.log"
        self.proc: subprocess.Popen | None = None
        self.start()

    @property
    def endpoint(self) -> str:
        return localdb.endpoint_url(self.port)

    def start(self) -> None:
        t0 = time.monotonic()
        # The port may sit in TIME_WAIT for a moment after a kill; the JVM binds with SO_REUSEADDR.
        wait_for(lambda: not localdb.port_in_use(self.port), 10, f"port {self.port} to be free")
        t1 = time.monotonic()
        self.proc = localdb.start(self.port, data_dir=self.data_dir, log_path=self.log_path, short_run=True)
        self.timings = (t1 - t0, time.monotonic() - t1)

    def kill(self) -> None:
        """kill -9 the JVM (its own process group, started by localdb.start)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def cleanup(self) -> None:
        if self.proc is not None:
            localdb.stop(self.proc)


def lease_holder(store: Store, stage: str = MAIN) -> str | None:
    """The engine holding an unexpired lease (of `stage`) now, if any."""
    item = store.lease.current(stage)
    if not item or float(item.get("expires", 0)) <= time.time():
        return None
    return item.get("owner")


def alive_leader(store: Store, engines: list[EngineProc], stage: str = MAIN) -> EngineProc | None:
    """The live engine holding the lease (of `stage`) now (None if the lease is free, lapsed or held by a
    dead one)."""
    holder = lease_holder(store, stage)
    if holder is None:
        return None
    return next((e for e in engines if e.alive() and not e.stopped and e.owner_now() == holder), None)


class Reaper:
    """Everything a test started, killed by a fixture finalizer whatever happens."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.items: list = []
        self._n = 0

    def engine(self, env: dict[str, str], name: str | None = None) -> EngineProc:
        self._n += 1
        e = EngineProc(env, self.log_dir, name or f"engine{self._n}")
        self.items.append(e)
        return e

    def dynamodb(self, data_dir: Path) -> DynamoProc:
        d = DynamoProc(data_dir, self.log_dir)
        self.items.append(d)
        return d

    def add(self, thing):
        self.items.append(thing)
        return thing

    def cleanup(self) -> None:
        errors = []
        for item in reversed(self.items):
            try:
                (getattr(item, "cleanup", None) or item.close)()
            except Exception as e:  # keep reaping the rest
                errors.append(e)
        self.items.clear()
        if errors:
            raise errors[0]
