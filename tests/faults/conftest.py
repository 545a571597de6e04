"""Fault injection: fixtures that kill what they start, a session seed, and a summary per fault kind."""

from __future__ import annotations

import os
import random

import pytest

from tests.faults.harness import SUMMARY, Reaper

# One base seed per session (STAGESCORE_FAULT_SEED to replay one); every run derives its own from it.
BASE_SEED = int(os.environ.get("STAGESCORE_FAULT_SEED") or random.SystemRandom().randrange(1, 10**6))


@pytest.fixture
def reaper(tmp_path):
    r = Reaper(tmp_path)
    try:
        yield r
    finally:
        r.cleanup()


@pytest.fixture
def base_seed(request) -> int:
    # Distinct per test, reproducible from the session's seed.
    seed = BASE_SEED * 1000 + sum(map(ord, request.node.name)) % 1000
    print(f"base seed {seed} (session STAGESCORE_FAULT_SEED={BASE_SEED})")
    return seed


def fault_environment() -> dict[str, str]:
    """Environment for engines on the session's DynamoDB Local: a 1 s lease, polled every 50 ms."""
    env = dict(os.environ)
    env.update(STAGESCORE_LEASE_SECONDS="1", STAGESCORE_POLL_SECONDS="0.05", PYTHONUNBUFFERED="1")
    return env


@pytest.fixture
def fault_env(dynamodb_endpoint) -> dict[str, str]:
    return fault_environment()


def pytest_terminal_summary(terminalreporter):
    if not SUMMARY:
        return
    tr = terminalreporter
    tr.section(f"fault injection summary (STAGESCORE_FAULT_SEED={BASE_SEED})")
    for kind, s in SUMMARY.items():
        tr.write_line(
            f"{kind:<16} runs={s['runs']:<3} faults injected={s['faults']:<4} "
            f"invariants held in {s['held']}/{s['runs']} runs"
        )
        for p in s["problems"][:20]:
            tr.write_line(f"    VIOLATION {p}")
        for n in s["notes"][:20]:
            tr.write_line(f"    note: {n}")
