"""Start, wait for and stop DynamoDB Local on a port. No boto3 here: readiness is checked with a raw HTTP
POST, so this works before anything else does."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from engine.domain.model import StagescoreError
from engine.localdb.install import (
    DEFAULT_DATA_DIR,
    INSTALL_DIR,
    JVM_FLAGS,
    SHORT_RUN_JVM_FLAGS,
    _java,
    ensure_installed,
    jar_path,
    lib_path,
)


def command(
    port: int, data_dir: Path | None = None, in_memory: bool = False, short_run: bool = False
) -> list[str]:
    """The java command line that serves DynamoDB Local on `port` (data_dir defaults to <repo>/data);
    `short_run`: tuned for a database that lives a minute or two (SHORT_RUN_JVM_FLAGS)."""
    if in_memory and data_dir is not None:
        raise ValueError("choose either a data directory or in-memory, not both")
    cmd = [
        _java() or "java",
        *JVM_FLAGS,
        *(SHORT_RUN_JVM_FLAGS if short_run else ()),
        f"-Djava.library.path={lib_path()}",
        "-jar",
        str(jar_path()),
        "-port",
        str(int(port)),
    ]
    if in_memory:
        cmd.append("-inMemory")
    else:
        directory = Path(data_dir if data_dir is not None else DEFAULT_DATA_DIR).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        cmd += ["-dbPath", str(directory)]
    # One database for every access key and region, so the CLI, pages and tests all see the same tables.
    cmd.append("-sharedDb")
    # Otherwise it phones home and drops dynamodb-local-metadata.json (an installation id) into its cwd.
    cmd.append("-disableTelemetry")
    return cmd


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True if something listens on host:port or the port cannot be bound there."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        if s.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def endpoint_url(port: int, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{port}"


def _list_tables(url: str, timeout: float) -> bool:
    """POST a ListTables; DynamoDB Local wants a SigV4-shaped Authorization header but checks no signature."""
    req = urllib.request.Request(
        url + "/",
        data=b"{}",
        method="POST",
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": "DynamoDB_20120810.ListTables",
            "Authorization": (
                "AWS4-HMAC-SHA256 Credential=local/20240101/us-east-1/dynamodb/aws4_request, "
                "SignedHeaders=content-type;host;x-amz-target, Signature=0"
            ),
        },
    )
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.status == 200 and b"TableNames" in resp.read()


def wait_until_up(
    port: int, timeout: float = 30.0, host: str = "127.0.0.1", proc: subprocess.Popen | None = None
) -> None:
    """Poll until DynamoDB Local answers a ListTables on host:port; fail early if `proc` exits."""
    url = endpoint_url(port, host)
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while True:
        if proc is not None and proc.poll() is not None:
            raise StagescoreError(
                f"DynamoDB Local exited with code {proc.returncode} before answering on {url}."
            )
        try:
            with socket.create_connection((host, port), timeout=0.5):
                pass
            if _list_tables(url, timeout=2.0):
                return
            last = "an answer without TableNames"
        except (OSError, urllib.error.URLError) as e:
            last = str(e)
        if time.monotonic() >= deadline:
            raise StagescoreError(f"DynamoDB Local did not answer on {url} within {timeout:g} s ({last}).")
        time.sleep(0.1)


def _port_taken_message(port: int) -> str:
    return (
        f"Port {port} is already in use (is DynamoDB Local already running?): stop that process "
        f"or choose another port with --port."
    )


def start(
    port: int,
    data_dir: Path | None = None,
    in_memory: bool = False,
    log_path: Path | None = None,
    timeout: float = 30.0,
    short_run: bool = False,
) -> subprocess.Popen:
    """Start DynamoDB Local in the background, in its own process group, and return once it answers.

    Its output goes to log_path (default: .dynamodb/logs/dynamodb-<port>.log); stop it with stop().
    `short_run`: see command().
    """
    ensure_installed(quiet=True)
    if port_in_use(port):
        raise StagescoreError(_port_taken_message(port))
    cmd = command(port, data_dir, in_memory, short_run)
    log = Path(log_path) if log_path is not None else INSTALL_DIR / "logs" / f"dynamodb-{port}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=INSTALL_DIR,  # where any file it writes beside its data belongs
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    proc.log_path = log  # type: ignore[attr-defined]
    try:
        wait_until_up(port, timeout=timeout, proc=proc)
    except BaseException as e:
        stop(proc)
        if isinstance(e, StagescoreError):
            tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
            raise StagescoreError(f"{str(e).rstrip('.')}; its log {log} ends: {tail or '(empty)'}") from e
        raise
    return proc


def stop(proc: subprocess.Popen, timeout: float = 5) -> int | None:
    """Terminate the server's process group: SIGTERM, then SIGKILL after `timeout` seconds."""
    if proc.poll() is None:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            except PermissionError:
                proc.send_signal(sig)
            try:
                proc.wait(timeout=timeout)
                break
            except subprocess.TimeoutExpired:
                continue
    return proc.returncode


def run_foreground(port: int, data_dir: Path | None = None, in_memory: bool = False) -> int:
    """Serve DynamoDB Local until interrupted (the `python -m engine db` command); return its exit code."""
    ensure_installed()
    if port_in_use(port):
        print(_port_taken_message(port), file=sys.stderr)
        return 2
    cmd = command(port, data_dir, in_memory)
    where = "in memory" if in_memory else f"data in {cmd[cmd.index('-dbPath') + 1]}"
    # Its own session, so a terminal's Ctrl-C reaches it once, through us; a second one kills it.
    proc = subprocess.Popen(cmd, cwd=INSTALL_DIR, stdin=subprocess.DEVNULL, start_new_session=True)
    signals = {signal.SIGINT: 0, signal.SIGTERM: 0, signal.SIGHUP: 0}

    def forward(signum, _frame):
        signals[signum] += 1
        # Always SIGTERM: a JVM whose parent ignored SIGINT (a background job) inherits that and ignores it.
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL if sum(signals.values()) > 1 else signal.SIGTERM)

    previous = {s: signal.signal(s, forward) for s in signals}
    try:
        try:
            wait_until_up(port, proc=proc)
        except StagescoreError as e:
            if not any(signals.values()):
                print(str(e), file=sys.stderr)
                return 1
        else:
            print(
                f"DynamoDB Local is up at {endpoint_url(port)} ({where}); "
                f"use it with AWS_ENDPOINT_URL_DYNAMODB={endpoint_url(port)}; Ctrl-C stops it.",
                file=sys.stderr,
                flush=True,
            )
        code = proc.wait()
        if any(signals.values()) and code in (0, 128 + signal.SIGTERM):
            print("DynamoDB Local stopped.", file=sys.stderr)
            return 0  # stopped as asked
        return code
    finally:
        stop(proc)
        for s, h in previous.items():
            signal.signal(s, h)
