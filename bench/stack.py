"""The stack a benchmark starts: an in-memory DynamoDB Local of its own on a free port, a fresh table
prefix, and on demand the engine and the web server (tests/support/stack.py); logs in bench/results/logs/."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from bench.report import LOGS
from tests.support.stack import Stack, fresh_prefix


class BenchStack(Stack):
    """A context manager: everything started is stopped, even when `make` is killed (SIGTERM)."""

    def __init__(self, name: str):
        LOGS.mkdir(parents=True, exist_ok=True)
        _tidy_logs(f"b{name[:8]}")
        super().__init__(fresh_prefix(f"b{name[:8]}", 6), LOGS, env=_clean_env())
        self.name = name

    def __enter__(self) -> BenchStack:
        # SIGTERM (a killed `make`) must still run __exit__, so nothing outlives the benchmark.
        signal.signal(signal.SIGTERM, _raise_exit)
        try:
            self.start_dynamodb()
            # boto3 in this process reads credentials from the environment, not from Config.
            for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"):
                os.environ[k] = self.env[k]
            for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
                os.environ.pop(k, None)
            self.store().create_tables()
        except BaseException:
            self.close()
            raise
        return self


def _tidy_logs(stem: str, keep: int = 3, min_age: float = 3600) -> None:
    """Keep the logs of a benchmark's latest `keep` runs, and any written to in the last hour (a run of
    the same benchmark may be going on in another shell)."""
    runs: dict[str, list[Path]] = {}
    for f in LOGS.glob(f"{stem}*.log"):
        runs.setdefault(f.name.rsplit("_", 1)[0], []).append(f)
    newest = sorted(runs.values(), key=lambda fs: max(f.stat().st_mtime for f in fs), reverse=True)
    for files in newest[keep:]:
        if all(time.time() - f.stat().st_mtime > min_age for f in files):
            for f in files:
                f.unlink(missing_ok=True)


def _raise_exit(signum, _frame):
    raise SystemExit(128 + signum)


def _clean_env(db_url: str, prefix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STAGESCORE_"))}
    env.update(
        AWS_ENDPOINT_URL_DYNAMODB=db_url,
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        STAGESCORE_TABLE_PREFIX=prefix,
        PYTHONUNBUFFERED="1",
    )
    return env


def _clean_env() -> dict[str, str]:
    """This process's environment without its AWS_* and STAGESCORE_* settings."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STAGESCORE_"))}
