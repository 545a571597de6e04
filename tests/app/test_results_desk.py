"""The Results desk and the judge's side of it, through the real app: a flag and its check request, a
comment with a score, Sign off (with its confirmation) and Reveal next."""

from __future__ import annotations

from engine.domain.model import Command, CommandKind, Rule
from engine.service.apikeys import ApiUseCases
from tests.app.helpers import ADMIN, button, open_page, open_scoring_now, start, texts
from ui import widgets

DESK = "pages/admin_results.py"


def finished_with_an_outlier(svc, tokens) -> str:
    start(svc, tokens)
    pid = open_scoring_now(svc).performer_id
    for j, value in ((1, "8.2"), (2, "1.0"), (3, "8.2")):
        svc.submit_score(tokens[f"judge{j}@test.local"], pid, {"Score": value})
    svc.command(tokens[ADMIN], Command(CommandKind.FINISH))
    return pid


def test_the_desk_flags_the_outlier_and_asks_the_judge_to_check(svc, tokens, app):
    """(The judge's screen draws the request from its pushed document and answers through /live/check:
    tests/integration/test_live_routes.py, and in Chromium tests/e2e/test_results_in_the_browser.py.)"""
    pid = finished_with_an_outlier(svc, tokens)
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), DESK)
    assert not at.exception and texts(at.title) == ["Results desk"]
    assert "Provisional" in texts(at.metric)
    assert any("Judge 2 gave 1\\.0; the panel's median is 8\\.2" in w for w in texts(at.warning))

    at = button(at, "Ask to check").click().run()
    assert not at.exception
    request = svc.results.judge_check_request("judge2@test.local")
    sentence = "Please check your score for Performer 1: you gave 1.0."
    assert request == {"performer": pid, "sentence": sentence}


def test_sign_off_asks_first_then_reveal_next_shows_one_place(svc, tokens, app):
    finished_with_an_outlier(svc, tokens)
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), DESK)
    assert button(at, "Reveal next").disabled

    at = button(at, "Sign off").click().run()
    assert "Yes, sign off" in [b.label for b in at.button]  # the dialog; AppTest cannot click inside it
    assert not svc.results.release().official

    svc.results.sign_off(tokens[ADMIN])
    at = open_page(at, DESK)
    assert button(at, "Sign off").disabled and "Official" in texts(at.metric)
    assert "The results match what was signed off." in texts(at.success)
    at = button(at, "Reveal next").click().run()
    assert not at.exception and svc.results.release().revealed == 1
    assert "Revealed 1 place(s) on the board." in texts(at.toast)


# A judge's comment goes in with the score through the judge screen's POST /live/score:
# tests/integration/test_live_routes.py (stored, back to its judge only, a bad one refused) and
# tests/e2e/test_judge_screen.py (typed on the phone, kept across a reload).


def test_the_log_page_offers_the_pdfs_and_the_workbook(svc, tokens, app):
    finished_with_an_outlier(svc, tokens)
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_log.py")
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert {"Results (PDF)", "All score sheets (PDF)", "Score sheet (PDF)"} <= set(labels)
    assert "Results (Excel)" in labels


def test_the_desk_shows_the_skating_systems_calculation(svc, tokens, app):
    svc.update_settings(tokens[ADMIN], svc.bundle().settings.with_changes(rule=Rule.SKATING))
    start(svc, tokens)
    places = ({1: "9", 2: "8", 3: "7"}, {1: "8", 2: "9", 3: "9"}, {1: "7", 2: "7", 3: "8"})
    for by_judge in places:  # judge 1 places them 1, 2, 3; judge 2 2, 1, 3; judge 3 3, 1, 2
        pid = open_scoring_now(svc).performer_id
        for j, value in by_judge.items():
            svc.submit_score(tokens[f"judge{j}@test.local"], pid, {"Score": value})
        svc.command(tokens[ADMIN], Command(CommandKind.CLOSE))
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), DESK)
    assert not at.exception and "The calculation" in texts(at.subheader)
    table = at.dataframe[0].value
    assert list(table.columns) == ["Performer", "Judge 1", "Judge 2", "Judge 3", "1", "1-2", "1-3", "Place"]
    # Performer 2 has two 1sts of three: a majority, 1st; Performer 1 two 2nd-or-better: 2nd.
    assert table.set_index("Performer")["Place"].to_dict() == {"Performer 2": "1", "Performer 1": "2",
                                                               "Performer 3": "3"}  # fmt: skip


def test_the_log_page_creates_an_api_key_shown_once_and_revokes_it(svc, tokens, app):
    at = open_page(app(svc.logins.whoami(tokens[ADMIN])), "pages/admin_log.py")
    at.text_input[0].set_value("Federation results")
    at = button(at, "Create API key").click().run()
    assert not at.exception
    (made,) = svc.store.api_keys.list()
    key = at.code[0].value
    assert made.name == "Federation results" and key.startswith(f"ssk_{made.key_id}_")
    assert ApiUseCases(svc).check_key(key) == made
    at = button(at, "Revoke API key").click().run()
    assert not at.exception and not svc.store.api_keys.get(made.key_id).active
    assert widgets.text(f"Revoked API key {made.key_id}: it is refused from now on.") in texts(at.info)
