"""The audience vote on the pages: Setup's form, the desk's live tally and acts, the kiosk's code for an
admin's screen only, and the people's choice on the results pages once revealed."""

from __future__ import annotations

import time
import uuid
from types import SimpleNamespace

from engine.domain.model import Settings, VoteMode, VoteSettings
from tests.app.helpers import ADMIN, button, open_page, rerun, shown, start, texts
from tests.support.events import seed_event
from tests.support.rounds import run_votes

PER_ACT = Settings(perform_seconds=600, score_seconds=600, votes=VoteSettings(VoteMode.PER_ACT, 60.0))
FINAL = Settings(
    perform_seconds=600, score_seconds=600, votes=VoteSettings(VoteMode.FINAL, 0.0, jury_percent=50)
)


def now() -> SimpleNamespace:
    return SimpleNamespace(now=time.time())


def cast(svc, code: str, value, n: int = 1) -> None:
    for _ in range(n):
        svc.votes.cast(svc.votes.new_device(), "10.1.1.1", code, value, uuid.uuid4().hex)


def test_setup_saves_the_audience_vote(svc, tokens, app):
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_setup.py")
    (form_radio,) = [r for r in at.radio if r.label == "Audience vote"]
    form_radio.set_value(VoteMode.PER_ACT.value)
    [c for c in at.checkbox if c.label.startswith("Publish a combined")][0].check()
    button(at, "Save the audience vote").click().run()
    saved = svc.bundle().settings.votes
    assert saved.mode is VoteMode.PER_ACT and saved.jury_percent == 50


def test_the_desk_shows_the_tally_live_and_the_kiosk_shows_the_code_to_an_admin_only(svc, app):
    tokens = seed_event(svc, settings=PER_ACT)
    start(svc, tokens)
    windows = run_votes(svc, now())
    (window,) = windows.values()
    cast(svc, window.code, 4, n=3)
    admin = svc.logins.whoami(tokens[ADMIN])
    at = open_page(app(admin), "pages/admin_control.py")
    text = shown(at)
    assert "Audience vote" in text, text
    assert "Performer 1,open,3,4" in text, text  # three votes, mean 4 stars
    assert "Reveal the audience's results" in [b.label for b in at.button]

    kiosk = app(admin)
    kiosk.query_params["kiosk"] = "1"
    kiosk = open_page(kiosk, "pages/leaderboard.py")
    assert f"# `{window.code}`" in texts(kiosk.markdown)
    assert kiosk.get("imgs") or kiosk.get("image")  # the QR code
    public = app()
    public.query_params["kiosk"] = "1"
    public = open_page(public, "pages/leaderboard.py")
    assert not [m for m in texts(public.markdown) if window.code in m]


def test_the_final_vote_opened_by_hand_and_revealed_on_the_results(svc, app):
    tokens = seed_event(svc, settings=FINAL)
    admin = svc.logins.whoami(tokens[ADMIN])
    at = open_page(app(admin), "pages/admin_control.py")
    button(at, "Open the final vote").click().run()
    (opened,) = svc.votes.codes()
    first, second = svc.bundle().state.order[:2]
    cast(svc, opened.code, second, n=2)
    cast(svc, opened.code, first)

    results = open_page(app(), "pages/results.py")
    assert "shown once the organisers reveal them" in shown(results)
    assert "Performer 2" not in shown(results).split("People's choice")[-1]

    at = rerun(at)
    button(at, "Reveal the audience's results").click().run()
    results = open_page(app(), "pages/results.py")
    choice = shown(results).split("People's choice")[-1]
    assert "1,Performer 2,2" in choice and "2,Performer 1,1" in choice
    assert "Combined ranking: jury 50 %, audience 50 %" in choice
