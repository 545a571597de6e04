"""The streaming operator's page (pages/on_air.py): its switches go through service/on_air.switch and
stand as another operator left them; the overlays' addresses are on it; nothing of a score is."""

from __future__ import annotations

from engine.domain.model import Role
from engine.domain.on_air import OnAir
from engine.service import on_air
from tests.app.helpers import PASSWORD, open_page, shown
from ui import nav

STREAMER = "stream@test.local"


def test_the_operator_switches_the_overlays_and_the_projector_from_the_page(svc, tokens, app):
    svc.add_account(None, STREAMER, "Stream desk", PASSWORD, Role.STREAMING)
    at = app(svc.logins.login(STREAMER, PASSWORD))
    at = open_page(at, nav.path_of("ON_AIR_PAGE"))
    assert not at.exception and [t.value for t in at.title] == ["On air"]
    toggles = {t.label: t for t in at.toggle}
    assert list(toggles) == ["Lower third", "Score card", "Podium", "Next up"]
    assert all(t.value for t in toggles.values())
    at = toggles["Podium"].set_value(False).run()
    assert on_air.current(svc) == OnAir(frozenset({"podium"}))
    (projector,) = at.radio
    at = projector.set_value("title").run()
    assert on_air.current(svc) == OnAir(frozenset({"podium"}), "title")
    on_air.switch(svc, tokens["admin@test.local"], {"podium": True, "next_up": False})  # another desk
    at = at.run()
    assert {t.label: t.value for t in at.toggle} == {
        "Lower third": True, "Score card": True, "Podium": True, "Next up": False,
    }  # fmt: skip
    page = shown(at)
    assert "/overlay/lower-third" in page and "/overlay/all" in page and "/api/v1/state" in page
    assert not at.error
