"""Child processes of tests and benchmarks: each in its own process group with its output in a log
file, stopped with SIGTERM and then SIGKILL so that nothing outlives the run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class ProcessExited(AssertionError):
    """A child the run needs has exited (an AssertionError, so pytest reports a failure)."""


def engine_command(*args: str) -> list[str]:
    """`python -m engine ...` with this interpreter."""
    return [sys.executable, "-m", "engine", *args]


def engine_cli(env: Mapping[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run `python -m engine ...` to its end, as an operator would type it; output captured as text."""
    return subprocess.run(
        engine_command(*args), cwd=ROOT, env=dict(env), capture_output=True, text=True, timeout=timeout
    )


def spawn(cmd: Sequence[str], env: Mapping[str, str], log: Path) -> subprocess.Popen:
    """Start `cmd` in the repository, output (stdout and stderr) into `log`; `proc.log_path` says where.

    Its own process group (a new session), so `kill` reaches its children too."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            list(cmd),
            cwd=ROOT,
            env=dict(env),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    proc.log_path = log  # type: ignore[attr-defined]
    return proc


def read_log(proc: subprocess.Popen) -> str:
    """The log of a child started by `spawn` ('' if it is gone)."""
    try:
        return Path(proc.log_path).read_text(errors="replace")  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return ""


def kill(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    """SIGTERM the child's process group, then SIGKILL if it has not exited within `timeout` seconds."""
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


def check_alive(procs: Sequence[subprocess.Popen]) -> None:
    """Raise ProcessExited, with the end of its log, for the first child that has exited."""
    for p in procs:
        if p.poll() is not None:
            tail = read_log(p)[-1500:]
            where = getattr(p, "log_path", "?")
            raise ProcessExited(
                f"{' '.join(map(str, p.args[:4]))} exited with code {p.returncode} (log {where}):\n{tail}"
            )


def status_json(env: Mapping[str, str]) -> dict:
    """`python -m engine status --json` for the tables `env` names."""
    out = engine_cli(env, "status", "--json", timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)
