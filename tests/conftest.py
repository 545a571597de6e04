"""Shared fixtures: one in-memory DynamoDB Local per test session, a table prefix per test, and on
those tables a Store, a Service on a clock the test moves, and the environment of an engine process."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

from engine import localdb
from engine.config import Config
from engine.domain.model import StagescoreError
from engine.service.core import Service
from engine.store import Store
from tests.support.events import FakeClock
from tests.support.stack import aws_env, fresh_prefix

# The property tests' examples are checked, not timed: on two cores shared with browsers and servers an
# example can take longer than hypothesis's default 200 ms deadline, and speed is the benchmarks' business.
settings.register_profile("stagescore", deadline=None)
settings.load_profile("stagescore")

# Browser modules that time nothing: the login gate, the pages' urls and roles, the first visit, the
# screens' pure rules, the results desk's checks, the festival's stages. They may run beside the stacks,
# like the integration tests' engine processes.
TIMING_FREE = (
    "tests/e2e/test_logins_in_the_browser.py",
    "tests/e2e/test_pages.py",
    "tests/e2e/test_fresh_server.py",
    "tests/e2e/test_screen_rules.py",
    "tests/e2e/test_results_in_the_browser.py",  # 90 s windows: nothing there is timed to the second
    "tests/e2e/test_festival_in_the_browser.py",  # 12 s windows, waits on conditions only
    "tests/e2e/test_vote_in_the_browser.py",  # the admin closes each window; waits on conditions only
    "tests/e2e/test_first_load.py",  # the files a cold page fetches, whatever the clock
    "tests/e2e/test_panels_in_the_browser.py",  # 90 s windows closed from the shell: conditions only
    "tests/e2e/test_overlays_in_the_browser.py",  # the test moves the show on; waits on conditions only
    "tests/e2e/test_languages_in_the_browser.py",  # the event stays in the lobby; waits on conditions only
    "tests/e2e/test_accessibility.py",  # axe on every page; long windows, waits on conditions only
    "tests/e2e/test_kiosk_screens.py",  # each stage held in one state; waits on conditions only
)


def stacks_scope(path: str) -> str:
    """The scheduling scope of a test file: "stacks" for the browser tests that run against the clock and
    "faults" for the fault tests, each a chain run one after another, else the file itself."""
    if path in TIMING_FREE:
        return path
    if path.startswith("tests/e2e/"):
        return "stacks"
    return "faults" if path.startswith("tests/faults/") else path


def pytest_xdist_make_scheduler(config, log):
    """`make test`'s workers (pytest-xdist): the browser tests that run whole stacks against the clock
    (tests/e2e: a browser, a web server, an engine, windows) go to one worker, one after another, and the
    fault tests (processes killed at random moments) to another, one after another: within a chain two
    at once would make each the other's load and their timings lie. Every other file (TIMING_FREE's
    browser modules among them) goes whole to whichever worker is free, so its module fixtures are set up
    once. The two chains, the longest work, are handed out first. (xdist's own `xdist_group` marks do
    nothing under pytest 9, whose node ids it can no longer rename.)"""
    from xdist.scheduler import LoadScopeScheduling

    class StacksApart(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return stacks_scope(nodeid.split("::", 1)[0])

        def _assign_work_unit(self, node) -> None:
            for chain in ("faults", "stacks"):  # the two longest chains first, each on a worker of its own
                if chain in self.workqueue:
                    self.workqueue.move_to_end(chain, last=False)
            super()._assign_work_unit(node)

    return StacksApart(config, log)


def pytest_terminal_summary(terminalreporter) -> None:
    """Seconds per scheduling scope (setup, call and teardown of its tests), longest first: the two
    chains and the files beside them, so a run shows which of them bounds `make test`'s time."""
    totals: dict[str, float] = {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            nodeid, duration = getattr(report, "nodeid", ""), getattr(report, "duration", None)
            if nodeid and duration is not None:
                scope = stacks_scope(nodeid.split("::", 1)[0])
                totals[scope] = totals.get(scope, 0.0) + duration
    if totals:
        terminalreporter.write_sep("=", "seconds per scheduling scope (longest first)")
        for scope, seconds in sorted(totals.items(), key=lambda kv: -kv[1])[:12]:
            terminalreporter.write_line(f"{seconds:8.1f} s  {scope}")
        terminalreporter.write_line(f"{sum(totals.values()):8.1f} s  in all")


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """URL of a DynamoDB Local started for this session (light use: the JVM's short-run flags, see
    engine/localdb/install.py); the AWS_* variables point at it meanwhile.

    Missing Java or npm fails the tests that need it, loudly: CI must never skip them silently.
    """
    problem = None
    try:
        localdb.ensure_installed(quiet=True)
        port = localdb.free_port()
        proc = localdb.start(port, in_memory=True, short_run=True)
    except StagescoreError as e:
        problem = str(e)
    if problem:
        pytest.fail(problem, pytrace=False)
    url = localdb.endpoint_url(port)
    with pytest.MonkeyPatch.context() as mp:
        for name, value in aws_env(url).items():
            mp.setenv(name, value)
        # A developer's own profile or session token must not leak into requests to the local server.
        mp.delenv("AWS_PROFILE", raising=False)
        mp.delenv("AWS_SESSION_TOKEN", raising=False)
        try:
            yield url
        finally:
            localdb.stop(proc)


@pytest.fixture
def table_prefix() -> str:
    """A prefix no other test uses, so tests can share one DynamoDB Local without seeing each other."""
    return fresh_prefix("t")


@pytest.fixture
def store(dynamodb_endpoint, table_prefix, monkeypatch) -> Store:
    """A Store on fresh tables under this test's prefix."""
    monkeypatch.setenv("STAGESCORE_TABLE_PREFIX", table_prefix)
    s = Store(Config.from_env())
    s.create_tables()
    return s


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def svc(store, clock) -> Service:
    return Service(store, clock=clock)


@pytest.fixture
def engine_env(dynamodb_endpoint, table_prefix) -> dict[str, str]:
    """Environment for a `python -m engine` subprocess on the test's tables."""
    env = dict(os.environ)
    env.update(
        STAGESCORE_TABLE_PREFIX=table_prefix,
        STAGESCORE_LEASE_SECONDS="1.5",
        STAGESCORE_POLL_SECONDS="0.1",
        PYTHONUNBUFFERED="1",
    )
    return env
