"""Is the timer engine doing its job? Pure: judged from the lease item and the event's state at `now`.

The engine that holds the lease writes every transition; when no engine holds it, or a deadline has
passed by more than OVERDUE_SECONDS without its transition, nothing will move the event on by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.domain.messages import N_
from engine.domain.model import EventState, Phase

OVERDUE_SECONDS = 2.0
FRESH_SECONDS = 1.0  # /healthz vouches for a live feed reading at most this old
STALE = N_(
    "The live feed last read the database {age:.1f} s ago: the database or this server is too slow; "
    "see the server's log."
)
STARTING = N_("The live feed has not read the database yet.")
SEEN_SECONDS = 2.0  # how often each engine writes its seen item: one small write per engine per 2 s
STALE_RENEWALS = 2.5  # a holder silent for this many renewal periods is taken for dead
JUDGE_PAUSED = "The clock is paused by a technical problem"
NOT_RUNNING = N_("The timer engine is not running: start `python -m engine run`.")
OVERDUE = N_(
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

    def judge_message(self) -> str | None:
        """What a judge's screen says instead of a frozen countdown (None when all is well)."""
        return None if self.healthy else JUDGE_PAUSED

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


def assess(
    lease: dict | None, state: EventState | None, now: float, stale_after: float | None = None
) -> EngineHealth:
    """`lease`: the stored lease item (owner, expires, renewed_at) or None.

    `stale_after`: seconds without a renewal after which the holder counts as gone although its lease
    has not run out yet (a killed engine leaves up to a whole lease behind; its renewals stop at once)."""
    expires = float(lease["expires"]) if lease and lease.get("expires") is not None else None
    renewed = lease.get("renewed_at") if lease else None
    silent = stale_after is not None and renewed is not None and now - float(renewed) > stale_after
    holds = bool(lease and lease.get("owner") and expires is not None and expires > now and not silent)
    owner = lease["owner"] if holds else None
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


@dataclass(frozen=True)
class SeenEngine:
    owner: str
    host: str
    ago: float  # seconds since its last "seen" write


def stale_seconds(lease_seconds: float, renew_seconds: float) -> float:
    """How long a lease holder may go without renewing before the desk says it is not running."""
    return STALE_RENEWALS * min(lease_seconds / 3, renew_seconds)


def standbys(items: list[dict], holder: str | None, now: float, within: float) -> list[SeenEngine]:
    """Engines other than `holder` whose seen item is at most `within` seconds old, most recent first."""
    out = [
        SeenEngine(str(i["owner"]), str(i.get("host", "")), round(now - float(i["last_seen"]), 1))
        for i in items
        if i.get("owner") != holder and now - float(i.get("last_seen", 0)) <= within
    ]
    return sorted(out, key=lambda e: e.ago)


def probe(
    reading: EngineHealth | None, age: float | None, failure: tuple[str, str] | None
) -> tuple[int, dict]:
    """/healthz's status and body from the live feed's last tick, with no request of its own.

    `reading`: the engine's health as the last good reading judged it; `age`: seconds since the last
    tick ended (None: none has); `failure`: (kind, sentence) if that tick failed, kind "unreachable",
    "error" or "no_event". A failure says why whatever its age; otherwise a reading older than
    FRESH_SECONDS is a 503 saying so, since it cannot vouch for the database now."""
    if failure and failure[0] != "no_event":
        return 503, {"database": failure[0], "message": failure[1]}
    if age is None:
        return 503, {"database": "starting", "message": STARTING}
    if age > FRESH_SECONDS:
        return 503, {"database": "stale", "message": STALE.format(age=age)}
    if failure:  # the database answered: there is no event yet
        body = {"database": "ok", "event": None, "message": failure[1], "reading_age_seconds": round(age, 3)}
        return 200, body
    if reading is None:
        return 503, {"database": "starting", "message": STARTING}
    return 200, {"database": "ok", **reading.as_json(), "reading_age_seconds": round(age, 3)}
