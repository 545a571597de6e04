"""When a stage's live feed reads next: every tick, but a window's flip read as soon as the engine can
have committed it (the engine writes each transition at its deadline), so the flip reaches the screens
within tens of milliseconds of the commit; and no regular read under way across a deadline, since it
cannot see the flip and the read after it would come late (a read took 0.1-0.2 s while a crowd voted on
two cores, bench/votes.py)."""

from __future__ import annotations

FLIP_MARGIN = 0.02  # read this long after a deadline (the engine commits the transition at it)
FLIP_POLL = 0.05  # then this often until the transition is read
FLIP_WATCH = 2.0  # for at most this long (an engine that is down is the health check's business)
SOONEST = 0.02  # between two regular reads


def next_read_in(now: float, spent: float, deadline: float | None, tick: float) -> float:
    """Seconds until the next read, after one that took `spent` s and ended at `now` (wall clock), with
    the running window's `deadline` as that read found it (None: paused, or no clock running)."""
    pause = max(SOONEST, tick - spent)
    if deadline is None:
        return pause
    late = now - deadline
    if late < 0:
        # a read as long as this one, begun after `pause`, would still be under way at the deadline
        return -late + FLIP_MARGIN if -late < pause + spent else pause
    if late >= FLIP_WATCH:
        return pause
    if late - spent < 0:  # this read began before the deadline (a score woke it): it cannot show the flip
        return 0.0
    return min(pause, FLIP_POLL)
