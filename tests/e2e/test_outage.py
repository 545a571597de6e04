"""Graceful degradation in a real browser: with DynamoDB Local stopped, every open page shows the
"unreachable" banner and no traceback, and recovers by itself once the database is back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine import localdb
from engine.domain.model import Phase
from tests.e2e.browsing import EXCEPTION, open_app, open_desk, open_judge, wait_for
from tests.e2e.stack import Stack, start_stack

pytestmark = pytest.mark.e2e
BANNER = "Scoring database unreachable, retrying…"


def shown(page) -> str:
    """The page's text, including the live components' (each sits in a shadow root)."""
    text = page.inner_text("body")
    for live in (".board", ".judge", ".desk"):
        found = page.locator(live)
        text += found.first.inner_text() if found.count() else ""
    return text


@pytest.fixture(scope="module")
def own_db(tmp_path_factory) -> Iterator[dict]:
    """A DynamoDB Local of this module's own, on disk, so stopping it disturbs no other test."""
    data_dir = tmp_path_factory.mktemp("outage-db")
    port = localdb.free_port()
    db = {"port": port, "dir": data_dir, "proc": localdb.start(port, data_dir=data_dir, short_run=True)}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ENDPOINT_URL_DYNAMODB", localdb.endpoint_url(port))
        mp.setenv("AWS_ACCESS_KEY_ID", "local")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "local")
        mp.setenv("AWS_REGION", "us-east-1")
        try:
            yield db
        finally:
            localdb.stop(db["proc"])


@pytest.fixture(scope="module")
def outage_stack(own_db) -> Iterator[Stack]:
    yield from start_stack(perform_seconds=3, score_seconds=30, performers=3)


def test_every_page_shows_the_banner_and_recovers(own_db, outage_stack, new_page):
    stack = outage_stack
    board = open_app(new_page(), f"{stack.url}/leaderboard?kiosk=1")
    results = open_app(new_page(), f"{stack.url}/results")
    # The live streams are authorised by the login cookie (tests/e2e/browsing.cookie_login).
    judge = open_judge(new_page(), stack, "judge1@demo.local")
    admin = open_desk(new_page(), stack)
    stack.cli("control", "start", "--force")
    pages = {"board": board, "results": results, "judge": judge, "admin": admin}
    wait_for(
        lambda: "Performing" in shown(board) or "Scoring" in shown(board),
        30,
        lambda: f"the board to show the running event (it shows {shown(board)[:300]!r})",
    )

    localdb.stop(own_db["proc"])
    for name, page in pages.items():
        wait_for(
            lambda p=page: BANNER in shown(p),
            45,
            lambda p=page, n=name: f"the banner on the {n} page (it shows {shown(p)[:300]!r})",
        )
        assert page.locator(EXCEPTION).count() == 0, f"{name}: an exception box is shown"
        assert "Traceback" not in page.inner_text("body")

    own_db["proc"] = localdb.start(own_db["port"], data_dir=own_db["dir"], short_run=True)
    for name, page in pages.items():
        wait_for(lambda p=page: BANNER not in shown(p), 60, f"the {name} page to recover")
    # The engine went on retrying and the event goes on from where the database left it.
    wait_for(
        lambda: stack.status()["phase"] in (Phase.SCORING.value, Phase.PERFORMING.value),
        30,
        "the event to be running again",
    )
    wait_for(
        lambda: any(w in shown(judge) for w in ("Performing", "Scoring")),
        30,
        "the judge page to show the running event again",
    )
