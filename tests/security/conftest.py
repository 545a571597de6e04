"""The attack suite's server: a real web server process (st.App under uvicorn, as the Procfile starts
it) on fresh tables of the session's DynamoDB Local, with an event whose first performer is being
scored. Every attack goes over HTTP from 127.0.0.1, as an attacker's or a clumsy user's requests would."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pytest

from engine.domain import rules
from engine.domain.model import Command, CommandKind, Phase, Settings
from tests.support.events import seed_event
from tests.support.live import wait_until_live
from tests.support.processes import ROOT
from tests.support.stack import Stack, fresh_prefix

ADMIN, J1, J2, J3 = "admin@test.local", "judge1@test.local", "judge2@test.local", "judge3@test.local"


@dataclass
class Target:
    """A running server under attack: its stack (tables, processes, an in-process Service on the same
    tables) and the seeded accounts' session tokens by email."""

    stack: Stack
    tokens: dict[str, str]

    @property
    def url(self) -> str:
        return self.stack.url


SETTINGS = Settings(perform_seconds=10, score_seconds=600)  # a window that outlasts a module's attacks


def open_window(stack: Stack, tokens: Mapping[str, str]) -> None:
    """Start the event and open the first performer's scoring window without an engine."""
    svc = stack.service()
    svc.command(tokens[ADMIN], Command(CommandKind.START, force=True))
    next_step(stack)


def next_step(stack: Stack) -> None:
    """Write the event's next timer transition as the engine would at its deadline."""
    svc = stack.service()
    b = svc.bundle()
    step = rules.due_steps(b.state, b.settings, b.state.deadline, 0)[0]
    svc.store.events.write_step(b.state.version, step, "test", step.at)


def score_performer(stack: Stack, name: str) -> str:
    """Move on (as the engine would) until `name`'s scoring window is open; returns their id."""
    svc = stack.service()
    pid = next(p.performer_id for p in svc.store.performers.list(svc.event_id()) if p.name == name)
    for _ in range(20):
        state = svc.bundle().state
        if state.phase is Phase.SCORING and state.performer_id == pid:
            return pid
        next_step(stack)
    raise AssertionError(f"{name} never reached their scoring window")


def score_body(target: Target, value: str = "7") -> dict:
    """POST /live/score's body for the performer on stage, as the judge page sends it."""
    state = target.stack.service().bundle().state
    return {
        "performer_id": state.performer_id,
        "window_id": state.window_id,
        "values": {"Score": value},
        "request_id": uuid.uuid4().hex,
    }


def serve(stem: str, env: Mapping[str, str] | None = None) -> Iterator[Target]:
    """A web server on fresh tables under a prefix starting with `stem`; `env` is added to its
    environment (limits, trusted proxies ...). The window of the first performer is open."""
    prefix = fresh_prefix(stem)
    saved = os.environ.get("STAGESCORE_TABLE_PREFIX")
    os.environ["STAGESCORE_TABLE_PREFIX"] = prefix  # the cookie's name carries the prefix
    try:
        with Stack(prefix, ROOT / "test-artifacts" / "logs") as stack:
            stack.store().create_tables()
            tokens = seed_event(stack.service(), settings=SETTINGS)
            open_window(stack, tokens)
            stack.start_web(env=dict(env or {}))
            wait_until_live(stack.url)  # before its first reading a score is answered 503
            yield Target(stack, tokens)
    finally:
        if saved is None:
            os.environ.pop("STAGESCORE_TABLE_PREFIX", None)
        else:
            os.environ["STAGESCORE_TABLE_PREFIX"] = saved


@pytest.fixture(scope="module")
def target(dynamodb_endpoint) -> Iterator[Target]:
    """One server per attack module, its event's first window open."""
    yield from serve("sec")
