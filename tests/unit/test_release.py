"""Results status (live -> provisional -> official), the protest window, sign-off, freezing, the reveal."""

from decimal import Decimal as D

import pytest

from engine.domain import release
from engine.domain.model import CommandRefused, EventState, Phase
from engine.domain.ranking import PerformerResult
from engine.domain.release import Release, ResultsSettings, ResultsStatus

FINISHED_AT = 1000.0


def state(phase=Phase.FINISHED, finished_at=FINISHED_AT) -> EventState:
    done = finished_at if phase is Phase.FINISHED else None
    return EventState("e1", phase, ("a", "b"), 1, finished_at=done)


def signed(**kw) -> Release:
    return Release("e1", signed_off_by="head@x", signed_off_at=FINISHED_AT + 5, results_hash="h", **kw)


def result(pid, rank, total=None) -> PerformerResult:
    t = None if total is None else D(total)
    return PerformerResult(pid, t, 3 if t is not None else 0, True, rank, t, t, t, t)


def test_status_is_live_until_the_last_window_closes_then_provisional_then_official():
    assert release.status(state(Phase.SCORING), Release("e1")) is ResultsStatus.LIVE
    assert release.status(state(Phase.LOBBY), Release("e1")) is ResultsStatus.LIVE
    assert release.status(state(), Release("e1")) is ResultsStatus.PROVISIONAL
    assert release.status(state(), signed()) is ResultsStatus.OFFICIAL


def test_the_protest_window_counts_down_from_the_close():
    s = ResultsSettings(protest_minutes=5)
    assert release.protest_deadline(state(), s) == FINISHED_AT + 300
    assert release.protest_remaining(state(), s, FINISHED_AT + 60) == 240
    assert release.protest_remaining(state(), s, FINISHED_AT + 301) == 0
    assert release.protest_deadline(state(Phase.SCORING), s) is None
    assert release.protest_deadline(state(), ResultsSettings()) is None  # default 0: no window


def test_sign_off_is_refused_before_provisional():
    with pytest.raises(CommandRefused, match="^Results are still live"):
        release.check_sign_off(state(Phase.SCORING), Release("e1"), FINISHED_AT)


def test_sign_off_is_refused_while_the_protest_window_is_open_and_allowed_after():
    r = Release("e1", ResultsSettings(protest_minutes=5))
    with pytest.raises(CommandRefused, match=r"^The protest window is open for 4 more minutes"):
        release.check_sign_off(state(), r, FINISHED_AT + 61)
    release.check_sign_off(state(), r, FINISHED_AT + 300)


def test_a_second_sign_off_is_refused():
    with pytest.raises(CommandRefused, match="^The results are already official"):
        release.check_sign_off(state(), signed(), FINISHED_AT + 10)


def test_after_official_every_write_of_the_round_is_refused():
    for what in ("scores", "settings", "roster"):
        with pytest.raises(CommandRefused, match=f"^The results are official, so the {what} can no longer"):
            release.check_writable(signed(), what)
    release.check_writable(Release("e1"), "settings")  # not signed off: fine


def test_reveal_goes_from_last_place_up_with_the_podium_last_and_ties_together():
    results = [result("a", 1, "9"), result("b", 2, "8"), result("c", 2, "8"), result("d", 4, "5")]
    results.append(result("x", None))  # no total: never placed
    assert release.reveal_places(results) == [["d"], ["b", "c"], ["a"]]


def test_categories_ranked_apart_reveal_one_place_of_one_category_at_a_time_every_winner_last():
    dance = [result("d1", 1, "9"), result("d2", 2, "8"), result("d3", 3, "7"), result("d4", 3, "7")]
    music = [result("m1", 1, "9.5"), result("m2", 2, "6"), result("mx", None)]
    groups = {"Dance": dance, "Music": music}
    overall = [result("m1", 1, "9.5"), result("d1", 2, "9")]  # the overall ranks play no part
    assert release.reveal_places(overall, groups) == [
        ["d3", "d4"],  # Dance's third place (tied), then every category's second places, ...
        ["d2"],
        ["m2"],
        ["d1"],  # ... and the winners last, in the categories' order
        ["m1"],
    ]
    view = release.results_view(state(), signed(revealed=2), overall, FINISHED_AT + 20, groups)
    assert view.revealed == [["d3", "d4"], ["d2"]] and not view.complete


def test_reveal_before_sign_off_is_refused():
    with pytest.raises(CommandRefused, match="^Sign off the results before revealing them"):
        release.next_reveal(Release("e1"), places=3, now=FINISHED_AT)


def test_reveal_next_counts_one_place_per_click_until_all_are_shown():
    r = signed()
    assert release.next_reveal(r, 3, FINISHED_AT + 10) == 1
    with pytest.raises(CommandRefused, match="^Every place has already been revealed"):
        release.next_reveal(signed(revealed=3), 3, FINISHED_AT + 10)


def test_on_a_timer_one_more_place_shows_every_interval_after_the_first_click():
    r = signed(settings=ResultsSettings(reveal_every_seconds=10), revealed=1, revealed_at=2000.0)
    assert release.revealed_count(r, 4, 2009.9) == 1
    assert release.revealed_count(r, 4, 2010.0) == 2
    assert release.revealed_count(r, 4, 2100.0) == 4  # never more than there are places
    assert release.revealed_count(signed(revealed=2, revealed_at=2000.0), 4, 9999.0) == 2  # by click


ROWS = [{"rank": 1, "performer": "A"}, {"rank": 2, "performer": "B"}, {"rank": 3, "performer": "C"}]
RESULTS = [result("a", 1, "9"), result("b", 2, "8"), result("c", 3, "7")]


def board(r, st=None, now=FINISHED_AT + 20):
    return release.board_fields(st or state(), r, RESULTS, ROWS, now)


def test_the_board_labels_provisional_results_and_keeps_the_ranking():
    fields = board(Release("e1"))
    assert fields["results_status"] == "provisional" and fields["results_label"] == "Provisional results"
    assert fields["ranking"] == ROWS and fields["revealed"] == [] and fields["results_message"] is None


def test_hidden_results_say_coming_soon_until_revealed_then_show_from_last_place_up():
    hide = ResultsSettings(hide_until_revealed=True)
    fields = board(Release("e1", hide))
    assert fields["ranking"] == [] and fields["results_message"] == "Results coming soon"
    fields = board(Release("e1", hide, "head@x", FINISHED_AT, "h", revealed=2, revealed_at=FINISHED_AT))
    assert [r["performer"] for r in fields["revealed"]] == ["C", "B"]
    assert [r["performer"] for r in fields["ranking"]] == ["B", "C"] and fields["results_message"] is None
    assert fields["results_status"] == "official" and fields["reveal_complete"] is False


def test_hidden_results_stay_hidden_while_live():
    fields = board(Release("e1", ResultsSettings(hide_until_revealed=True)), state(Phase.SCORING))
    assert fields["results_status"] == "live" and fields["ranking"] == []


def test_results_settings_are_checked_with_a_sentence():
    release.validate_results_settings(ResultsSettings())
    for bad, msg in [
        (ResultsSettings(outlier_distance=D(-1)), "outlier distance"),
        (ResultsSettings(protest_minutes=10_000), "protest window"),
        (ResultsSettings(reveal_every_seconds=-3), "reveal timer"),
    ]:
        with pytest.raises(Exception, match=msg):
            release.validate_results_settings(bad)


def test_the_results_hash_changes_with_any_score():
    doc = {"results": [{"rank": 1, "total": "9"}], "scores": [{"judge": "j1", "total": "9"}]}
    other = {"results": [{"rank": 1, "total": "9"}], "scores": [{"judge": "j1", "total": "9.1"}]}
    assert release.results_hash(doc) == release.results_hash(dict(reversed(list(doc.items()))))
    assert release.results_hash(doc) != release.results_hash(other)


def test_the_results_page_follows_the_boards_rule_provisional_then_official():
    view = release.results_view(state(), Release("e1"), RESULTS, FINISHED_AT + 20)
    assert view.status is ResultsStatus.PROVISIONAL and view.label == "Provisional results"
    assert view.shown == {"a", "b", "c"} and view.message is None and view.podium
    view = release.results_view(state(), signed(), RESULTS, FINISHED_AT + 20)
    assert view.status is ResultsStatus.OFFICIAL and view.label == "Official results"
    live = release.results_view(state(Phase.SCORING), Release("e1"), RESULTS, FINISHED_AT)
    assert live.status is ResultsStatus.LIVE and live.label == "" and not live.podium


def test_hidden_results_on_the_results_page_say_coming_soon_then_show_only_what_is_revealed():
    hide = ResultsSettings(hide_until_revealed=True)
    view = release.results_view(state(), Release("e1", hide), RESULTS, FINISHED_AT + 20)
    assert view.shown == set() and view.message == "Results coming soon"
    two = Release("e1", hide, "head@x", FINISHED_AT, "h", revealed=2, revealed_at=FINISHED_AT)
    view = release.results_view(state(), two, RESULTS, FINISHED_AT + 20)
    assert view.shown == {"b", "c"} and view.message is None
    assert [r.performer_id for r in view.keep(RESULTS)] == ["b", "c"]  # in result order
    fields = board(two)  # the board shows the very same rows
    assert [r["performer"] for r in fields["ranking"]] == ["B", "C"]


def test_an_official_round_is_ranked_with_the_judges_as_they_were_at_sign_off():
    from engine.domain.model import Account, Role

    then = [Account("j1@x", "J1", Role.JUDGE, D(1)), Account("j2@x", "J2", Role.JUDGE, D(2))]
    frozen = release.freeze_judges(then)
    later = [
        Account("j1@x", "J1", Role.JUDGE, D(5)),  # weight changed after sign-off
        Account("j2@x", "J2", Role.JUDGE, D(2), active=False),  # disabled after sign-off
        Account("j3@x", "J3", Role.JUDGE),  # added after sign-off
    ]
    official = signed(judges=frozen)
    assert release.judges_as_signed(official, later) == then
    assert release.judges_as_signed(Release("e1"), later) == later  # not official: as they are now
    assert release.judges_as_signed(signed(), later) == later  # signed off before weights were kept
