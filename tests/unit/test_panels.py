"""Sub-panels and shadow judges (engine/domain/panels.py) and how the ranking aggregates each criterion
over its own panel (engine/domain/ranking.py, engine/domain/snapshot.py)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from engine.domain import panels, ranking, scoring
from engine.domain.model import (
    Account,
    Criterion,
    InvalidInput,
    Performer,
    Role,
    Rule,
    Score,
    ScoreRefused,
    Settings,
)
from engine.domain.settings import parse_criteria, validate_settings
from engine.domain.snapshot import compute_results, panel_of
from engine.store import codec

D_PANEL = ("d1@x", "d2@x")
E_PANEL = ("e1@x", "e2@x", "e3@x", "e4@x", "e5@x")
GYM = Settings(
    rule=Rule.TRIMMED_MEAN,
    trim_min=5,
    criteria=(
        Criterion("Difficulty", D(0), D(10), D("0.1"), D(1), D_PANEL),
        Criterion("Execution", D(0), D(10), D("0.1"), D(1), E_PANEL),
    ),
    criteria_sum=True,
    required_judges=1,
)


def score(performer: str, judge: str, **values: str) -> Score:
    vals = {k: D(v) for k, v in values.items()}
    total = scoring.judge_total(vals, [Criterion(k) for k in vals])
    return Score("ev", performer, judge, vals, total, 1, 0, 0, 1)


def test_a_criterion_with_no_sub_panel_is_every_judges():
    criteria = (Criterion("Music"), Criterion("Singing", judges=("s@x",)))
    assert [c.name for c in panels.criteria_for(criteria, "s@x")] == ["Music", "Singing"]
    assert [c.name for c in panels.criteria_for(criteria, "m@x")] == ["Music"]
    assert panels.criterion_panel(criteria[1], ["m@x", "s@x"]) == ["s@x"]
    assert not panels.split((Criterion(),))


def test_a_judge_may_not_score_another_sub_panels_criterion():
    with pytest.raises(ScoreRefused, match="You do not score Difficulty; your criteria are: Execution."):
        panels.check_assigned({"Difficulty": "5", "Execution": "8"}, GYM.criteria, "e1@x")
    assert [c.name for c in panels.check_assigned({"Execution": "8"}, GYM.criteria, "e1@x")] == ["Execution"]
    with pytest.raises(ScoreRefused, match="no criterion's panel"):
        panels.check_assigned({}, GYM.criteria, "stranger@x")


def test_a_judge_must_still_score_each_of_their_criteria():
    mine = panels.check_assigned({}, GYM.criteria, "d1@x")
    with pytest.raises(InvalidInput, match="Enter a score for Difficulty"):
        scoring.validated_score({}, mine, GYM.criteria_sum)


def test_summed_criteria_add_up_weighted():
    criteria = (Criterion("Technique", weight=D(2)), Criterion("Style"))
    values = {"Technique": D(7), "Style": D(5)}
    assert scoring.judge_total(values, criteria, summed=True) == D(19)
    assert scoring.judge_total(values, criteria) == D(19) / 3


def test_assign_puts_a_judge_on_exactly_the_criteria_named():
    criteria = (Criterion("A", judges=("x@x",)), Criterion("B"), Criterion("C", judges=("y@x",)))
    after = panels.assign(criteria, "y@x", ["A", "B"])
    assert [c.judges for c in after] == [("x@x", "y@x"), ("y@x",), ()]  # C's last judge left: every judge
    assert panels.assign(after, "y@x", None)[0].judges == ("x@x",)
    with pytest.raises(InvalidInput, match="There is no criterion Z"):
        panels.assign(criteria, "y@x", ["Z"])


def test_setup_form_rows_carry_a_sub_panel():
    rows = [{"name": "D", "min": 0, "max": 10, "step": "0.1", "weight": 1, "judges": " D1@x, d2@x ,"}]
    assert parse_criteria(rows)[0].judges == ("d1@x", "d2@x")
    rows[0]["judges"] = ""
    assert parse_criteria(rows)[0].judges == ()


def test_settings_refuse_a_sub_panel_of_shadows_only_and_round_trip():
    with pytest.raises(InvalidInput, match="only shadow judges"):
        validate_settings(GYM.with_changes(shadows=D_PANEL))
    with pytest.raises(InvalidInput, match="each once"):
        validate_settings(GYM.with_changes(shadows=("s@x", "s@x")))
    again = codec.settings_from_json(codec.settings_to_json(GYM.with_changes(shadows=("s@x",))))
    assert again == GYM.with_changes(shadows=("s@x",))
    # Settings saved before sub-panels existed read as every judge on every criterion.
    assert codec.settings_from_json(codec.settings_to_json(Settings())) == Settings()


def gym_scores(performer: str, d: list[str], e: list[str]) -> list[Score]:
    return [score(performer, j, Difficulty=v) for j, v in zip(D_PANEL, d, strict=True)] + [
        score(performer, j, Execution=v) for j, v in zip(E_PANEL, e, strict=True)
    ]


def judges(*emails: str) -> list[Account]:
    return [Account(e, e, Role.JUDGE) for e in emails]


def test_each_criterion_is_aggregated_over_its_own_panel_then_added():
    """D: two judges, fewer than trim_min, so their mean (5.4, 5.6 -> 5.5); E: five judges, the highest
    and lowest dropped (8.0 8.4 8.5 8.6 9.5 -> 8.5); 5.5 + 8.5 = 14."""
    performers = [Performer("p", "P", 1)]
    scores = gym_scores("p", ["5.4", "5.6"], ["8.0", "8.4", "8.5", "8.6", "9.5"])
    (result,) = compute_results(GYM, performers, scores, judges(*D_PANEL, *E_PANEL))
    assert result.total == D(14)
    assert result.complete and result.rank == 1


def test_a_criterion_short_of_its_minimum_leaves_the_performer_incomplete():
    performers = [Performer("p", "P", 1)]
    settings = GYM.with_changes(min_scores=3)  # the D panel of two is complete at two
    scores = gym_scores("p", ["5.4", "5.6"], ["8.0", "8.4", "8.5", "8.6", "9.5"])
    (done,) = compute_results(settings, performers, scores, judges(*D_PANEL, *E_PANEL))
    assert done.complete
    (short,) = compute_results(settings, performers, scores[:1] + scores[2:], judges(*D_PANEL, *E_PANEL))
    assert not short.complete and short.total is None


def test_a_recused_judge_leaves_only_their_criterions_panel():
    performers = [Performer("p", "P", 1)]
    scores = gym_scores("p", ["5.4", "5.6"], ["8.0", "8.4", "8.5", "8.6", "9.5"])
    kept = [s for s in scores if s.judge != "d2@x"]
    (result,) = compute_results(GYM, performers, kept, judges(*D_PANEL, *E_PANEL), conflicts={"p": ["d2@x"]})
    assert result.complete and result.total == D("5.4") + D("8.5")
    assert result.recused == ("d2@x",)


def test_weighted_mean_of_criteria_when_not_summed():
    settings = GYM.with_changes(criteria_sum=False, rule=Rule.MEAN)
    scores = gym_scores("p", ["4", "6"], ["8", "8", "8", "8", "8"])
    (result,) = compute_results(settings, [Performer("p", "P", 1)], scores, judges(*D_PANEL, *E_PANEL))
    assert result.total == D("6.5")


def test_events_without_sub_panels_rank_as_before():
    """Today's rule: the judges' totals aggregated as one (a median of criteria-weighted means differs
    from the mean of per-criterion medians, so the two paths can be told apart)."""
    settings = Settings(rule=Rule.MEDIAN, criteria=(Criterion("A"), Criterion("B")))
    rows = [score("p", "a", A="1", B="9"), score("p", "b", A="5", B="5"), score("p", "c", A="9", B="2")]
    (result,) = compute_results(settings, [Performer("p", "P", 1)], rows, judges("a", "b", "c"))
    assert result.total == D(5)  # median of 5, 5, 5.5; per criterion it would be (5 + 5) / 2 = 5 too
    rows[2] = score("p", "c", A="9", B="8")
    (result,) = compute_results(settings, [Performer("p", "P", 1)], rows, judges("a", "b", "c"))
    assert result.total == D(5)  # judge totals 5, 5, 8.5: median 5 (per criterion: (5 + 8) / 2 = 6.5)


# ---- shadow judges ----------------------------------------------------------------------------------
def test_a_shadow_judges_score_never_counts():
    settings = Settings(rule=Rule.MEAN, shadows=("s@x",), required_judges=1)
    rows = [score("p", "a", Score="8"), score("p", "s", Score="2")]
    rows[1] = Score("ev", "p", "s@x", {"Score": D(2)}, D(2), 1, 0, 0, 1)
    accounts = judges("a", "s@x")
    (result,) = compute_results(settings, [Performer("p", "P", 1)], rows, accounts)
    assert result.total == D(8) and result.scores_in == 1
    assert panel_of(accounts, rows, settings.shadows) == ["a"]
    assert panels.counted(rows, settings) == rows[:1]
    assert panels.shadowed(rows, settings) == rows[1:]


def test_missing_scores_are_reported_per_performer_and_criterion():
    """Which judge is missing which criterion for which performer, over each criterion's own panel: a
    judge who stepped aside for a performer is not missing, but listed apart under their criterion."""
    panel = [*D_PANEL, *E_PANEL]
    scored = {"p": {"d1@x", "e1@x", "e2@x"}, "q": {*D_PANEL, *E_PANEL[:4]}, "r": set(panel)}
    report = panels.missing_report(GYM.criteria, panel, ["p", "q", "r"], scored, {"p": {"e3@x"}})
    assert report == [
        panels.Missing("p", "Difficulty", ("d2@x",)),
        panels.Missing("p", "Execution", ("e4@x", "e5@x"), ("e3@x",)),
        panels.Missing("q", "Execution", ("e5@x",)),
    ]
    # A whole sub-panel stepped aside: nobody is missing, and the line says why the criterion is empty.
    aside = panels.missing_report(GYM.criteria, panel, ["r"], {"r": set(E_PANEL)}, {"r": set(D_PANEL)})
    assert aside == [panels.Missing("r", "Difficulty", (), D_PANEL)]


def test_without_sub_panels_a_judge_missing_misses_the_whole_score():
    settings = Settings(criteria=(Criterion("A"), Criterion("B")))
    report = panels.missing_report(settings.criteria, ["c", "a", "b"], ["p"], {"p": {"a"}}, {"p": {"b"}})
    assert report == [panels.Missing("p", "", ("c",), ("b",))]
    assert panels.missing_report(settings.criteria, ["a"], ["p"], {"p": {"a"}}, {}) == []


def test_deductions_come_off_after_aggregation_and_difficulty():
    results = ranking.rank_performers(
        ["p", "q"],
        {"p": {"a": D(8)}, "q": {"a": D(7)}},
        ["a"],
        {},
        Settings(rule=Rule.MEAN),
        factors={"p": D(2)},
        deducted={"p": D("9.5")},
    )
    assert {r.performer_id: r.total for r in results} == {"p": D("6.5"), "q": D(7)}
    assert [r.performer_id for r in results] == ["q", "p"]
