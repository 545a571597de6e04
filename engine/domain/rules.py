"""The event's state machine. Pure: every function takes `now` and data, and does no I/O.

SETUP -> LOBBY -> (PERFORMING -> SCORING) per performer -> FINISHED.
Timer transitions happen at their scheduled deadline, and the next window is measured
from that deadline, never from the moment the transition was noticed: no drift.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import replace

from engine.domain.messages import N_, Said
from engine.domain.model import (
    LOCKED_SETTINGS,
    Command,
    CommandKind,
    CommandRefused,
    EventState,
    PerformerStatus,
    Phase,
    ScoreRefused,
    Settings,
    Step,
)

MAX_EXTEND_SECONDS = 3600.0
RUNNING = (Phase.PERFORMING, Phase.SCORING)
UNPAUSED = {"paused": False, "paused_remaining": None, "paused_at": None, "paused_for": 0.0}


def _word(phase: Phase) -> Said:
    """A phase in a sentence ("setup"), said in the reader's language (marked in ui/words.PHASE_WORD)."""
    return Said(phase.value.lower())


def _bump(state: EventState, **changes) -> EventState:
    return replace(state, version=state.version + 1, **changes)


def check_score_window(state: EventState, performer_id: str, now: float) -> None:
    """A score is taken only for the performer on stage while their scoring window is open."""
    if state.performer_id != performer_id or not state.scoring_open(now):
        if state.phase is Phase.PERFORMING and state.performer_id == performer_id:
            raise ScoreRefused(N_("Scoring has not opened yet for this performer."))
        raise ScoreRefused(N_("Scoring for this performer is closed."))


def judges_done(scored: Collection[str], recused: Collection[str], present: Collection[str]) -> int:
    """How many present judges have nothing left to give for the performer on stage: those who scored
    and those who stepped aside (auto-close compares this with the judges present)."""
    return len((set(scored) | set(recused)) & set(present))


def start_quorum(
    present: Collection[str], recused: Collection[str], panel: Collection[str], required: int
) -> tuple[int, int]:
    """The lobby's quorum for the first performer: (judges counted, judges needed). A judge who stepped
    aside for that performer does not count, and, as with the minimum number of scores, cannot be waited
    for: the need drops to the judges of the panel left who may score (never below one)."""
    out = set(recused)
    counted = len(set(present) - out)
    if not out & set(panel):
        return counted, required
    return counted, max(1, min(required, len(set(panel) - out)))


def check_settings_change(state: EventState, old: Settings, new: Settings) -> None:
    """Once the event has started, what decides results stays as it was."""
    if state.phase not in (Phase.SETUP, Phase.LOBBY):
        changed = [k for k in LOCKED_SETTINGS if getattr(new, k) != getattr(old, k)]
        if changed:
            raise CommandRefused(
                f"{', '.join(sorted(changed))} cannot change once the event has started: "
                "it would change results."
            )


def replace_order(state: EventState, order: tuple[str, ...]) -> EventState:
    """The roster changed before the event started: the new running order, as a new version."""
    return _bump(state, order=order)


def _perform(state: EventState, settings: Settings, index: int, at: float, kind: str, updates: dict) -> Step:
    """Open the performance window of performer `index`, or finish when there is none."""
    if index >= len(state.order):
        return _finish(state, at, kind, updates)
    pid = state.order[index]
    new = _bump(
        state,
        phase=Phase.PERFORMING,
        index=index,
        window_id=state.window_id + 1,
        window_started_at=at,
        deadline=at + settings.perform_seconds,
        **UNPAUSED,
        started_at=state.started_at if state.started_at is not None else at,
    )
    updates = {**updates, pid: PerformerStatus.PERFORMING}
    return Step(new, at, kind, {"performer_id": pid}, updates)


def _finish(state: EventState, at: float, kind: str, updates: dict) -> Step:
    new = _bump(
        state,
        phase=Phase.FINISHED,
        window_id=state.window_id + 1,
        window_started_at=at,
        deadline=None,
        **UNPAUSED,
        finished_at=at,
    )
    return Step(new, at, kind, {}, updates)


def _score(state: EventState, settings: Settings, at: float, kind: str = "scoring_opened", **detail) -> Step:
    pid = state.order[state.index]
    new = _bump(
        state,
        phase=Phase.SCORING,
        window_id=state.window_id + 1,
        window_started_at=at,
        deadline=at + settings.score_seconds,
        **UNPAUSED,
    )
    return Step(new, at, kind, {"performer_id": pid, **detail}, {pid: PerformerStatus.SCORING})


def performed(state: EventState, now: float) -> float:
    """Seconds the performance on stage has run at `now`: since its window opened, pauses left out (the
    engine's clock, never a browser's). What the admin's "done" records and a time limit is held to."""
    if state.phase is not Phase.PERFORMING or state.window_started_at is None:
        return 0.0
    held = state.paused_for + (now - state.paused_at if state.paused and state.paused_at is not None else 0.0)
    return max(0.0, now - state.window_started_at - held)


def _done(state: EventState, settings: Settings, now: float) -> Step:
    """The admin's "done": the performance is over, its time recorded, and scoring opens at once."""
    if state.phase is not Phase.PERFORMING:
        raise CommandRefused(N_("Done ends a performance; scoring is already open."))
    return _score(state, settings, now, "performance_done", performed_seconds=round(performed(state, now), 3))


def _after_scoring(state: EventState, settings: Settings, at: float, kind: str) -> Step:
    done = {state.order[state.index]: PerformerStatus.DONE}
    return _perform(state, settings, state.index + 1, at, kind, done)


def _timer_step(state: EventState, settings: Settings, at: float) -> Step:
    if state.phase is Phase.PERFORMING:
        return _score(state, settings, at)
    return _after_scoring(state, settings, at, "scoring_closed")


def due_steps(
    state: EventState,
    settings: Settings,
    now: float,
    present: int,
    submitted: int = 0,
    needed: int | None = None,
) -> list[Step]:
    """Every transition that is due at `now`, in order, each at its scheduled time.

    `present` is the number of judges present (in the lobby: those who may score the first performer,
    see start_quorum, whose need is `needed`; the setting's when None), `submitted` how many of them
    have nothing left to give for the performer on stage (used by auto-close)."""
    steps: list[Step] = []
    if state.superseded_by:
        return steps
    required = settings.required_judges if needed is None else needed
    if state.phase is Phase.LOBBY and settings.auto_start and present >= required:
        if state.order:
            steps.append(_perform(state, settings, 0, now, "started_on_quorum", {}))
            state = steps[-1].state
    elif (
        state.phase is Phase.SCORING
        and settings.auto_close
        and not state.paused
        and present > 0
        and submitted >= present
        and state.deadline is not None
        and now < state.deadline
    ):
        steps.append(_after_scoring(state, settings, now, "scoring_closed_all_in"))
        state = steps[-1].state
    while (
        state.phase in RUNNING and not state.paused and state.deadline is not None and state.deadline <= now
    ):
        steps.append(_timer_step(state, settings, state.deadline))
        state = steps[-1].state
    return steps


def next_wakeup(state: EventState) -> float | None:
    """When the timer must next look at this state (None: only a command or presence moves it)."""
    if state.phase in RUNNING and not state.paused:
        return state.deadline
    return None


def _start(
    state: EventState, settings: Settings, command: Command, now: float, present: int, needed: int | None
) -> Step:
    phase = state.phase
    if phase not in (Phase.SETUP, Phase.LOBBY):
        raise CommandRefused(N_("The event has already started (it is {phase})."), phase=_word(phase))
    if not state.order:
        raise CommandRefused(N_("Add at least one performer before starting."))
    required = settings.required_judges if needed is None else needed
    if command.force or present >= required:
        return _perform(state, settings, 0, now, "started" + (" (forced)" if command.force else ""), {})
    if phase is Phase.SETUP:
        return Step(_bump(state, phase=Phase.LOBBY), now, "lobby_opened", {})
    raise CommandRefused(
        N_("Waiting for {required} judges ({present} present); use force to start anyway."),
        required=required,
        present=present,
    )


def _pause_or_resume(state: EventState, kind: CommandKind, now: float) -> Step:
    """The clock held or let go; the seconds it was held are kept for timing a performance (performed)."""
    if kind is CommandKind.PAUSE:
        if state.paused:
            raise CommandRefused(N_("The clock is already paused."))
        remaining = max(0.0, (state.deadline or now) - now)
        paused = _bump(state, paused=True, paused_remaining=remaining, deadline=None, paused_at=now)
        return Step(paused, now, "paused", {})
    if not state.paused:
        raise CommandRefused(N_("The clock is not paused."))
    deadline = now + (state.paused_remaining or 0.0)
    held = state.paused_for + max(0.0, now - (state.paused_at if state.paused_at is not None else now))
    resumed = _bump(
        state, paused=False, paused_remaining=None, deadline=deadline, paused_at=None, paused_for=held
    )
    return Step(resumed, now, "resumed", {})


def apply_command(
    state: EventState,
    settings: Settings,
    command: Command,
    now: float,
    present: int,
    needed: int | None = None,
) -> Step:
    """What an admin command does at `now`; raises CommandRefused (one sentence) when it cannot.
    `present` and `needed` are the quorum as in due_steps."""
    kind = command.kind
    phase = state.phase
    if state.superseded_by:
        raise CommandRefused(N_("This event has been reset; reload to control the new one."))
    if kind is CommandKind.START:
        return _start(state, settings, command, now, present, needed)
    if kind is CommandKind.FINISH:
        if phase is Phase.FINISHED:
            raise CommandRefused(N_("The event is already finished."))
        first_left = state.index if phase in RUNNING else 0
        updates = {pid: PerformerStatus.NOT_PERFORMED for pid in state.order[first_left:]}
        if phase is Phase.SCORING:
            updates[state.order[state.index]] = PerformerStatus.DONE
        return _finish(state, now, "finished", updates)
    if phase not in RUNNING:
        raise CommandRefused(N_("Nothing is on stage: the event is {phase}."), phase=_word(phase))
    if command.window_id is not None and command.window_id != state.window_id:
        raise CommandRefused(
            N_("The clock moved on since you clicked, so nothing was changed; look and try again.")
        )
    if kind in (CommandKind.PAUSE, CommandKind.RESUME):
        return _pause_or_resume(state, kind, now)
    if kind is CommandKind.EXTEND:
        secs = command.seconds
        if not (isinstance(secs, (int, float)) and math.isfinite(secs) and 0 < secs <= MAX_EXTEND_SECONDS):
            raise CommandRefused(
                N_("Extend by a number of seconds from 1 to {most}."), most=int(MAX_EXTEND_SECONDS)
            )
        if state.paused:
            new = _bump(state, paused_remaining=(state.paused_remaining or 0.0) + secs)
        else:
            new = _bump(state, deadline=(state.deadline or now) + secs)
        return Step(new, now, "extended", {"seconds": secs})
    if kind is CommandKind.SKIP:
        skipped = {state.order[state.index]: PerformerStatus.SKIPPED}
        return _perform(state, settings, state.index + 1, now, "skipped", skipped)
    if kind is CommandKind.DONE:
        return _done(state, settings, now)
    if kind is CommandKind.CLOSE:
        if phase is not Phase.SCORING:
            raise CommandRefused(N_("Scoring is not open, so there is nothing to close."))
        return _after_scoring(state, settings, now, "scoring_closed_early")
    raise CommandRefused(N_("{value} is not a command the clock understands."), value=kind.value)
