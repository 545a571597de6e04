from decimal import Decimal

from engine.domain import festival
from engine.domain.festival import StageResults
from engine.domain.model import Criterion, Performer, Rule, Settings
from engine.domain.ranking import PerformerResult

D = Decimal


def result(pid, total, rank=1):
    return PerformerResult(pid, None if total is None else D(total), 3, True, rank, None, None, None, None)


SAME = Settings()


def stage(sid, rows, settings=SAME):
    performers = [Performer(pid, name, i, cat) for i, (pid, name, cat, _) in enumerate(rows, 1)]
    results = [result(pid, total, None if total is None else 1) for pid, _, _, total in rows]
    return StageResults(sid, f"Stage {sid[-1]}", settings, tuple(performers), tuple(results))


def test_a_category_judged_on_two_stages_is_ranked_across_them():
    got = festival.across_stages(
        [
            stage("s1", [("p1", "Ada", "Dance", "8.5"), ("p2", "Bo", "Music", "9")]),
            stage("s2", [("p1", "Cy", "Dance", "9.25"), ("p2", "Di", "Dance", None)]),
        ]
    )
    assert list(got) == ["Dance"]  # Music is judged on one stage only
    assert [(p.rank, p.name, p.stage, p.total) for p in got["Dance"]] == [
        (1, "Cy", "s2", D("9.25")),
        (2, "Ada", "s1", D("8.5")),
    ]  # Di has no complete total: unranked, left out


def test_equal_totals_share_a_place_unless_a_tie_break_parts_them():
    got = festival.across_stages(
        [stage("s1", [("p1", "Ada", "Dance", "9")]), stage("s2", [("p1", "Cy", "Dance", "9")])]
    )
    assert [(p.rank, p.name) for p in got["Dance"]] == [(1, "Ada"), (1, "Cy")]


def test_stages_that_score_differently_cannot_be_compared():
    other = Settings(criteria=(Criterion("Technique", D(0), D(20)),))
    assert festival.comparable([Settings(), Settings(event_name="Other night")])
    assert not festival.comparable([Settings(), other])
    assert not festival.comparable([Settings(), Settings(rule=Rule.MEDIAN)])
    got = festival.across_stages(
        [stage("s1", [("p1", "Ada", "Dance", "9")]), stage("s2", [("p1", "Cy", "Dance", "9")], other)]
    )
    assert got == {}
