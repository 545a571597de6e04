"""When the live feed reads next (ui/live/cadence.py): every tick, but a window's flip read as soon as the
engine can have committed it, and no read under way across the deadline (it cannot see the flip)."""

from __future__ import annotations

import pytest

from ui.live.cadence import FLIP_MARGIN, FLIP_POLL, FLIP_WATCH, next_read_in

TICK = 0.25
D = 1_000.0  # the running window's deadline


def test_far_from_a_deadline_the_feed_reads_every_tick():
    assert next_read_in(D - 5, spent=0.05, deadline=D, tick=TICK) == pytest.approx(0.20)
    assert next_read_in(D - 5, spent=0.30, deadline=D, tick=TICK) == pytest.approx(0.02)  # a slow read


def test_without_a_running_deadline_the_feed_reads_every_tick():
    assert next_read_in(D, spent=0.05, deadline=None, tick=TICK) == pytest.approx(0.20)


def test_a_read_that_would_still_run_at_the_deadline_waits_for_the_flip_instead():
    # the next tick would begin at D - 0.05 and, as long as this one, end at D + 0.05: it could not
    # see the flip, and the read after it would come a read and a tick late
    assert next_read_in(D - 0.2, spent=0.1, deadline=D, tick=TICK) == pytest.approx(0.2 + FLIP_MARGIN)
    # a quick read that ends before the deadline goes ahead
    assert next_read_in(D - 0.3, spent=0.01, deadline=D, tick=TICK) == pytest.approx(0.24)


def test_after_the_deadline_a_read_that_began_before_the_flip_could_show_is_followed_at_once():
    began = D - 0.03
    assert next_read_in(began + 0.15, spent=0.15, deadline=D, tick=TICK) == 0.0


def test_after_the_deadline_the_feed_polls_until_the_flip_shows():
    began = D + 0.1  # after the engine's commit was due: the flip is late, ask again soon
    assert next_read_in(began + 0.02, spent=0.02, deadline=D, tick=TICK) == pytest.approx(FLIP_POLL)


def test_an_engine_long_past_its_deadline_is_not_polled_for():
    began = D + FLIP_WATCH + 1
    assert next_read_in(began + 0.05, spent=0.05, deadline=D, tick=TICK) == pytest.approx(0.20)
