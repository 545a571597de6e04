"""The admin's side of logins: a judge's login QR code and devices on Setup, failed logins on the desk."""

from __future__ import annotations

import re

from engine.domain.model import NotAllowed
from engine.service.logins import LoginClient
from tests.app.helpers import ADMIN, JUDGE, PASSWORD, button, open_page

ATTACKER = LoginClient("198.51.100.66")


def _expander(at, who: str):
    """The Setup page's box for a judge, by the start of their email (labels are Markdown-escaped)."""
    [box] = [e for e in at.expander if f"(`{who}@" in e.label]
    return box


def _buttons(box, label: str):
    return [b for b in box.button if b.label == label]


def test_show_login_qr_gives_a_working_one_time_link_as_an_image(svc, tokens, app):
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_setup.py")
    _buttons(_expander(at, "judge1"), "Show login QR")[0].click()
    at = at.run()

    box = _expander(at, "judge1")
    assert not at.exception and not at.error
    assert [c for c in box.children.values() if type(c).__name__ == "Image"], "no QR image"
    [link] = [c.value for c in box.code]
    code = re.fullmatch(r"https?://\S+/auth/link\?code=([A-Za-z0-9_-]+)", link).group(1)
    assert svc.logins.login_with_link(code).email == JUDGE
    assert svc.logins.session_state(tokens[JUDGE]) is not None  # the device swap ended the seed's session


def test_the_admin_sees_a_judges_devices_and_ends_one(svc, tokens, app):
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_setup.py")
    box = _expander(at, "judge2")
    assert len(_buttons(box, "End")) == 1  # the seed's login
    assert any("first seen" in m.value for m in box.markdown)

    _buttons(box, "End")[0].click()
    at = at.run()

    assert not at.exception
    assert (
        svc.logins.session_state(tokens["judge2@test.local"])
        == "The organiser ended this session; please log in again."
    )
    assert not _buttons(_expander(at, "judge2"), "End")


def test_the_desk_shows_failed_logins_and_unlocks_the_account(svc, tokens, app):
    for _ in range(12):
        try:
            svc.logins.login("judge3@test.local", "guess-guess", ATTACKER)
        except NotAllowed:
            pass
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_control.py")
    line = "12 failed logins for judge3 in the last minute from 1 address"
    assert [w.value for w in at.warning if "failed login" in w.value] == [line]

    at = button(at, "Unlock").click().run()

    assert not [w for w in at.warning if "failed login" in w.value]
    assert svc.logins.login("judge3@test.local", PASSWORD, ATTACKER).email == "judge3@test.local"
    assert "Unlock" not in [b.label for b in at.button]
