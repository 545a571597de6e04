"""A lease held by the test process, renewed as an engine renews it, for tests that need "an engine holds
the lease" (the admin desk shows no engine banner) without an engine's timer moving their event on."""

from __future__ import annotations

import threading
import time

from engine.store import Store


class LeaseHolder:
    def __init__(self, store: Store, owner: str = "engine-apptest", period: float = 0.25):
        self.store, self.owner, self.period = store, owner, period
        self.held = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="test-lease-holder", daemon=True)

    def start(self) -> LeaseHolder:
        """Take the lease and keep renewing it; if a real engine of the test already holds it, leave it be."""
        self.held = self.store.lease.acquire(self.owner, time.time(), self.store.config.lease_seconds)
        if self.held:
            self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.period):
            self.store.lease.renew(self.owner, time.time(), self.store.config.lease_seconds)

    def stop(self, release: bool = True) -> None:
        """Stop renewing; with `release`, give the lease up at once (as a stopping engine does)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(2)
        if release and self.held:
            self.store.lease.release(self.owner)
