"""The Setup page's competition sections, /results per category and the public /schedule page."""

from __future__ import annotations

from engine.domain.model import Command, CommandKind, PerformerStatus
from engine.service.competition import Competition
from tests.app.helpers import ADMIN, button, open_page, shown, start, texts

ROSTER = [
    {"name": "Ada", "order": 1, "category": "Dance"},
    {"name": "Bo", "order": 2, "category": "Music"},
    {"name": "Cy", "order": 3, "category": "Dance"},
]


def names(svc):
    snap = svc.snapshot()
    return [snap.performer_name(pid) for pid in snap.state.order]


def test_send_to_the_end_and_no_show_from_the_setup_page(svc, tokens, app):
    svc.set_roster(tokens[ADMIN], ROSTER)
    start(svc, tokens)  # Ada on stage
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_setup.py")
    assert "Running order" in texts(at.header)
    at = at.selectbox(key="order_who").select("Bo").run()
    at = button(at, "Send to the end (not ready)").click().run()
    assert not at.exception and not at.error
    assert names(svc) == ["Ada", "Cy", "Bo"]
    at = at.selectbox(key="order_who").select("Cy").run()
    at = button(at, "No-show").click().run()
    assert names(svc) == ["Ada", "Bo"]
    cy = next(p for p in svc.store.performers.list(svc.event_id()) if p.name == "Cy")
    assert cy.status is PerformerStatus.NO_SHOW
    # The performer on stage cannot be moved: the page does not even offer it.
    at = at.selectbox(key="order_who").select("Ada").run()
    assert button(at, "Send to the end (not ready)").disabled


def test_declaring_a_conflict_from_the_setup_page(svc, tokens, app):
    svc.set_roster(tokens[ADMIN], ROSTER)
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_setup.py")
    at = button(at, "Declare conflict").click().run()  # the first judge and the first performer
    assert not at.exception and not at.error
    assert list(svc.store.conflicts.list(svc.event_id()).values()) == [("judge1@test.local",)]


def test_results_rank_each_category_and_schedule_lists_the_order(svc, tokens, app):
    svc.set_roster(tokens[ADMIN], ROSTER)
    Competition(svc).move(tokens[ADMIN], "Ada", last=True)
    at = open_page(app(None), "pages/schedule.py")
    assert not at.exception and texts(at.title) == ["Schedule"]
    page = shown(at)
    assert page.index("Bo") < page.index("Cy") < page.index("Ada")
    assert "about" in page
    svc.command(tokens[ADMIN], Command(CommandKind.START, force=True))
    svc.command(tokens[ADMIN], Command(CommandKind.FINISH))
    at = open_page(app(None), "pages/results.py")
    assert not at.exception
    assert texts(at.header) == ["Dance", "Music"]
