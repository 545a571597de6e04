"""The stack under test, started the way `make run` starts it but on free ports and fresh tables:
`python -m engine init` and `demo` (short timers), then the engine and the web server as children
(tests/support/stack.py), killed at teardown (SIGTERM, then SIGKILL)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from tests.support.processes import ROOT
from tests.support.stack import Stack, fresh_prefix

ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "e2e-Password-42"
DEMO_WEIGHTS = {"judge1": Decimal(2), "judge2": Decimal(1), "judge3": Decimal(1)}  # `engine demo`'s judges

__all__ = ["ARTIFACTS", "DEMO_WEIGHTS", "PASSWORD", "Stack", "start_stack"]


def start_stack(perform_seconds: float = 2, score_seconds: float = 5, performers: int = 4) -> Iterator[Stack]:
    """The generator behind the `stack` fixture; the caller must have the AWS_* variables set."""
    with Stack(fresh_prefix("e2e"), ARTIFACTS / "logs", password=PASSWORD) as stack:
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
        stack.start_engine(wait=None)
        stack.start_web()
        stack.check_alive()
        yield stack
