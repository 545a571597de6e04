"""One stage as an engine process runs it: the stage's lease, the event last read and the timer's tallies."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from engine.service.quorum import LobbyFacts
from engine.store import EventBundle
from engine.store.lease import Lease

log = logging.getLogger("stagescore.engine")


@dataclass
class StageClock:
    stage: str
    leader: bool = False
    lease_until: float = 0.0
    event_id: str | None = None
    bundle: EventBundle | None = None
    submitted: int = 0
    lobby: LobbyFacts | None = None
    busy: bool = False  # its tick is running on the engine's pool
    next_at: float = 0.0  # time.monotonic() at which the timer looks at it again
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def hold(self, lease: Lease, owner: str, now: float, seconds: float) -> bool:
        """Renew this stage's lease if held, else try to take it (free, expired or already ours). True
        when the stage was just taken."""
        if self.leader:
            ok = lease.renew(owner, now, seconds, self.stage)
        else:
            ok = lease.acquire(owner, now, seconds, self.stage)
            if ok:
                log.info("engine %s holds the lease of stage %s", owner, self.stage)
        if ok:
            self.lease_until = now + seconds
            taken, self.leader = not self.leader, True
            return taken
        if self.leader:
            log.warning("engine %s lost the lease of stage %s", owner, self.stage)
            self.leader = False
        return False
