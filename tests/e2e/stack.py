"""The stack under test, started the way `make run` starts it but on free ports and fresh tables:
`python -m engine init` and `demo` (short timers), then `python -m engine run` and `streamlit run Home.py`,
each in its own process group, killed at teardown (SIGTERM, then SIGKILL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from engine.config import Config
from engine.localdb import free_port
from engine.service import Service, Snapshot
from engine.store import Store

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "e2e-Password-42"


@dataclass
class Stack:
    url: str
    env: dict[str, str]
    prefix: str
    password: str
    log_dir: Path
    procs: list[subprocess.Popen] = field(default_factory=list)
    _service: Service | None = None

    def cli(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        """`python -m engine ...` on this stack's tables, as an operator would type it."""
        res = subprocess.run(
            [sys.executable, "-m", "engine", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and res.returncode != 0:
            pytest.fail(f"`python -m engine {' '.join(args)}` exited {res.returncode}: {res.stderr.strip()}")
        return res

    def status(self) -> dict:
        """`python -m engine status --json`."""
        return json.loads(self.cli("status", "--json").stdout)

    @property
    def service(self) -> Service:
        """An in-process view of the same tables: cheap enough to poll."""
        if self._service is None:
            self._service = Service(Store(Config.from_env(self.env)))
        return self._service

    def snapshot(self) -> Snapshot:
        return self.service.snapshot()

    def check_alive(self) -> None:
        for p in self.procs:
            if p.poll() is not None:
                pytest.fail(f"{p.args[0]} … exited with code {p.returncode}; see the logs in {self.log_dir}")


def _spawn(cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so teardown reaches its children too
        )


def _kill(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    if proc.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            continue


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"Streamlit exited with code {proc.returncode}: {log.read_text(errors='replace')[-2000:]}"
            )
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as resp:
                if resp.status == 200 and resp.read().strip() == b"ok":
                    return
        except (OSError, urllib.error.URLError) as e:
            last = str(e)
        time.sleep(0.2)
    pytest.fail(f"Streamlit did not answer {url}/_stcore/health within {timeout:g} s ({last})")


def start_stack(perform_seconds: float = 2, score_seconds: float = 5, performers: int = 4) -> Iterator[Stack]:
    """The generator behind the `stack` fixture; the caller must have the AWS_* variables set."""
    prefix = f"e2e{uuid.uuid4().hex[:8]}_"
    log_dir = ARTIFACTS / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(STAGESCORE_TABLE_PREFIX=prefix, PYTHONUNBUFFERED="1")
    port = free_port()
    stack = Stack(f"http://127.0.0.1:{port}", env, prefix, PASSWORD, log_dir)
    try:
        stack.cli("init", "--wait", "30")
        stack.cli(
            "demo",
            "--password",
            PASSWORD,
            "--perform-seconds",
            str(perform_seconds),
            "--score-seconds",
            str(score_seconds),
            "--performers",
            str(performers),
        )
        stack.procs.append(
            _spawn([sys.executable, "-m", "engine", "run"], env, log_dir / f"{prefix}engine.log")
        )
        web_log = log_dir / f"{prefix}streamlit.log"
        web = _spawn(
            [
                sys.executable,
                "-m",
                "ui.serve",
                "run",
                "Home.py",
                "--server.port",
                str(port),
                "--server.headless",
                "true",
                "--server.address",
                "127.0.0.1",
                # Others edit the sources while tests run: no reloads in the middle of an event.
                "--server.fileWatcherType",
                "none",
            ],
            env,
            web_log,
        )
        stack.procs.append(web)
        _wait_healthy(stack.url, web, web_log)
        stack.check_alive()
        yield stack
    finally:
        for p in reversed(stack.procs):
            _kill(p)
        # The live board's published snapshot (ui/board.py names it after the table prefix), and
        # its temporary file if the server was stopped in the middle of a write.
        for path in (ROOT / "static").glob(f"{prefix}board.*"):
            path.unlink(missing_ok=True)
