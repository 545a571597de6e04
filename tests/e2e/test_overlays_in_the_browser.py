"""The overlays in a real Chromium at 1920 x 1080 against a real web server (no engine: the test moves the
show on as the engine would, so nothing here is timed): each overlay's background is transparent (or the
key colour asked for), and a performer is followed from the stage (lower third, countdown) to their score
card; next up and the podium; the streaming operator's switches take an element off air and change what
the kiosk board shows.

Set STAGESCORE_SCREENSHOTS=1 to refresh docs/screenshots/overlay-*.png.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from engine.domain import rules
from engine.domain.model import Command, CommandKind, Role, Settings
from engine.domain.roster import build_roster
from engine.service import on_air
from tests.e2e.conftest import DEFAULT_TIMEOUT_MS
from tests.support.browser import new_context
from tests.support.events import PASSWORD
from tests.support.stack import Stack, web_stack

pytestmark = pytest.mark.e2e
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
FULL_HD = {"width": 1920, "height": 1080}
TRANSPARENT = "rgba(0, 0, 0, 0)"
WAIT = 15_000  # ms for a push to reach a page: a switch from another process is read within 2 s
JUDGES = ("judge1@test.local", "judge2@test.local")
ADMIN, STREAMER = "admin@test.local", "stream@test.local"
ROSTER = [("Ada Lovelace", "Solo"), ("Bea Brass", "Band"), ("Cy Strings", "Solo")]


@pytest.fixture(scope="module")
def show(dynamodb_endpoint) -> Iterator[tuple[Stack, dict[str, str]]]:
    """Two judges, an admin and a streaming operator; three performers in two categories; long windows
    that only the test moves on; a web server."""

    def prepare(svc) -> dict[str, str]:
        for i, email in enumerate(JUDGES, 1):
            svc.add_account(None, email, f"Judge {i}", PASSWORD, Role.JUDGE)
        svc.add_account(None, ADMIN, "Admin", PASSWORD, Role.ADMIN)
        svc.add_account(None, STREAMER, "Stream desk", PASSWORD, Role.STREAMING)
        roster = build_roster([{"name": n, "order": i, "category": c} for i, (n, c) in enumerate(ROSTER, 1)])
        svc.create_event(Settings(event_name="Spring Showcase", perform_seconds=900, score_seconds=900,
                                  required_judges=1), roster, open_lobby=True)  # fmt: skip
        return {e: svc.logins.login(e, PASSWORD).token for e in (*JUDGES, ADMIN, STREAMER)}

    yield from web_stack("ov", prepare)


def _next_step(stack: Stack) -> None:
    """The event's next timer transition, written as the engine writes it at its deadline."""
    svc = stack.service()
    b = svc.bundle()
    step = rules.due_steps(b.state, b.settings, b.state.deadline, 0)[0]
    svc.store.events.write_step(b.state.version, step, "test", step.at)


@pytest.fixture
def full_hd(browser) -> Iterator[Callable[[str], Page]]:
    """A factory: a 1920 x 1080 page at an address, in a context of its own (closed after the test)."""
    contexts = []

    def open_at(url: str) -> Page:
        contexts.append(new_context(browser, DEFAULT_TIMEOUT_MS, FULL_HD))
        page = contexts[-1].new_page()
        page.goto(url)
        return page

    yield open_at
    for ctx in contexts:
        ctx.close()


def _background(page: Page) -> tuple[str, str]:
    return tuple(
        page.evaluate(
            "() => [getComputedStyle(document.documentElement).backgroundColor,"
            " getComputedStyle(document.body).backgroundColor]"
        )
    )


def _shot(page: Page, name: str) -> None:
    if os.environ.get("STAGESCORE_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.wait_for_function(  # after the fade-in
            "() => [...document.querySelectorAll('.el.shown')]"
            ".every((e) => getComputedStyle(e).opacity === '1')"
        )
        page.screenshot(path=str(SHOTS / f"overlay-{name}.png"), omit_background=True)


def test_each_overlay_keys_cleanly_and_follows_a_performer_from_stage_to_score_card(show, full_hd):
    stack, tokens = show
    svc = stack.service()
    overlay = lambda name, query="": full_hd(f"{stack.url}/overlay/{name}{query}")  # noqa: E731

    pages = {name: overlay(name) for name in ("lower-third", "score-card", "next-up", "podium")}
    brief = overlay("score-card", "?seconds=1").locator("#score_card")  # a card for 1 s
    arabic = overlay("lower-third", "?lang=ar").locator("#lower_third")
    for name, page in pages.items():
        assert page.viewport_size == FULL_HD
        assert page.evaluate("() => [document.body.scrollWidth, document.body.scrollHeight]") == [1920, 1080]
        assert _background(page) == (TRANSPARENT, TRANSPARENT), f"{name} is not transparent"
        expect(page.locator("body")).to_have_attribute("data-phase", "LOBBY", timeout=WAIT)
    green = overlay("lower-third", "?key=green&scale=1.2")
    assert _background(green) == ("rgb(0, 255, 0)", "rgb(0, 255, 0)")
    blue = overlay("all", "?key=blue&color=%23ffeeaa&font=Not%22%3Bdrop")
    assert _background(blue) == ("rgb(0, 0, 255)", "rgb(0, 0, 255)")
    assert blue.evaluate("() => getComputedStyle(document.body).color") == "rgb(255, 238, 170)"
    assert "drop" not in blue.evaluate(
        "() => getComputedStyle(document.body).fontFamily"
    )  # refused, not injected

    svc.command(tokens[ADMIN], Command(CommandKind.START, force=True))  # Ada performs
    third = pages["lower-third"].locator("#lower_third")
    expect(third).to_have_attribute("data-shown", "1", timeout=WAIT)
    expect(third.locator(".name")).to_have_text("Ada Lovelace", timeout=WAIT)
    expect(third.locator(".line")).to_contain_text("Solo", timeout=WAIT)
    expect(third.locator(".line")).to_contain_text("Performing", timeout=WAIT)
    expect(third.locator(".clock")).to_have_text(
        re.compile(r"^1[45]:\d\d$"), timeout=WAIT
    )  # 900 s: the countdown ticks
    expect(arabic).to_have_attribute("data-shown", "1", timeout=WAIT)  # mirrored: at the right, accent too
    sides = "e => [getComputedStyle(e).borderLeftWidth, getComputedStyle(e).borderRightWidth]"
    assert third.locator(".plate").evaluate(sides) == ["8px", "0px"] and third.bounding_box()["x"] == 96
    assert arabic.locator(".plate").evaluate(sides) == ["0px", "8px"]
    box = arabic.bounding_box()
    assert box["x"] + box["width"] == pytest.approx(1920 - 96, abs=0.5)
    nxt = pages["next-up"].locator("#next_up")
    expect(nxt).to_have_attribute("data-shown", "1", timeout=WAIT)
    expect(nxt.locator(".name")).to_have_text("Bea Brass", timeout=WAIT)

    _next_step(stack)  # Ada's scoring window opens: her lower third says so, no card yet
    expect(third.locator(".line")).to_contain_text("Scoring", timeout=WAIT)
    for judge, value in zip(JUDGES, ("8.5", "7.5"), strict=True):
        svc.submit_score(tokens[judge], svc.bundle().state.performer_id, {"Score": value})
    card = pages["score-card"].locator("#score_card")
    expect(card).to_have_attribute("data-shown", "0", timeout=WAIT)
    assert "8.00" not in pages["score-card"].content()  # her total is not public while the window is open

    _next_step(stack)  # the window closes: Ada's card, Bea on stage
    expect(card).to_have_attribute("data-shown", "1", timeout=WAIT)
    expect(card.locator(".name")).to_have_text("Ada Lovelace", timeout=WAIT)
    expect(card.locator(".total")).to_have_text("8.00", timeout=WAIT)
    expect(card.locator(".rank")).to_have_text("Rank 1", timeout=WAIT)
    expect(brief).to_have_attribute("data-shown", "1", timeout=WAIT)
    expect(brief).to_have_attribute("data-shown", "0", timeout=WAIT)  # its second is up; the other card stays
    expect(card).to_have_attribute("data-shown", "1", timeout=WAIT)
    expect(third.locator(".name")).to_have_text("Bea Brass", timeout=WAIT)
    expect(nxt.locator(".name")).to_have_text("Cy Strings", timeout=WAIT)
    _shot(pages["lower-third"], "lower-third")
    _shot(pages["score-card"], "score-card")
    _shot(pages["next-up"], "next-up")

    on_air.switch(svc, tokens[STREAMER], {"lower_third": False}, "on_stage")  # the operator's switches
    expect(third).to_have_attribute("data-shown", "0", timeout=WAIT)
    kiosk = full_hd(f"{stack.url}/leaderboard?kiosk=1")
    expect(kiosk.locator(".board .projector-on_stage .performer")).to_have_text("Bea Brass", timeout=2 * WAIT)
    on_air.switch(svc, tokens[STREAMER], {"lower_third": True}, "board")
    expect(third).to_have_attribute("data-shown", "1", timeout=WAIT)
    expect(kiosk.locator(".board table.ranking")).to_be_visible(timeout=WAIT)

    _next_step(stack)  # Bea is scored, then Cy performs and the show ends: the podium, one per category
    for judge in JUDGES:
        svc.submit_score(tokens[judge], svc.bundle().state.performer_id, {"Score": "9"})
    _next_step(stack)
    expect(card.locator(".name")).to_have_text("Bea Brass", timeout=WAIT)
    svc.command(tokens[ADMIN], Command(CommandKind.FINISH))
    podium = pages["podium"].locator("#podium")
    expect(podium).to_have_attribute("data-shown", "1", timeout=WAIT)
    expect(podium.locator(".category")).to_have_text(["Solo", "Band"], timeout=WAIT)  # in the board's order
    expect(podium.locator(".place .name")).to_have_text(["Ada Lovelace", "Bea Brass"], timeout=WAIT)
    expect(podium.locator(".place .total")).to_have_text(["8.00", "9.00"], timeout=WAIT)
    box = podium.bounding_box()  # in the middle of the frame
    assert (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2) == pytest.approx((960, 540), abs=0.5)
    expect(third).to_have_attribute("data-shown", "0", timeout=WAIT)
    expect(nxt).to_have_attribute("data-shown", "0", timeout=WAIT)
    _shot(pages["podium"], "podium")
