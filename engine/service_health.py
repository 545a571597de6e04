"""The operator's use cases: is the timer engine doing its job, and what the admin desk shows about it.

A mixin of Service (engine/service.py), so pages, routes and the CLI ask `service.engine_health()`."""

from __future__ import annotations

from dataclasses import dataclass

from engine import health, metrics
from engine.health import EngineHealth, SeenEngine
from engine.metrics import Summary
from engine.vitals import SEEN_SECONDS


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


class HealthQueries:
    """Needs `self.store` and `self.clock` (Service has both)."""

    def engine_health(self) -> EngineHealth:
        """The lease item and the current event's state, judged at now (engine/health.py): 2-3 GetItems."""
        config = self.store.config
        eid = self.store.events.current_id()
        state = self.store.events.state(eid) if eid else None
        lease = self.store.lease.current()
        stale = health.stale_seconds(config.lease_seconds, config.lease_renew_seconds)
        return health.assess(lease, state, self.clock(), stale_after=stale)

    def engine_desk(self) -> EngineDesk:
        """engine_health plus the engines' seen items (one Query) and this process's database latency."""
        h = self.engine_health()
        items = self.store.lease.engines()
        now = self.clock()
        mine = next((i for i in items if h.owner and i.get("owner") == h.owner), None)
        lateness = mine.get("lateness_ms") if mine else None
        return EngineDesk(
            health=h,
            host=str(mine.get("host")) if mine else None,
            standbys=health.standbys(items, h.owner, now, within=3 * SEEN_SECONDS),
            lateness_ms=float(lateness) if lateness is not None else None,
            db_latency=metrics.DB_LATENCY.summary(),
        )
