"""The timer engine's health, as the admin desk, /healthz and `status --json` judge it. Pure."""

from __future__ import annotations

from engine.domain import health
from engine.domain.health import OVERDUE_SECONDS, assess
from engine.domain.model import EventState, Phase

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


def test_a_holder_that_stopped_renewing_counts_as_not_running_before_its_lease_runs_out():
    # kill -9 leaves a lease that is still valid for seconds; the renewals stopping say so sooner.
    h = assess(lease(expires=NOW + 2, renewed=NOW - 1.3), running(NOW + 5), NOW, stale_after=1.2)
    assert not h.healthy and h.problem.startswith("The timer engine is not running")
    assert h.owner is None and h.last_renewed == NOW - 1.3


def test_a_recent_renewal_within_the_stale_limit_is_healthy():
    assert assess(lease(renewed=NOW - 1.1), running(NOW + 5), NOW, stale_after=1.2).healthy


def test_without_a_stale_limit_only_the_expiry_counts():
    assert assess(lease(renewed=NOW - 30), running(NOW + 5), NOW).healthy


def test_a_lease_item_from_before_renewed_at_existed_is_judged_by_its_expiry():
    assert assess(lease(renewed=None), running(NOW + 5), NOW, stale_after=1.2).healthy


def test_standby_engines_are_those_seen_recently_other_than_the_holder():
    from engine.domain.health import standbys

    items = [
        {"owner": "engine-a", "last_seen": NOW - 1, "host": "h1", "holder": True},
        {"owner": "engine-b", "last_seen": NOW - 2, "host": "h2", "holder": False},
        {"owner": "engine-c", "last_seen": NOW - 60, "host": "h3", "holder": False},  # killed long ago
    ]
    seen = standbys(items, "engine-a", NOW, within=6)
    assert [(e.owner, e.host, e.ago) for e in seen] == [("engine-b", "h2", 2.0)]


def test_with_no_holder_every_recent_engine_is_a_standby():
    from engine.domain.health import standbys

    items = [{"owner": "engine-b", "last_seen": NOW - 0.5, "host": "h2", "holder": False}]
    assert [e.owner for e in standbys(items, None, NOW, within=6)] == ["engine-b"]


def test_the_stale_limit_is_a_few_renewals():
    from engine.domain.health import stale_seconds

    assert stale_seconds(lease_seconds=3.0, renew_seconds=0.5) == 1.25
    assert stale_seconds(lease_seconds=0.9, renew_seconds=0.5) == 0.75  # renewals every lease/3 then


def test_a_judge_is_told_the_clock_is_paused_when_the_engine_is_not_healthy():
    assert assess(None, running(NOW + 5), NOW).judge_message() == "The clock is paused by a technical problem"
    assert assess(lease(), running(NOW + 5), NOW).judge_message() is None


def test_the_desk_line_names_the_holder_its_host_the_standbys_lateness_and_database_latency():
    from engine.metrics import Summary
    from engine.service.health import desk_from, engine_parts, english_line

    seen = [
        {"owner": "engine-a", "host": "web-1", "last_seen": NOW - 1, "lateness_ms": 12.4},
        {"owner": "engine-b", "host": "web-2", "last_seen": NOW - 2},
        {"owner": "engine-old", "host": "web-3", "last_seen": NOW - 600},  # long gone: not a standby
    ]
    desk = desk_from(assess(lease(), running(NOW + 5), NOW), seen, NOW, Summary(40, 2.0, 9.6, 30.0))
    assert english_line(engine_parts(desk, NOW)) == (
        "Timer engine: engine-a on web-1 · lease renewed 1.0 s ago · standby: engine-b on web-2 (2 s ago)"
        " · last transition 12 ms after its deadline · database p50 2 ms, p95 10 ms over the last minute"
        " (40 calls)"
    )
    nobody = desk_from(assess(None, running(NOW + 5), NOW), [], NOW, Summary(0, None, None, None))
    assert (
        english_line(engine_parts(nobody, NOW))
        == "Timer engine: none · lease renewed never · no standby engine seen"
    )


# ---- /healthz from the live feed's last reading (engine.domain.health.probe)

GOOD = health.assess({"owner": "e1", "expires": 110.0, "renewed_at": 99.9}, None, 100.0)


def test_a_fresh_reading_answers_ok_with_its_age():
    status, body = health.probe(GOOD, age=0.3, failure=None)
    assert status == 200 and body["database"] == "ok" and body["engine_owner"] == "e1"
    assert body["reading_age_seconds"] == 0.3


def test_a_reading_older_than_a_second_is_a_503_that_says_so():
    status, body = health.probe(GOOD, age=health.FRESH_SECONDS + 0.2, failure=None)
    assert status == 503 and body["database"] == "stale" and "1.2 s" in body["message"]
    assert "engine_owner" not in body  # nothing old is vouched for


def test_no_reading_yet_is_a_503():
    status, body = health.probe(None, age=None, failure=None)
    assert status == 503 and body["database"] == "starting"


def test_the_last_failure_says_why_whatever_its_age():
    assert health.probe(GOOD, 5.0, ("unreachable", "down.")) == (
        503,
        {"database": "unreachable", "message": "down."},
    )
    failed = health.probe(None, 0.1, ("error", "no table."))
    assert failed == (503, {"database": "error", "message": "no table."})


def test_no_event_yet_is_healthy_as_long_as_it_is_fresh():
    assert health.probe(None, 0.2, ("no_event", "There is no event yet.")) == (
        200,
        {"database": "ok", "event": None, "message": "There is no event yet.", "reading_age_seconds": 0.2},
    )
    assert health.probe(None, 3.0, ("no_event", "There is no event yet."))[0] == 503
