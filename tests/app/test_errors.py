"""A programming error in a page is a bug, not an outage: it shows an error id, never the outage banner."""

from __future__ import annotations

import logging

import pytest

import ui.components.desk
import ui.widgets
from engine.domain.model import DatabaseUnavailable
from engine.service.logins import Logins
from engine.service.stages import StageUseCases
from tests.app.helpers import ADMIN, open_page, rerun, texts
from ui.data import UNREACHABLE

WRONG = "Something went wrong (error id "


def broken(*args, **kwargs):
    raise TypeError("a bug in the page")


def assert_error_id_not_outage(at, caplog) -> None:
    errors = texts(at.error)
    assert not at.exception, [e.message for e in at.exception]
    assert [e for e in errors if e.startswith(WRONG)], errors
    assert not [e for e in errors if UNREACHABLE in e], errors
    error_id = next(e for e in errors if e.startswith(WRONG))[len(WRONG) :].split(")")[0]
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged and logged[0].exc_info[0] is TypeError  # the traceback is in the log, under that id


def test_a_bug_in_a_page_shows_an_error_id_and_not_the_outage_banner(svc, tokens, app, monkeypatch, caplog):
    caplog.set_level(logging.ERROR, logger="stagescore.ui")
    monkeypatch.setattr(ui.widgets, "ranking_table", broken)
    at = open_page(app(), "pages/results.py")
    assert_error_id_not_outage(at, caplog)


def test_a_bug_in_the_live_desk_shows_an_error_id_and_not_the_outage_banner(
    svc, tokens, app, monkeypatch, caplog
):
    caplog.set_level(logging.ERROR, logger="stagescore.ui")
    monkeypatch.setattr(ui.components.desk, "admin_desk", broken)
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_control.py")
    assert_error_id_not_outage(at, caplog)
    assert texts(at.title) == ["Control"]  # the rest of the page still runs
    assert "Start" in [b.label for b in at.button]


@pytest.mark.parametrize("page", ["pages/judge.py", "pages/admin_setup.py"])
def test_a_bug_in_a_protected_page_is_not_labelled_an_outage(svc, tokens, app, monkeypatch, caplog, page):
    caplog.set_level(logging.ERROR, logger="stagescore.ui")
    monkeypatch.setattr(ui.widgets, "text", broken)
    role = "judge1@test.local" if page == "pages/judge.py" else ADMIN
    at = open_page(app(svc.logins.whoami(tokens[role])), page)
    assert_error_id_not_outage(at, caplog)


def test_an_admin_page_rerun_during_an_outage_shows_the_banner(svc, tokens, app, monkeypatch):
    """The admin's menu holds the stage choice; while the database is away a rerun of the page (the desk
    asks for one when it sees a new window) must show the banner, not an exception from the menu."""
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_control.py")
    assert not at.exception

    def away(*args, **kwargs):
        raise DatabaseUnavailable(UNREACHABLE)

    monkeypatch.setattr(StageUseCases, "list", away)
    monkeypatch.setattr(Logins, "whoami", away)
    at = rerun(at)
    assert not at.exception, [e.message for e in at.exception]
    assert [e for e in texts(at.error) if UNREACHABLE in e]
