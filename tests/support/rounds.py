"""Playing a whole round on a test clock: every window opened and closed at its deadline by the same pure
rules the engine uses, with the judges' scores submitted inside each scoring window."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from engine.domain import rules, votes
from engine.domain.model import Command, CommandKind, EventState, Phase
from engine.service.core import Service
from tests.support.events import FakeClock

ADMIN = "admin@test.local"


def judge(i: int) -> str:
    return f"judge{i}@test.local"


def run_due(svc: Service, clock: FakeClock) -> EventState:
    """Write every transition due at the clock's time, as the engine would."""
    b = svc.bundle()
    state = b.state
    for step in rules.due_steps(state, b.settings, clock.now, 0):
        svc.store.events.write_step(state.version, step, "test", step.at)
        state = step.state
    return state


def open_scoring(svc: Service, clock: FakeClock) -> EventState:
    """From a performance window (or the lobby) to the next scoring window."""
    state = svc.bundle().state
    if state.phase is Phase.LOBBY:
        state = svc.command(None, Command(CommandKind.START, force=True))
    clock.now = state.deadline
    state = run_due(svc, clock)
    assert state.phase is Phase.SCORING
    return state


def close_window(svc: Service, clock: FakeClock) -> EventState:
    clock.now = svc.bundle().state.deadline
    return run_due(svc, clock)


def play_round(
    svc: Service,
    clock: FakeClock,
    tokens: Mapping[str, str],
    scores: Sequence[Mapping[int, str]],
    comments: Mapping[tuple[int, int], str] | None = None,
) -> EventState:
    """scores[i]: judge number -> value for the i-th performer; comments: (performer index, judge) -> text.
    Returns the finished state (results provisional)."""
    for i, by_judge in enumerate(scores):
        state = open_scoring(svc, clock)
        for j, value in by_judge.items():
            comment = (comments or {}).get((i, j))
            svc.submit_score(tokens[judge(j)], state.performer_id, {"Score": value}, comment=comment)
        state = close_window(svc, clock)
    assert state.phase is Phase.FINISHED
    return state


def run_votes(svc: Service, clock: FakeClock) -> dict:
    """Write every vote-window change due at the clock's time (engine/domain/votes.py), as the engine
    would; returns the windows as they then are."""
    b = svc.bundle()
    windows = dict(b.votes)
    for change in votes.due(b.state, b.settings.votes, windows, clock.now, votes.new_code()):
        svc.store.votes.apply(b.state.event_id, b.state.stage, change, "engine", clock.now)
        windows[change.key] = votes.after(windows.get(change.key), change)
    return windows
