"""The head judge's deductions (engine/domain/deductions.py) and the judges' calibration cards
(engine/domain/calibration.py): pure rules."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal as D

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.domain import calibration, deductions, publicity
from engine.domain.deductions import Deduction
from engine.domain.model import (
    Criterion,
    DeductionKind,
    EventState,
    InvalidInput,
    Performer,
    PerformerStatus,
    Phase,
    Role,
    Score,
    ScoreRefused,
    Settings,
)
from engine.domain.release import Release
from engine.domain.snapshot import compute_results
from engine.views import documents, exports, results
from tests.unit.snapshots import make_snapshot

CHEER = Settings(
    deductions=(DeductionKind("Fall", D("0.25"), D("1.75")), DeductionKind("Building fall", D("0.75"))),
    head_judge="head@x",
)


def entry(pid: str, kind: str, points: str, n: int = 1, at: float = 0.0) -> Deduction:
    return Deduction(f"{pid}-{kind}-{at}", pid, kind, D(points), kind or "late", "head@x", at, n)


# ---- the catalogue ------------------------------------------------------------------------------------
def test_catalogue_rows_from_setup():
    rows = [
        {"name": "Fall", "points": "0.25", "cap": "1.75"},
        {"name": "Building fall", "points": 0.75, "cap": None},
        {"name": "", "points": "", "cap": ""},
    ]
    assert deductions.parse_catalogue(rows) == CHEER.deductions
    with pytest.raises(InvalidInput, match="Fall: points must be above 0"):
        deductions.parse_catalogue([{"name": "Fall", "points": "-1"}])
    with pytest.raises(InvalidInput, match="its cap"):
        deductions.parse_catalogue([{"name": "Fall", "points": "1", "cap": "0.5"}])
    with pytest.raises(InvalidInput, match="distinct name"):
        deductions.parse_catalogue([{"name": "Fall", "points": "1"}, {"name": "Fall", "points": "2"}])


# ---- who, for whom -----------------------------------------------------------------------------------
def test_only_the_head_judge_or_an_admin_enters_deductions():
    assert deductions.may_enter(CHEER, "head@x", Role.JUDGE)
    assert deductions.may_enter(CHEER, "anyone@x", Role.ADMIN)
    assert not deductions.may_enter(CHEER, "judge@x", Role.JUDGE)
    assert not deductions.may_enter(Settings(), "", Role.JUDGE)  # no head judge named: nobody's email


def test_a_deduction_is_for_a_performer_who_has_performed_until_sign_off():
    waiting = Performer("p", "Ada", 1)
    with pytest.raises(ScoreRefused, match="Ada has not performed yet."):
        deductions.check_performer(waiting, signed_off=False)
    on_stage = Performer("p", "Ada", 1, status=PerformerStatus.PERFORMING)
    deductions.check_performer(on_stage, signed_off=False)
    with pytest.raises(ScoreRefused, match="official"):
        deductions.check_performer(on_stage, signed_off=True)


# ---- an entry ------------------------------------------------------------------------------------------
def test_an_entry_of_the_catalogue_and_a_free_penalty():
    assert deductions.entry_for(CHEER, "Fall", "3") == ("Fall", D("0.75"), "Fall", 3)
    assert deductions.entry_for(CHEER, None, points="0.5", reason=" Over time ") == (
        "",
        D("0.5"),
        "Over time",
        1,
    )
    with pytest.raises(InvalidInput, match="no deduction Slip"):
        deductions.entry_for(CHEER, "Slip")
    with pytest.raises(InvalidInput, match="whole number from 1 to 20"):
        deductions.entry_for(CHEER, "Fall", "1.5")
    with pytest.raises(InvalidInput, match="needs a reason"):
        deductions.entry_for(CHEER, None, points="1", reason="  ")
    with pytest.raises(InvalidInput, match="must be above 0"):
        deductions.entry_for(CHEER, None, points="nan", reason="x")


def test_an_entry_past_the_cap_is_refused():
    entries = [entry("p", "Fall", "1.50", 6)]
    deductions.check_cap(CHEER, entries, "p", "Fall", D("0.25"))
    with pytest.raises(
        InvalidInput, match=r"Fall takes at most 1.75 off a performer; 1.50 is already deducted."
    ):
        deductions.check_cap(CHEER, entries, "p", "Fall", D("0.50"))
    deductions.check_cap(CHEER, entries, "q", "Fall", D("0.50"))  # another performer's cap


def test_what_comes_off_each_kind_capped_penalties_added():
    """Cheer's rule: 0.25 per athlete fall, at most 1.75 per group: eight falls take 1.75 off, not 2."""
    entries = [
        entry("p", "Fall", "1.00", 4, 1),
        entry("p", "Fall", "1.00", 4, 2),
        entry("p", "", "0.5", at=3),
    ]
    entries.append(entry("p", "Building fall", "1.50", 2, 4))
    assert deductions.off(CHEER, entries) == {"p": D("1.75") + D("0.5") + D("1.50")}
    lines = deductions.lines(CHEER, entries, "p")
    assert lines[0] == "Fall ×4: −1.00" and lines[2] == "Penalty (late): −0.5"
    assert lines[-1] == "(capped: −3.75 in all)"


# ---- withdrawing one entered by mistake -----------------------------------------------------------------
def test_a_deduction_is_withdrawn_until_sign_off():
    entries = [entry("p", "Fall", "0.50", 2, 1), entry("p", "", "0.3", at=2)]
    assert deductions.check_withdraw(entries, entries[0].entry_id, signed_off=False) == entries[0]
    with pytest.raises(
        ScoreRefused, match=r"^The results are official, so a deduction can no longer be withdrawn\.$"
    ):
        deductions.check_withdraw(entries, entries[0].entry_id, signed_off=True)
    with pytest.raises(InvalidInput, match="no deduction nope to withdraw; it may be withdrawn already"):
        deductions.check_withdraw(entries, "nope", signed_off=False)
    # Once withdrawn (no longer read with the state), what comes off is the rest.
    assert deductions.off(CHEER, entries[1:]) == {"p": D("0.3")}
    assert deductions.label(entries[0], "Ada") == "Ada — Fall ×2: −0.50 (head@x)"
    assert deductions.label(entries[1], "Ada") == "Ada — Penalty (late): −0.3 (head@x)"


# ---- calibration cards ------------------------------------------------------------------------------------
def test_spearman_on_a_worked_example():
    """Ranks 1 2 3 4 5 against 1 3 2 5 4: d = 0, -1, 1, -1, 1, so the sum of d² is 4 and with no ties
    rho = 1 - 6 × 4 / (5 × (25 - 1)) = 0.8."""
    assert calibration.spearman([10, 20, 30, 40, 50], [1, 3, 2, 5, 4]) == pytest.approx(0.8)
    assert calibration.spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1)
    assert calibration.spearman([1, 1, 1], [1, 2, 3]) is None
    assert calibration.spearman([1], [1]) is None


@given(st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10)), min_size=2, max_size=12))
def test_spearman_matches_pearson_of_pandas_ranks_with_ties(pairs):
    xs, ys = [float(a) for a, _ in pairs], [float(b) for _, b in pairs]
    # pandas' average ranks, then Pearson's correlation of them: Spearman's rho with ties
    expected = pd.Series(xs).rank().corr(pd.Series(ys).rank())
    got = calibration.spearman(xs, ys)
    if pd.isna(expected):
        assert got is None
    else:
        assert got == pytest.approx(expected)


def score(pid: str, judge: str, total: str, **values: str) -> Score:
    vals = {k: D(v) for k, v in values.items()} or {"Score": D(total)}
    return Score("ev", pid, judge, vals, D(total), 1, 0, 0, 1)


PERFORMERS = [Performer(p, p.upper(), i) for i, p in enumerate(["a", "b", "c"], 1)]


def test_a_card_has_the_judges_mark_the_panels_median_and_the_deviation():
    counted = [
        score("a", "j1", "9"), score("a", "j2", "8"), score("a", "j3", "7"),
        score("b", "j1", "5"), score("b", "j2", "6"), score("b", "j3", "6"),
        score("c", "j1", "7"), score("c", "j2", "4"), score("c", "j3", "5"),
    ]  # fmt: skip
    card = calibration.card(Settings(), "j1", PERFORMERS, counted, counted, ["j1", "j2", "j3"])
    assert [(r.performer, r.mark, r.median, r.deviation) for r in card.rows] == [
        ("A", D(9), D(8), D(1)),
        ("B", D(5), D(6), D(-1)),
        ("C", D(7), D(5), D(2)),
    ]
    assert card.rho == {"Total": pytest.approx(0.5)}  # ranks 3,1,2 against 3,2,1


def test_a_shadow_judges_card_compares_them_with_the_panel_that_counts():
    counted = [score("a", "j1", "8"), score("b", "j1", "6"), score("c", "j1", "4")]
    shadow = [score("a", "s", "7"), score("b", "s", "9"), score("c", "s", "3")]
    card = calibration.card(Settings(shadows=("s",)), "s", PERFORMERS, counted, shadow, ["j1"])
    assert [r.deviation for r in card.rows] == [D(-1), D(3), D(-1)]
    assert card.rho["Total"] == pytest.approx(0.5)


def test_with_sub_panels_a_card_goes_criterion_by_criterion():
    settings = Settings(criteria=(Criterion("D", judges=("d1", "d2")), Criterion("E", judges=("e1",))))
    counted = [score("a", "d1", "5", D="5"), score("a", "d2", "6", D="6"), score("a", "e1", "8", E="8")]
    card = calibration.card(settings, "d1", PERFORMERS, counted, counted, ["d1", "d2", "e1"])
    assert [(r.criterion, r.mark, r.median) for r in card.rows] == [("D", D(5), D("5.5"))]
    assert card.rho == {"D": None}


def test_who_may_open_a_card():
    settings = Settings(head_judge="head@x")
    assert calibration.may_open(settings, "j@x", Role.JUDGE, "j@x")
    assert calibration.may_open(settings, "head@x", Role.JUDGE, "j@x")
    assert calibration.may_open(settings, "admin@x", Role.ADMIN, "j@x")
    assert not calibration.may_open(settings, "k@x", Role.JUDGE, "j@x")
    assert not calibration.may_open(Settings(), "", Role.JUDGE, "j@x")


# ---- what the board, the exports and the sheets show ---------------------------------------------------
def with_fall(phase=None):
    snap = make_snapshot({"a": {"j1@x": 8, "j2@x": 6}, "b": {"j1@x": 7, "j2@x": 6}}, settings=CHEER)
    falls = [entry("a", "Fall", "0.50", 2)]
    if phase is Phase.SCORING:  # performer a's window still open
        snap = replace(snap, state=EventState("e1", Phase.SCORING, ("a", "b"), 0, version=3))
    results = compute_results(snap.settings, snap.performers, snap.scores, snap.judges, deductions=falls)
    return replace(snap, deductions=falls, results=results)


def test_the_board_the_exports_and_the_sheet_show_a_deduction():
    snap = with_fall()
    rows = {r["performer"]: r for r in documents.ranking(snap)["ranking"]}
    assert (rows["A"]["total"], rows["A"]["deducted"]) == ("6.50", "0.50")
    assert (rows["B"]["total"], rows["B"]["deducted"]) == ("6.50", "")
    doc = json.loads(exports.to_json(snap))
    assert {r["performer"]: r["deducted"] for r in doc["results"]} == {"A": "0.50", "B": None}
    assert doc["deductions"][0] | {"by": "", "at": 0} == {
        "performer_id": "a", "performer": "A", "deduction": "Fall", "count": 2, "points": "0.50",
        "reason": "Fall", "by": "", "at": 0,
    }  # fmt: skip
    assert results.results_document(snap)["deductions"] == doc["deductions"]
    assert results.sheet(snap, Release("e1"), "a").deductions == ("Fall ×2: −0.50",)


def test_a_deduction_is_held_back_with_the_scores_while_the_window_is_open():
    public = publicity.public_view(with_fall(Phase.SCORING))
    assert public.deductions == [] and public.deducted == {}
    rows = {r["performer"]: r for r in documents.ranking(public)["ranking"]}
    assert rows["A"]["deducted"] == "" and rows["A"]["held"]
