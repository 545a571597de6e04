"""Is the timer engine doing its job? Pure: judged from the lease item and the event's state at `now`.

The engine that holds the lease writes every transition; when no engine holds it, or a deadline has
passed by more than OVERDUE_SECONDS without its transition, nothing will move the event on by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.model import EventState, Phase

OVERDUE_SECONDS = 2.0
NOT_RUNNING = "The timer engine is not running: start `python -m engine run`."
OVERDUE = (
    "The window's deadline is {late:.0f} s overdue: check that `python -m engine run` is running "
    "and reaches the database."
)


@dataclass(frozen=True)
class EngineHealth:
    healthy: bool
    owner: str | None
    lease_expires: float | None
    last_renewed: float | None
    overdue_seconds: float
    problem: str | None

    def as_json(self) -> dict:
        return {
            "engine_owner": self.owner,
            "engine_lease_expires": self.lease_expires,
            "engine_last_renewed": self.last_renewed,
            "engine_healthy": self.healthy,
            "engine_overdue_seconds": round(self.overdue_seconds, 3),
            "engine_problem": self.problem,
        }


def overdue(state: EventState | None, now: float) -> float:
    """How long ago the running window's deadline passed (0 when none has)."""
    if state is None or state.paused or state.deadline is None:
        return 0.0
    if state.phase not in (Phase.PERFORMING, Phase.SCORING):
        return 0.0
    return max(0.0, now - state.deadline)


def assess(lease: dict | None, state: EventState | None, now: float) -> EngineHealth:
    """`lease`: the stored lease item (owner, expires, renewed_at) or None."""
    expires = float(lease["expires"]) if lease and lease.get("expires") is not None else None
    holds = bool(lease and lease.get("owner") and expires is not None and expires > now)
    owner = lease["owner"] if holds else None
    renewed = lease.get("renewed_at") if lease else None
    late = overdue(state, now)
    problem = None
    if not holds:
        problem = NOT_RUNNING
    elif late > OVERDUE_SECONDS:
        problem = OVERDUE.format(late=late)
    return EngineHealth(
        healthy=problem is None,
        owner=owner,
        lease_expires=expires if holds else None,
        last_renewed=float(renewed) if renewed is not None else None,
        overdue_seconds=late,
        problem=problem,
    )
