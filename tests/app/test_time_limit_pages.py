"""Issue 27's last gaps on the real pages: Setup saves a time limit and its penalty; the control desk's
Performance done times the performance and enters its penalty; the Results desk's deduction form
withdraws the latest deduction, entered by mistake."""

from __future__ import annotations

from decimal import Decimal as D

from engine.domain.catalogue import TimeRule
from engine.domain.model import Phase
from tests.app.helpers import ADMIN, button, open_page, start, texts

SETUP, CONTROL, RESULTS = "pages/admin_setup.py", "pages/admin_control.py", "pages/admin_results.py"


def field(elements, label: str):
    (found,) = [e for e in elements if e.label == label]
    return found


def test_setup_saves_the_time_limit_and_its_penalty(svc, tokens, app):
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), SETUP)
    field(at.number_input, "Time limit (s)").set_value(180)
    field(at.text_input, "Over it: points").set_value("0.5")
    field(at.text_input, "Plus points per step").set_value("0.1")
    field(at.number_input, "Step (s)").set_value(5)
    field(at.text_input, "At most").set_value("2")
    at = button(at, "Save panels and deductions").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert svc.bundle().settings.time_rule == TimeRule(180, D("0.5"), D("0.1"), 5, D(2))

    at = open_page(at, SETUP)  # the fields now default to what was saved
    field(at.text_input, "Over it: points").set_value("lots")
    at = button(at, "Save panels and deductions").click().run()
    assert texts(at.error) == ["The time penalty's points must be a number."]
    assert svc.bundle().settings.time_rule.points == D("0.5")


def test_performance_done_times_the_performance_and_enters_its_penalty(svc, tokens, app):
    svc.panels.timing(tokens[ADMIN], TimeRule(1, D("0.5")))
    pid = start(svc, tokens).performer_id
    started = svc.bundle().state.window_started_at
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), CONTROL)
    while svc.clock() < started + 2.1:  # the page's clock is the wall's: over a one-second limit
        at = open_page(at, CONTROL)
    at = button(at, "Performance done").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert svc.bundle().state.phase is Phase.SCORING
    assert "Performance done: the event is now scoring." in texts(at.toast)
    (entry,) = svc.bundle().deductions
    assert (entry.performer_id, entry.points, entry.by) == (pid, D("0.5"), ADMIN)
    assert entry.reason.startswith("Over time by ") and entry.reason.endswith("limit 0:01")


def test_the_results_desk_withdraws_the_latest_deduction(svc, tokens, app):
    pid = start(svc, tokens).performer_id
    svc.panels.catalogue(tokens[ADMIN], [{"name": "Fall", "points": "0.5"}])
    fall = svc.panels.deduct(tokens[ADMIN], pid, kind="Fall")
    slip = svc.panels.deduct(tokens[ADMIN], pid, points="1", reason="Wrong performer")
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), RESULTS)
    offered = field(at.selectbox, "Deduction entered by mistake")
    assert offered.value == slip.entry_id  # the latest: the likeliest mistake
    at = button(at, "Withdraw deduction").click().run()
    assert not at.exception and not at.error, texts(at.error)
    assert [d.entry_id for d in svc.bundle().deductions] == [fall.entry_id]
    assert any(t.startswith("Withdrawn: 1 from ") for t in texts(at.success))
