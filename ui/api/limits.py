"""The read API's rate limits, per server process: a token bucket per address (an IPv6 address counts as
its /64, engine/domain/throttle.client_key) for the public scope and for mistyped keys, and one per key.
Several web servers each keep their own buckets: the limit a client meets is per server."""

from __future__ import annotations

import threading
import time

from engine.domain.apikeys import Bucket, Limit

PUBLIC = Limit(per_minute=120, burst=60)  # an address without a key: a few dashboards behind one NAT
KEYED = Limit(per_minute=600, burst=120)  # one key: a results service polling every stage
FAILED_KEYS = Limit(per_minute=10, burst=10)  # wrong keys from one address, before any database read
MAX_BUCKETS = 20_000  # past it the oldest half is forgotten (a forgotten bucket starts full)


class Buckets:
    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._buckets: dict[str, Bucket] = {}
        self._lock = threading.Lock()

    def take(self, who: str, limit: Limit) -> float:
        """0 when `who` may make this request (counted), else the seconds to wait (nothing counted)."""
        with self._lock:
            now = self.clock()
            after, wait = limit.take(self._buckets.get(who), now)
            if not wait:
                self._buckets.pop(who, None)  # re-inserted last: the dict keeps the most recent last
                self._buckets[who] = after
                self._trim()
            return wait

    def wait(self, who: str, limit: Limit) -> float:
        with self._lock:
            return limit.wait(self._buckets.get(who), self.clock())

    def _trim(self) -> None:
        if len(self._buckets) > MAX_BUCKETS:
            for who in list(self._buckets)[: MAX_BUCKETS // 2]:
                del self._buckets[who]
