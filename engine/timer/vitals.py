"""What an engine process says about itself beside the lease: its own "seen" item (so the admin desk lists
standby engines and the holder's last transition lateness) and its periodic metrics line."""

from __future__ import annotations

import logging
import os
import socket

from engine import metrics
from engine.domain.health import SEEN_SECONDS
from engine.store import EventBundle, Store

log = logging.getLogger("stagescore.engine")


class Vitals:
    def __init__(self, store: Store, owner: str):
        self.store, self.owner = store, owner
        self.host = socket.gethostname()
        self.metrics_seconds = float(os.environ.get("STAGESCORE_METRICS_SECONDS", "60"))
        self.lateness_ms: float | None = None
        self._seen_at = self._metrics_at = float("-inf")
        self._holder: int | None = None  # stages held at the last seen item

    def transition(self, kind: str, late_seconds: float) -> None:
        self.lateness_ms = round(late_seconds * 1000, 1)
        metrics.record_transition(kind, late_seconds)

    def beat(self, now: float, held: int, bundle: EventBundle | None) -> None:
        """Called by the lease loop after each lease write with how many stages this engine holds; does its
        own work only when it is due (or the count changed: other engines share the stages by it)."""
        holder = held > 0
        if now - self._seen_at >= SEEN_SECONDS or held != self._holder:
            self._seen_at, self._holder = now, held
            try:
                self.store.lease.seen(self.owner, now, holder, self.lateness_ms, self.host, held)
            except Exception as e:  # only the desk's list of engines depends on it
                log.warning("could not write this engine's seen item (%s)", e)
        if now - self._metrics_at >= self.metrics_seconds:
            self._metrics_at = now
            present = None
            if bundle is not None:
                present = len(bundle.present(now, self.store.config.presence_seconds))
                metrics.JUDGES_PRESENT.set(present)
            metrics.emit("engine minute", metrics.minute_figures(judges_present=present), holder=holder)

    def forget(self) -> None:
        try:
            self.store.lease.forget(self.owner)
        except Exception:  # stopping: the item simply ages out of the desk's list
            pass
