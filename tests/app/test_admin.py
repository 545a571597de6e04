"""The admin's control desk: its buttons change the event in the database; judges get nothing from it."""

from __future__ import annotations

import time

from engine.domain.model import Phase
from engine.service.feed import Feed
from tests.app.helpers import ADMIN, JUDGE, button, component_data, open_page, shown, start, texts
from ui.live.builder import Builder

DESK = "stagescore_admin_desk"
NOT_RUNNING = "The timer engine is not running: start `python -m engine run`."


def test_admin_starts_pauses_and_resumes_the_event_from_the_control_desk(svc, tokens, app):
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_control.py")
    assert texts(at.title) == ["Control"]
    assert svc.bundle().state.phase is Phase.LOBBY

    [force] = [c for c in at.checkbox if c.label == "Start without the full panel"]
    force.check()
    at = button(at, "Start").click().run()
    state = svc.bundle().state
    assert (state.phase, state.paused, state.performer_id) == (Phase.PERFORMING, False, state.order[0])
    assert not at.exception and not at.error

    at = button(at, "Pause").click().run()
    state = svc.bundle().state
    assert state.paused and state.phase is Phase.PERFORMING
    assert "Pause: the event is now performing (paused)." in texts(at.toast)
    # The desk that shows "Performing — paused" is drawn in the browser: tests/e2e/test_admin_desk.py.
    assert [d["url"] for d in component_data(at, DESK)] == ["/live/admin"]

    at = button(at, "Resume").click().run()
    state = svc.bundle().state
    assert not state.paused and state.deadline is not None
    assert not at.exception and not at.error


def test_a_refused_command_is_shown_and_changes_nothing(svc, tokens, app):
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_control.py")
    version = svc.bundle().state.version

    at = button(at, "Pause").click().run()

    assert texts(at.error) == ["Nothing is on stage: the event is lobby."]
    assert svc.bundle().state.version == version


def test_finish_asks_for_a_confirmation_first(svc, tokens, app):
    start(svc, tokens)
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_control.py")

    at = button(at, "Finish").click().run()

    # The dialog asks; nothing has changed yet. (Its button reruns the dialog as a fragment,
    # which AppTest cannot do: the browser tests click it.)
    assert not at.exception
    assert "Yes, finish" in [b.label for b in at.button]
    assert svc.bundle().state.phase is Phase.PERFORMING


def test_judge_opening_the_control_desk_is_refused_and_sees_no_admin_data(svc, tokens, app):
    start(svc, tokens)
    at = open_page(app(svc.logins.whoami(tokens[JUDGE])), "pages/admin_control.py")

    assert not at.exception
    assert texts(at.error) == ["Not allowed: this page is for the admin."]
    assert not at.title and not at.table and not at.metric
    assert not [b for b in at.button if b.label != "Log out"]
    assert "judge2@test" not in shown(at)  # (cells are Markdown-escaped)
    # The panel reaches the admin only through the desk's stream (/live/admin, an admin session):
    # the judge's page does not even mount it; the admin's does, so the check above can see it.
    assert component_data(at, DESK) == []
    admin_view = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_control.py")
    assert len(component_data(admin_view, DESK)) == 1


def desk_document(svc) -> dict:
    """What /live/admin pushes to the desk with an admin connected (the hub's builder, as each tick)."""
    return Builder(Feed(svc.store, svc.clock)).build([], admins=True).admin[0]


def test_the_desk_says_so_in_red_when_no_engine_holds_the_lease(svc, tokens, app, engine_lease):
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_control.py")
    assert not at.error and not at.exception
    # The control page draws the engine's state with the desk (pushed): it has no banner fragment.
    assert [d.get("engine", True) for d in component_data(at, DESK)] == [True]
    doc = desk_document(svc)
    assert doc["engine"]["engine_problem"] is None
    assert doc["engine_line"].startswith("Timer engine: engine-apptest")

    engine_lease.stop()
    doc = desk_document(svc)

    assert doc["engine"]["engine_problem"] == NOT_RUNNING
    assert doc["engine_line"].startswith("Timer engine: none")


def test_the_desk_calls_a_holder_that_stopped_renewing_not_running(svc, tokens, app, engine_lease):
    engine_lease.stop(release=False)  # as after kill -9: the lease is still valid, its renewals stopped
    lease = svc.store.lease.current()
    assert float(lease["expires"]) > time.time()
    time.sleep(1.3)  # the stale limit: 2.5 renewal periods of 0.5 s

    assert desk_document(svc)["engine"]["engine_problem"] == NOT_RUNNING
