"""The audience vote in real browsers against the real stack: phones scan the kiosk's QR code (decoded
from a screenshot, as a phone's camera would), vote, revise, and are refused after the close and with a
stale or mistyped code; the admin's desk shows the tally live; the reveal on the desk puts the people's
choice and the combined ranking on the public results page.

Per-act voting: a performer's vote opens when they go on stage and closes GRACE s after their scoring
window closes; the engine process opens and closes it. The panel scores each act through the service's
one score path and the admin closes its scoring window then (the service's command, as the desk's
button), so every window lasts as long as the test needs it: nothing here is timed to the second.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Error, Locator, Page, expect

from engine.domain.model import Command, CommandKind, Phase, VoteMode, VoteSettings
from engine.domain.votes import CLOSED, WRONG_CODE
from engine.service.core import Service
from tests.e2e.browsing import APP, TABLE, assert_healthy, cookie_login, open_desk, settle, wait_for
from tests.e2e.stack import ARTIFACTS, PASSWORD, Stack
from tests.support.browser import PHONE
from tests.support.stack import fresh_prefix

pytestmark = pytest.mark.e2e

PERFORM, SCORE, GRACE = 2, 90, 4  # seconds; each scoring window is closed by the admin well before 90 s
JURY = [Decimal(8), Decimal(6), Decimal(7)]  # every judge's score per act in running order: ranks 1, 3, 2
COUNTED = "Your vote is counted. You can change it until voting closes."
ZBARIMG = "/usr/bin/zbarimg"  # Debian's zbar-tools (make system)


@pytest.fixture(scope="module")
def stack(dynamodb_endpoint) -> Iterator[Stack]:
    """The demo event with three acts and a per-act audience vote (combined ranking 50/50), set before the
    engine starts; the engine and the web server."""
    with Stack(fresh_prefix("e2v"), ARTIFACTS / "logs", password=PASSWORD) as s:
        s.cli("init", "--wait", "30")
        s.cli(
            "demo", "--password", PASSWORD, "--perform-seconds", str(PERFORM),
            "--score-seconds", str(SCORE), "--performers", str(len(JURY)),
        )  # fmt: skip
        svc = s.service()
        admin = svc.logins.login("admin@demo.local", PASSWORD).token
        votes = VoteSettings(VoteMode.PER_ACT, grace_seconds=GRACE, jury_percent=50)
        svc.update_settings(admin, svc.bundle().settings.with_changes(votes=votes))
        s.start_engine(wait=None)
        s.start_web()
        s.check_alive()
        yield s


def the_panel_scores(svc: Service, index: int) -> None:
    """Once act `index`'s scoring window opens, every judge scores it through the one score path and the
    admin closes the window."""

    def scoring():
        state = svc.bundle().state
        return state.phase is Phase.SCORING and state.index == index and state

    state = wait_for(scoring, 30, f"scoring to open for act {index + 1}", 0.1)
    for n in (1, 2, 3):
        token = svc.logins.login(f"judge{n}@demo.local", PASSWORD).token
        svc.submit_score(token, state.performer_id, {"Score": str(JURY[index])})
    admin = svc.logins.login("admin@demo.local", PASSWORD).token
    svc.command(admin, Command(CommandKind.CLOSE, window_id=state.window_id))


def window_of(svc: Service, index: int):
    """The open vote of act `index` (running order) with its code, once the engine has opened it."""

    def opened():
        pid = svc.bundle().state.order[index]
        return next((w for w in svc.votes.codes() if w.key == pid), None)

    return wait_for(opened, 30, f"the vote for act {index + 1} to open", 0.1)


def scan(kiosk: Page, title: str, code: str, tmp_path) -> str:
    """What a phone's camera reads from the kiosk's QR code for `title`'s vote (zbarimg on a screenshot
    of it); the code shown large beside it must be the service's."""
    block = kiosk.locator('[class*="st-key-kiosk-vote-"]').filter(
        has=kiosk.get_by_role("heading", name=f"Vote for {title}")
    )
    expect(block.locator("h1 code")).to_have_text(code, timeout=20_000)
    image = block.locator("img").first
    expect(image).to_be_visible()
    shot = tmp_path / f"qr-{code}.png"
    # As a phone's camera does, look again when a frame missed: a rerun of the kiosk may move the image
    # between the element's box and the capture (a CI run captured the board's caption beside it).
    for _ in range(10):
        image.screenshot(path=str(shot))
        read = subprocess.run([ZBARIMG, "--raw", "-q", str(shot)], capture_output=True, text=True, timeout=30)
        if read.returncode == 0:
            break
        time.sleep(0.5)
    assert read.returncode == 0, f"zbarimg found no QR code in {shot}: {read.stderr.strip()}"
    return read.stdout.strip()


def phone_at(new_page, url: str) -> Page:
    """A phone-sized page of its own (its own voter cookie) at `url`."""
    page = new_page()
    page.set_viewport_size(PHONE)
    page.goto(url)
    return page


def star(phone: Page, n: int) -> Locator:
    return phone.get_by_role("button", name=f"{n} star" + ("s" if n > 1 else ""), exact=True)


def message(phone: Page) -> str:
    return phone.locator("#message").inner_text().strip()


def tap(phone: Page, n: int) -> None:
    """Tap a star and wait until the page marks it as the vote counted (on the server's answer)."""
    star(phone, n).click()
    wait_for(
        lambda: star(phone, n).get_attribute("aria-pressed") == "true" and message(phone) == COUNTED,
        20,
        lambda: f"{n} stars to be counted; the phone says {message(phone)!r}",
        0.1,
    )


def table_with(page: Page, header: str) -> Locator:
    """The st.table on the page with a column named `header`."""
    return page.locator(TABLE).filter(has=page.locator("thead th", has_text=header)).first


def rows(table: Locator) -> list[dict[str, str]]:
    headers = [h.strip() for h in table.locator("thead th").all_inner_texts()]
    return [
        dict(zip(headers, [c.strip() for c in tr.locator("th, td").all_inner_texts()], strict=False))
        for tr in table.locator("tbody tr").all()
    ]


def desk_shows(desk: Page, name: str, votes: str, mean: str, state: str) -> None:
    """Wait for the desk's audience vote table to show this line (it is refreshed every 2 s)."""

    def line() -> dict[str, str]:
        return next((r for r in rows(table_with(desk, "Mean stars")) if r.get("Vote") == name), {})

    wait_for(
        lambda: (
            (line().get("Votes"), line().get("Mean stars")) == (votes, mean)
            and line().get("State", "").startswith(state)
        ),
        15,
        lambda: f"the desk to show {name}: {votes} votes, {mean} stars, {state}; it shows {line()}",
        0.2,
    )


def reveal(desk: Page, svc: Service) -> None:
    """Click "Reveal the audience's results" on the desk. A click that lands while the page re-runs (as
    it does when the round finishes) can be lost: it is clicked again while nothing is revealed."""
    settle(desk)

    def revealed() -> bool:
        if svc.votes.status().revealed:
            return True
        desk.get_by_role("button", name="Reveal the audience's results").click(timeout=5_000)
        return wait_for(lambda: svc.votes.status().revealed, 5, "the reveal", 0.2, ignore=())

    wait_for(revealed, 30, "the audience's results to be revealed", 0.2, ignore=(AssertionError, Error))
    expect(desk.get_by_role("button", name="Hide the audience's results")).to_be_visible(timeout=20_000)


def test_phones_vote_from_the_kiosk_qr_code_and_the_reveal_shows_the_peoples_choice(
    stack, new_page, tmp_path
):
    assert shutil.which(ZBARIMG), f"{ZBARIMG} is missing: run `make system` (apt-get install zbar-tools)"
    svc = stack.service()
    order = svc.bundle().state.order
    names = [svc.snapshot().performer_name(pid) for pid in order]
    kiosk = cookie_login(new_page(), stack, "admin@demo.local")
    kiosk.goto(stack.url + "/leaderboard?kiosk=1")
    desk = open_desk(new_page(), stack)
    expect(desk.locator(APP).get_by_text("No voting window has opened yet.")).to_be_visible(timeout=20_000)
    stack.cli("control", "start", "--force")

    # Act 1: two phones scan the kiosk's QR code; one votes 4 stars and revises to 2, the other votes 5.
    first = window_of(svc, 0)
    url = scan(kiosk, names[0], first.code, tmp_path)
    assert url == f"{stack.url}/vote?code={first.code}"
    one = phone_at(new_page, url)
    expect(one.locator("#title")).to_have_text(f"Rate {names[0]}")
    expect(one.locator("#closes")).to_have_text("Voting is open.")  # no close yet: the act is on stage
    tap(one, 4)
    tap(one, 2)
    expect(star(one, 4)).to_have_attribute("aria-pressed", "false")
    two = phone_at(new_page, url)
    tap(two, 5)
    desk_shows(desk, names[0], "2", "3.50", "open")  # live: the revision counted once, its last value

    # Act 2 goes on stage: a new vote with a new code, carried by a new QR code; the first phone, opened
    # before act 1's vote had a close, learns it without a reload.
    the_panel_scores(svc, 0)
    expect(one.locator("#closes")).to_have_text(
        re.compile(r"Voting (closes in \d+ s|has closed)\."), timeout=20_000
    )
    second = window_of(svc, 1)
    assert second.code != first.code
    url2 = scan(kiosk, names[1], second.code, tmp_path)
    assert url2 == f"{stack.url}/vote?code={second.code}"
    two.goto(url2)
    expect(two.locator("#title")).to_have_text(f"Rate {names[1]}")
    tap(two, 4)
    three = phone_at(new_page, url2)
    tap(three, 5)

    # Act 1's vote closes GRACE s after its scoring did: the first phone, still on its page, is refused.
    wait_for(lambda: svc.bundle().votes[order[0]].closed, 30, "act 1's vote to close", 0.1)
    star(one, 3).click()
    expect(one.locator("#message")).to_have_text(CLOSED, timeout=20_000)
    expect(star(one, 2)).to_have_attribute("aria-pressed", "true")
    desk_shows(desk, names[0], "2", "3.50", "closed")

    # A stale QR code (act 1's, closed lately: its vote "is closed") and a mistyped code are refused,
    # with no ballot to vote on.
    three.goto(url)
    expect(three.locator("#message")).to_have_text(CLOSED, timeout=20_000)
    expect(three.locator("#ballot")).to_be_hidden()
    three.locator("#code").fill("ZZZZZ")
    three.get_by_role("button", name="Go").click()
    expect(three.locator("#message")).to_have_text(WRONG_CODE, timeout=20_000)
    expect(three.locator("#ballot")).to_be_hidden()

    # The round finishes; until the reveal the public results page keeps the audience's results back.
    public = new_page()
    public.goto(stack.url + "/results")
    the_panel_scores(svc, 1)
    the_panel_scores(svc, 2)
    wait_for(lambda: svc.bundle().state.phase is Phase.FINISHED, 30, "the round to finish", 0.1)
    tallies = {w.key: (w.tally.votes, w.tally.stars) for w in svc.votes.status().windows}
    assert tallies[order[0]] == (2, 7) and tallies[order[1]] == (2, 9), tallies  # refused: not counted
    waiting = "The audience's results are shown once the organisers reveal them."
    expect(public.locator(APP).get_by_text(waiting)).to_be_visible(timeout=30_000)
    expect(public.get_by_text("Combined ranking")).to_have_count(0)

    # The admin reveals them on the desk; the public page shows the people's choice and the combined
    # ranking. Audience: act 2 4.50 stars, act 1 3.50, act 3 no vote; jury: act 1, act 3, act 2. Rank
    # points (12, 10, 8), half each: act 1 6 + 5 = 11, act 2 4 + 6 = 10, act 3 5 + 0 = 5.
    reveal(desk, svc)
    heading = "Combined ranking: jury 50 %, audience 50 %"
    expect(public.get_by_role("heading", name=heading)).to_be_visible(timeout=30_000)
    people = [
        (r["Place"], r["Performer"], r["Votes"], r["Mean stars"])
        for r in rows(table_with(public, "Mean stars"))
    ]
    assert people == [("1", names[1], "2", "4.50"), ("2", names[0], "2", "3.50"), ("—", names[2], "0", "")]
    combined = [(r["Place"], r["Performer"], r["Points"]) for r in rows(table_with(public, "Points"))]
    assert combined == [("1", names[0], "11"), ("2", names[1], "10"), ("3", names[2], "5")]
    for page in (kiosk, desk, public, one, two, three):
        assert_healthy(page)
