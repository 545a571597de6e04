"""The timer engine's health, as the admin desk, /healthz and `status --json` judge it. Pure."""

from __future__ import annotations

from engine.health import OVERDUE_SECONDS, assess
from engine.model import EventState, Phase

NOW = 1_800_000_000.0


def running(deadline: float, paused: bool = False) -> EventState:
    return EventState("ev", phase=Phase.SCORING, order=("p1",), index=0, deadline=deadline, paused=paused)


def lease(owner: str = "engine-a", expires: float = NOW + 2, renewed: float | None = NOW - 1) -> dict:
    item = {"owner": owner, "expires": expires}
    if renewed is not None:
        item["renewed_at"] = renewed
    return item


def test_an_engine_holding_a_live_lease_with_no_overdue_deadline_is_healthy():
    h = assess(lease(), running(NOW + 5), NOW)
    assert h.healthy and h.owner == "engine-a" and h.problem is None
    assert h.lease_expires == NOW + 2 and h.last_renewed == NOW - 1


def test_no_lease_item_at_all_says_the_engine_is_not_running():
    h = assess(None, running(NOW + 5), NOW)
    assert not h.healthy and h.owner is None
    assert h.problem == "The timer engine is not running: start `python -m engine run`."


def test_an_expired_lease_says_the_engine_is_not_running():
    h = assess(lease(expires=NOW - 0.1), running(NOW + 5), NOW)
    assert not h.healthy and h.owner is None
    assert "not running" in h.problem


def test_a_released_lease_counts_as_no_engine():
    assert not assess(lease(expires=0), None, NOW).healthy


def test_a_deadline_overdue_by_more_than_two_seconds_is_a_problem_even_with_a_lease():
    h = assess(lease(), running(NOW - OVERDUE_SECONDS - 0.01), NOW)
    assert not h.healthy and h.owner == "engine-a"
    assert h.overdue_seconds > OVERDUE_SECONDS
    assert "overdue" in h.problem


def test_a_deadline_just_passed_is_not_yet_a_problem():
    h = assess(lease(), running(NOW - 1.5), NOW)
    assert h.healthy and h.overdue_seconds == 1.5


def test_a_paused_clock_has_no_deadline_to_be_late_for():
    assert assess(lease(), running(NOW - 100, paused=True), NOW).healthy


def test_a_finished_event_needs_no_deadline_but_still_reports_a_missing_engine():
    done = EventState("ev", phase=Phase.FINISHED)
    assert assess(lease(), done, NOW).healthy
    assert not assess(None, done, NOW).healthy


def test_the_json_form_has_the_names_operators_script_against():
    d = assess(lease(), running(NOW + 5), NOW).as_json()
    assert d["engine_owner"] == "engine-a"
    assert d["engine_lease_expires"] == NOW + 2
    assert d["engine_healthy"] is True
