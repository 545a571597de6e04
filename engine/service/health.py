"""The operator's use cases: is the timer engine doing its job, and what the admin desk shows about it.

Pages, routes and the CLI ask `service.health.engine_health()`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine import metrics
from engine.domain import health
from engine.domain.health import SEEN_SECONDS, EngineHealth, SeenEngine
from engine.domain.messages import N_
from engine.metrics import Summary
from engine.store import Store


@dataclass(frozen=True)
class EngineDesk:
    """What the admin desk shows under "Timer engine"."""

    health: EngineHealth
    host: str | None  # the holder's host, from its seen item
    standbys: list[SeenEngine]
    lateness_ms: float | None  # the holder's last transition, after its deadline
    db_latency: Summary  # this server's DynamoDB calls over the last minute, in ms

    def as_json(self) -> dict:
        return {
            **self.health.as_json(),
            "engine_host": self.host,
            "engine_standbys": [{"owner": e.owner, "host": e.host, "seen_ago": e.ago} for e in self.standbys],
            "engine_last_lateness_ms": self.lateness_ms,
            "db_latency_ms_last_minute": self.db_latency.as_json(),
        }


def desk_from(h: EngineHealth, seen: list[dict], now: float, db_latency: Summary) -> EngineDesk:
    """The desk's engine facts from the lease's judgement and the engines' seen items."""
    mine = next((i for i in seen if h.owner and i.get("owner") == h.owner), None)
    lateness = mine.get("lateness_ms") if mine else None
    return EngineDesk(
        health=h,
        host=str(mine.get("host")) if mine else None,
        standbys=health.standbys(seen, h.owner, now, within=3 * SEEN_SECONDS),
        lateness_ms=float(lateness) if lateness is not None else None,
        db_latency=db_latency,
    )


Part = tuple[str, dict]  # a template marked N_ and its blanks; a blank may be a list of parts (", ")

# The line's templates, each said once here (ui/components sends them to the desk's script translated).
ENGINE_WORDS = (
    NO_ENGINE := N_("Timer engine: none"),
    ON_HOST := N_("Timer engine: {owner} on {host}"),
    ON_UNKNOWN_HOST := N_("Timer engine: {owner} on unknown host"),
    NEVER_RENEWED := N_("lease renewed never"),
    RENEWED := N_("lease renewed {seconds} s ago"),
    A_STANDBY := N_("{owner} on {host} ({seconds} s ago)"),
    STANDBYS := N_("standby: {standbys}"),
    NO_STANDBY := N_("no standby engine seen"),
    LATE := N_("last transition {ms} ms after its deadline"),
    DATABASE := N_("database p50 {p50} ms, p95 {p95} ms over the last minute ({count} calls)"),
)


def engine_parts(desk: EngineDesk, now: float) -> list[Part]:
    """The desk's line about the timer engine, part by part, for the browser to say in the reader's
    language (ui/components/desk.js; the templates are ENGINE_WORDS)."""
    h = desk.health
    if not h.owner:
        parts: list[Part] = [(NO_ENGINE, {})]
    elif desk.host:
        parts = [(ON_HOST, {"owner": h.owner, "host": desk.host})]
    else:
        parts = [(ON_UNKNOWN_HOST, {"owner": h.owner})]
    if h.last_renewed is None:
        parts.append((NEVER_RENEWED, {}))
    else:
        parts.append((RENEWED, {"seconds": f"{max(0.0, now - h.last_renewed):.1f}"}))
    standbys = [
        (A_STANDBY, {"owner": e.owner, "host": e.host, "seconds": f"{e.ago:.0f}"}) for e in desk.standbys
    ]
    parts.append((STANDBYS, {"standbys": standbys}) if standbys else (NO_STANDBY, {}))
    if desk.lateness_ms is not None:
        parts.append((LATE, {"ms": f"{desk.lateness_ms:.0f}"}))
    db = desk.db_latency
    if db.count:
        parts.append((DATABASE, {"p50": f"{db.p50:.0f}", "p95": f"{db.p95:.0f}", "count": db.count}))
    return parts


def _english(part: Part) -> str:
    template, blanks = part
    return template.format(
        **{k: ", ".join(map(_english, v)) if isinstance(v, list) else v for k, v in blanks.items()}
    )


def english_line(parts: list[Part]) -> str:
    """engine_parts said in English, as one line (plain text: the page draws it as text)."""
    return " · ".join(map(_english, parts))


@dataclass
class Health:
    """The engine's health as the desk and `status` read it: `service.health`."""

    store: Store
    clock: Callable[[], float]
    stage: Callable[[], str]  # the stage whose lease and event are judged

    def engine_health(self) -> EngineHealth:
        """The lease item and the current event's state, judged at now (domain/health.py): 2-3 GetItems."""
        config = self.store.config
        eid = self.store.events.current_id(self.stage())
        state = self.store.events.state(eid) if eid else None
        lease = self.store.lease.current(self.stage())
        stale = health.stale_seconds(config.lease_seconds, config.lease_renew_seconds)
        return health.assess(lease, state, self.clock(), stale_after=stale)

    def engine_desk(self) -> EngineDesk:
        """engine_health plus the engines' seen items (one Query) and this process's database latency."""
        h = self.engine_health()
        return desk_from(h, self.store.lease.engines(), self.clock(), metrics.DB_LATENCY.summary())
