"""The stack as `make run` starts it, on free ports and under a fresh table prefix: DynamoDB Local
(the caller's, or one of the stack's own), the engine and the web server as child processes.
Used by the e2e tests and by the benchmarks; everything started is stopped by `close`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pytest

from engine import localdb
from engine.config import Config
from engine.domain.stages import MAIN
from engine.service.core import Service
from engine.store import Store
from tests.support import commands, processes
from tests.support.waiting import wait_for

T = TypeVar("T")

if TYPE_CHECKING:  # the read model may move; only its name is needed here
    from engine.domain.snapshot import Snapshot


def web_command(port: int, *options: str, launcher: Sequence[str] = ("ui.serve",)) -> list[str]:
    """The web server's command line, on 127.0.0.1:port: the one place that says how it is started.
    `launcher`: the module run with -m and its leading arguments (a test's patched server, see
    tests/support/patched_web.py).

    No file watcher: others edit the sources while tests run, and a reload mid-event would be noise."""
    return [
        sys.executable,
        "-m",
        *launcher,
        "run",
        "Home.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
        *options,
    ]


def fresh_prefix(stem: str = "t", digits: int = 8) -> str:
    """A table prefix no other test or run uses (random hex), so they can share one DynamoDB Local."""
    return f"{stem}{uuid.uuid4().hex[:digits]}_"


def aws_env(endpoint: str) -> dict[str, str]:
    """The AWS_* variables that point boto3 at a DynamoDB Local (which accepts any credentials)."""
    return {
        "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
    }


def healthy(url: str) -> bool:
    """Whether the web server at `url` answers its health check with "ok"."""
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
            return resp.status == 200 and resp.read().strip() == b"ok"
    except (OSError, urllib.error.URLError):
        return False


class Stack:
    """Tables under `prefix` and the processes started on them; a context manager that closes itself.

    `env` is the environment of every child (default: this process's); `start_dynamodb` replaces its
    database by one of the stack's own."""

    def __init__(self, prefix: str, log_dir: Path, env: Mapping[str, str] | None = None, password: str = ""):
        self.prefix, self.log_dir, self.password = prefix, log_dir, password
        log_dir.mkdir(parents=True, exist_ok=True)
        self.env = {**(os.environ if env is None else env), "STAGESCORE_TABLE_PREFIX": prefix}
        self.env["PYTHONUNBUFFERED"] = "1"
        self.procs: list[subprocess.Popen] = []
        self.db: subprocess.Popen | None = None
        self.db_url = self.env.get("AWS_ENDPOINT_URL_DYNAMODB", "")
        self.web: subprocess.Popen | None = None
        self.url = ""
        self._service: Service | None = None

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop every child (newest first) and the stack's own database."""
        for p in reversed(self.procs):
            processes.kill(p)
        self.procs.clear()
        if self.db is not None:
            localdb.stop(self.db)
            self.db = None

    # ---- the database and in-process access to the same tables
    def start_dynamodb(self) -> str:
        """An in-memory DynamoDB Local of this stack's own on a free port; returns its URL."""
        port = localdb.free_port()
        self.db = localdb.start(port, in_memory=True, log_path=self.log_dir / f"{self.prefix}dynamodb.log")
        self.db_url = localdb.endpoint_url(port)
        self.env.update(aws_env(self.db_url))
        return self.db_url

    @property
    def port(self) -> int:
        """The web server's port (of `url`)."""
        return int(self.url.rsplit(":", 1)[1])

    def config(self, **env: str) -> Config:
        return Config.from_env({**self.env, **env})

    def store(self, **env: str) -> Store:
        return Store(self.config(**env))

    def service(self, **env: str) -> Service:
        """A Service on these tables; without overrides one kept for the stack's life (cheap to poll)."""
        if env:
            return Service(self.store(**env))
        if self._service is None:
            self._service = Service(self.store())
        return self._service

    def snapshot(self) -> Snapshot:
        return self.service().snapshot()

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """`python -m engine ...` on this stack's tables, run in this process (tests/support/commands.py);
        with `check`, a non-zero exit fails."""
        res = commands.shell(*args, env=self.env)
        if check and res.returncode != 0:
            raise AssertionError(
                f"`python -m engine {' '.join(args)}` exited {res.returncode}: {res.stderr.strip()}"
            )
        return res

    def status(self) -> dict:
        """`python -m engine status --json`."""
        return json.loads(self.cli("status", "--json").stdout)

    # ---- processes
    def spawn(self, name: str, cmd: Sequence[str], env: Mapping[str, str] | None = None) -> subprocess.Popen:
        proc = processes.spawn(cmd, {**self.env, **(env or {})}, self.log_dir / f"{self.prefix}{name}.log")
        self.procs.append(proc)
        return proc

    def check_alive(self) -> None:
        processes.check_alive(self.procs)

    def start_engine(
        self, wait: float | None = 30, stage: str = MAIN, env: Mapping[str, str] | None = None
    ) -> subprocess.Popen:
        """`python -m engine run`; with `wait`, returns once it holds the lease (of `stage`)."""
        proc = self.spawn("engine", processes.engine_command("run"), env)
        if wait is not None:
            store = self.store()

            def leased() -> bool:
                self.check_alive()
                lease = store.lease.current(stage)
                return bool(lease and lease.get("owner") and float(lease["expires"]) > time.time())

            wait_for(leased, wait, "the engine to take the lease", 0.1, ignore=())
        return proc

    def start_web(
        self,
        env: Mapping[str, str] | None = None,
        wait: float = 60,
        options: Sequence[str] = (),
        port: int | None = None,
        launcher: Sequence[str] = ("ui.serve",),
    ) -> subprocess.Popen:
        """The web server (`web_command`) on `port` (default: a free one); returns once it answers its
        health check. A restart passes the old port, as a supervisor restarting the process would."""
        port = port or localdb.free_port()
        self.web = self.spawn("streamlit", web_command(port, *options, launcher=launcher), env)
        self.url = f"http://127.0.0.1:{port}"

        def up() -> bool:
            self.check_alive()
            return healthy(self.url)

        wait_for(up, wait, f"{self.url}/_stcore/health", 0.2, ignore=())
        return self.web


def web_stack(stem: str, prepare: Callable[[Service], T]) -> Iterator[tuple[Stack, T]]:
    """For a module fixture: fresh tables under a new prefix (this process's environment names it, since
    the session cookie's name carries it), `prepare(service)` on them, then a web server; yields the stack
    and what `prepare` returned."""
    prefix = fresh_prefix(stem)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STAGESCORE_TABLE_PREFIX", prefix)
        with Stack(prefix, processes.ROOT / "test-artifacts" / "logs") as stack:
            stack.store().create_tables()
            prepared = prepare(stack.service())
            stack.start_web()
            yield stack, prepared
