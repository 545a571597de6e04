"""Reading an event's hash-chained log and checking it: `service.log`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.domain import eventlog

if TYPE_CHECKING:
    from engine.service.core import Service


@dataclass
class LogReads:
    """The log's reads; an event id of None means the current event."""

    svc: Service

    def entries(self, event_id: str | None = None) -> list[eventlog.LogEntry]:
        return self.svc.store.log.entries(event_id or self.svc.event_id())[0]

    def recent(self, event_id: str | None = None, limit: int = 200) -> list[eventlog.LogEntry]:
        return self.svc.store.log.recent(event_id or self.svc.event_id(), limit)

    def verify(self, event_id: str | None = None) -> list[str]:
        entries, heads = self.svc.store.log.entries(event_id or self.svc.event_id())
        return eventlog.verify(entries, heads)
