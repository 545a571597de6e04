"""How two or more engine processes share a festival's stages (pure). Each engine says in its seen item how
many stages it holds; an engine holding more than its fair share hands an idle stage over (releases its
lease) while a live peer holds fewer, and does not take a free stage from such a peer. A peer that has not
been seen for PEER_SILENT_SECONDS counts for nothing, so a standby takes every stage of a dead holder."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PEER_SILENT_SECONDS = 5.0


@dataclass(frozen=True)
class Peer:
    held: int  # stages it said it holds
    last_seen: float


def _live(peers: Sequence[Peer], now: float) -> list[Peer]:
    return [p for p in peers if now - p.last_seen <= PEER_SILENT_SECONDS]


def fair_share(stages: int, peers: Sequence[Peer], now: float) -> int:
    """The stages every live engine should hold at least: the stages over the live engines, rounded down
    (an odd stage goes to whoever takes it first)."""
    return stages // (1 + len(_live(peers, now)))


def _someone_short(stages: int, peers: Sequence[Peer], now: float) -> bool:
    share = fair_share(stages, peers, now)
    return any(p.held < share for p in _live(peers, now))


def should_hand_over(held: int, stages: int, peers: Sequence[Peer], now: float) -> bool:
    """Whether this engine, holding `held`, should release one idle stage to a live peer short of stages."""
    return held > fair_share(stages, peers, now) and _someone_short(stages, peers, now)


def may_take(held: int, stages: int, peers: Sequence[Peer], now: float) -> bool:
    """Whether this engine may take a free or expired stage lease: below its share always; at or above it
    only when no live peer is short of stages (that peer takes it within a second). A dead holder's
    stages, whatever its last seen item said, leave nobody short."""
    return held < fair_share(stages, peers, now) or not _someone_short(stages, peers, now)


def idle(deadline: float | None, paused: bool, now: float, margin: float) -> bool:
    """A stage may change hands when nothing is due on it within `margin` seconds (a paused clock may
    resume at any moment)."""
    if paused:
        return False
    return deadline is None or deadline - now > margin
