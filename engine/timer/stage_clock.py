"""One stage as an engine process runs it: the stage's lease, the event last read and the timer's tallies."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from engine.domain import votes
from engine.domain.model import Conflict, EventState, VoteMode
from engine.service.quorum import LobbyFacts
from engine.store import EventBundle, Store
from engine.store.events import Events
from engine.store.lease import Lease
from engine.timer import sharing

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


def peers(lease: Lease, owner: str) -> list[sharing.Peer]:
    """The other engines, from their seen items (one Query): how many stages each holds."""
    return [
        sharing.Peer(int(i.get("held", 1 if i.get("holder") else 0)), float(i["last_seen"]))
        for i in lease.engines()
        if i["owner"] != owner
    ]


def hand_over(
    lease: Lease,
    events: Events,
    owner: str,
    held: list[StageClock],
    clock: Callable[[], float],
    margin: float,
) -> None:
    """Release one held stage with nothing due within `margin` s, for a peer short of stages to take.
    Judged on a fresh read of the stage at the moment of release, not on the watcher's last read, which
    a stalled process may hold for seconds while a window falls due (the peer would then open it late)."""
    for sc in held:
        state = events.state(sc.event_id) if sc.event_id else None
        if sharing.idle(state.deadline if state else None, bool(state and state.paused), clock(), margin):
            lease.release(owner, sc.stage)
            sc.leader = False
            log.info("engine %s hands stage %s over to another engine", owner, sc.stage)
            return


def follow_votes(store: Store, sc: StageClock, state: EventState, owner: str, clock: Callable[[], float]):
    """The audience vote's windows follow the show (engine/domain/votes.py): each is opened, given its
    close and closed with its tally as it falls due, under the stage's lease. Returns the next close to
    wake for (None: nothing to wait for)."""
    with sc.lock:
        bundle = sc.bundle
    if (
        bundle is None
        or bundle.settings.votes.mode is VoteMode.OFF
        or bundle.state.event_id != state.event_id
    ):
        return None
    windows = dict(bundle.votes)
    for change in votes.due(state, bundle.settings.votes, windows, clock(), votes.new_code()):
        try:
            store.votes.apply(state.event_id, state.stage, change, "engine", clock(), lease_owner=owner)
        except Conflict:  # the admin (or another engine) wrote it first: read the windows again
            windows = store.votes.windows(state.event_id)
            break
        windows[change.key] = votes.after(windows.get(change.key), change)
        log.info("vote window %s: %s", change.key, type(change).__name__)
    with sc.lock:
        latest = sc.bundle
        if latest is not None and latest.state.event_id == state.event_id:
            sc.bundle = replace(latest, votes=windows)
    return votes.next_close(windows)
