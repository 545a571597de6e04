"""Reading the event log (a mixin of Service, moved out of service.py when it reached its size limit)."""

from __future__ import annotations

from engine.domain import eventlog


class LogReads:
    """Mixed into Service: uses its store and event_id."""

    def log_entries(self, event_id: str | None = None) -> list[eventlog.LogEntry]:
        return self.store.log.entries(event_id or self.event_id())[0]

    def recent_log(self, event_id: str | None = None, limit: int = 200) -> list[eventlog.LogEntry]:
        return self.store.log.recent(event_id or self.event_id(), limit)

    def verify_log(self, event_id: str | None = None) -> list[str]:
        entries, heads = self.store.log.entries(event_id or self.event_id())
        return eventlog.verify(entries, heads)
