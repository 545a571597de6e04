"""Judging as the sports do it, in real browsers: judge 1 (the head judge) scores only the Technique
sub-panel's criterion on their phone, Style being judge 3's; the control desk lists who is missing which
criterion; the head judge enters a fall for the performer on stage from their judge page and withdraws a
penalty entered by mistake; the kiosk board and the results PDF show the fall; after sign-off judge 2
opens their calibration card and is refused judge 3's.

Judges 2 and 3 score through the service, as their pages would; windows are closed from the shell once
their scores are in (never waited out), so the test waits on conditions only.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pypdf
import pytest
from playwright.sync_api import expect

from engine.domain import deductions
from engine.domain.model import Criterion, Phase, Rule
from tests.e2e.browsing import (
    APP,
    DESK,
    JUDGE_SCREEN,
    assert_healthy,
    board_rows,
    cookie_login,
    open_judge,
    settle,
    wait_for,
)
from tests.e2e.stack import Stack, start_stack

pytestmark = pytest.mark.e2e

HEAD, J2, J3 = "judge1@demo.local", "judge2@demo.local", "judge3@demo.local"


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint) -> Iterator[Stack]:
    yield from start_stack(perform_seconds=1, score_seconds=90, performers=2)


def scoring(stack: Stack, index: int):
    def is_open():
        state = stack.service().bundle().state
        return state.phase is Phase.SCORING and state.index == index and state

    return wait_for(is_open, 30, f"scoring to open for performer {index + 1}")


def test_sub_panels_a_deduction_on_the_board_and_the_pdf_and_private_calibration_cards(
    stack, new_page, tmp_path
):
    svc = stack.service()
    admin = svc.logins.login("admin@demo.local", stack.password).token
    settings = svc.bundle().settings
    criteria = (
        Criterion("Technique", Decimal(0), Decimal(10), Decimal("0.1"), judges=(HEAD, J2)),
        Criterion("Style", Decimal(0), Decimal(10), Decimal("0.1"), judges=(J3,)),
    )
    svc.update_settings(
        admin, settings.with_changes(criteria=criteria, rule=Rule.MEAN)
    )  # not the demo's weights
    svc.panels.head(admin, HEAD)
    svc.panels.catalogue(admin, [{"name": "Fall", "points": "0.5", "cap": "1.5"}])
    tokens = {j: svc.logins.login(j, stack.password).token for j in (J2, J3)}
    phone = open_judge(new_page(), stack, HEAD)
    board = new_page()
    board.goto(f"{stack.url}/leaderboard?kiosk=1")
    stack.cli("control", "start", "--force")

    state = scoring(stack, 0)
    name = svc.snapshot().performer_name(state.performer_id)
    screen = phone.locator(JUDGE_SCREEN)
    expect(screen).to_have_attribute("data-open", "true", timeout=20_000)
    box = screen.locator('input.value[aria-label^="Technique"]')
    expect(box).to_be_enabled(timeout=20_000)
    expect(screen.locator('input.value[aria-label^="Style"]')).to_have_count(0)  # judge 3's criterion
    box.fill("8")
    screen.get_by_role("button", name="Submit score").click()
    expect(screen.locator(".ack")).to_contain_text("(revision 1)", timeout=15_000)
    # The control desk says which judge is missing which criterion for the performer being scored.
    desk = new_page()
    cookie_login(desk, stack, "admin@demo.local")
    desk.goto(stack.url + "/admin")
    names = {j.email: j.name for j in svc.snapshot().judges}
    missing = desk.locator(f"{DESK} .missing li")
    expect(missing).to_have_text(
        [f"{name} · Technique — missing: {names[J2]}", f"{name} · Style — missing: {names[J3]}"],
        timeout=30_000,
    )
    svc.submit_score(tokens[J2], state.performer_id, {"Technique": "7"})
    svc.submit_score(tokens[J3], state.performer_id, {"Style": "6"})
    expect(missing).to_have_count(0, timeout=20_000)

    # The head judge's deduction form follows the performer on stage.
    form = phone.locator(APP).locator('[data-testid="stForm"]')
    expect(form.get_by_role("combobox", name="Performer")).to_have_value(name, timeout=20_000)
    form.get_by_role("button", name="Enter deduction").click()
    expect(phone.locator(APP).get_by_text(f"{name}: Fall ×1: −0.5")).to_be_visible(timeout=20_000)
    # A penalty entered by mistake (the admin's), withdrawn from the head judge's phone: the latest entry is
    # the one offered first.
    slip = svc.panels.deduct(admin, state.performer_id, points="1", reason="Wrong performer")
    withdraw = phone.locator(APP).locator('[data-testid="stForm"]').filter(has_text="Withdraw deduction")
    offered = withdraw.get_by_role("combobox", name="Deduction entered by mistake")
    expect(offered).to_have_value(deductions.label(slip, name), timeout=20_000)
    withdraw.get_by_role("button", name="Withdraw deduction").click()
    wait_for(lambda: [d.kind for d in svc.bundle().deductions] == ["Fall"], 20, "the penalty to be withdrawn")
    assert [e.kind for e in svc.log.entries()].count("deduction_withdrawn") == 1
    stack.cli("control", "close")

    state = scoring(stack, 1)
    svc.submit_score(tokens[J2], state.performer_id, {"Technique": "6"})
    svc.submit_score(tokens[J3], state.performer_id, {"Style": "5"})
    stack.cli("control", "close")
    wait_for(lambda: svc.bundle().state.phase is Phase.FINISHED, 30, "the round to finish")

    # Technique (8 + 7) / 2 = 7.5 and Style 6, a weighted mean of 6.75, less the fall: 6.25.
    first = {"Performer": name, "Total": "6.25", "Deducted": "−0.50"}
    wait_for(
        lambda: any(first.items() <= r.items() for r in board_rows(board)),
        20,
        "the board to show the fall",
        0.1,
    )
    pdf = tmp_path / "results.pdf"
    stack.cli("export", "--format", "pdf", "--out", str(pdf))
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert "Deducted" in text and "0.50" in text and "6.25" in text

    svc.results.sign_off(admin)
    judge2 = new_page()
    cookie_login(judge2, stack, J2)
    judge2.goto(stack.url + "/judge")
    app = judge2.locator(APP)
    expect(app.get_by_text(f"Calibration card: {J2}")).to_be_visible(timeout=30_000)
    expect(app.get_by_text("Technique: rank correlation (Spearman) with the panel 1.00")).to_be_visible()
    judge2.goto(f"{stack.url}/judge?card={J3}")
    expect(judge2.locator(APP).get_by_text("You can open only your own calibration card.")).to_be_visible(
        timeout=30_000
    )
    expect(judge2.locator(APP).get_by_text(f"Calibration card: {J3}")).to_have_count(0)
    settle(judge2)
    for page in (phone, board, desk, judge2):
        assert_healthy(page)
