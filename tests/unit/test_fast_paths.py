"""The faster rankings and judge analytics give exactly what the straightforward versions gave.

The reference versions below are the engine's earlier code, kept verbatim: any difference in a total,
a rank, a tie-break's order or a deviation fails here.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D
from decimal import localcontext
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.analytics import agreement
from engine.domain import ranking, scoring
from engine.domain.model import MissingPolicy, Rule
from engine.domain.placing import FIELD_RULES
from engine.domain.scoring import _ARITH, _ONE, _ZERO, _mean, _median, _plain, _total
from tests.unit.test_ranking import JUDGES, events

# ---- the reference: the earlier code -----------------------------------------------------------


def ref_tie_key(r, tie_breaks):
    stat = {"median": r.median, "best": r.best, "worst": r.worst, "mean": r.mean}
    return (r.total, *(stat[str(t)] for t in tie_breaks))


def ref_assign_ranks(results, tie_breaks):
    keyed = [(ref_tie_key(r, tie_breaks), r) for r in results]
    keyed.sort(key=lambda kr: kr[0], reverse=True)
    ranked = []
    for i, (key, r) in enumerate(keyed):
        same = ranked and keyed[i - 1][0] == key
        ranked.append(replace(r, rank=ranked[-1].rank if same else i + 1))
    return ranked


def ref_counted(scores, panel, missing):
    judges = sorted(set(panel))
    scored = [(j, scores[j]) for j in judges if scores.get(j) is not None]
    if scored and MissingPolicy(missing) is MissingPolicy.ZERO:
        return [(j, scores[j] if scores.get(j) is not None else _ZERO) for j in judges]
    return scored


def ref_entry(pid, mine, panel, settings, factor, carried, recused):
    counted = ref_counted(mine, panel, settings.missing)
    values = [s for _, s in counted]
    scores_in = sum(1 for j in set(panel) if mine.get(j) is not None)
    needed = min(settings.min_scores, len(set(panel))) if recused else settings.min_scores
    stats = [_plain(x) for x in (_median(values), max(values), min(values), _mean(values))] if values else []
    result = ranking.PerformerResult(
        pid,
        None,
        scores_in,
        scores_in >= max(1, needed),
        None,
        *(stats or [None] * 4),
        recused=tuple(recused),
    )
    return SimpleNamespace(counted=counted, result=result, factor=factor, carried=carried)


def ref_rank_under_rules(performer_ids, scores, panel, weights, settings, rules, excluded=(), *, recused=None,
                         factors=None, carried=None):  # fmt: skip
    excluded, recused, factors, carried = set(excluded), recused or {}, factors or {}, carried or {}
    with localcontext(_ARITH):
        entries = []
        for pid in dict.fromkeys(performer_ids):
            out = sorted(set(recused.get(pid, ())) & set(panel))
            mine = {j: s for j, s in scores.get(pid, {}).items() if j not in out}
            own_panel = [j for j in panel if j not in out]
            factor, carry = D(factors.get(pid, _ONE)), D(carried.get(pid, _ZERO))
            entries.append(ref_entry(pid, mine, own_panel, settings, factor, carry, out))
        by_rule = {}
        for rule in rules:
            results = []
            for e in entries:
                raw = None
                if e.result.complete:
                    raw = _total(e.counted, weights, Rule(rule), settings.trim_min, settings.trim_count)
                ok = raw is not None
                results.append(
                    replace(e.result, total=_plain(raw * e.factor + e.carried)) if ok else e.result
                )
            ranked = ref_assign_ranks(
                [r for r in results if r.total is not None and r.performer_id not in excluded],
                settings.tie_breaks,
            )
            done = {r.performer_id for r in ranked}
            by_rule[Rule(rule)] = ranked + [r for r in results if r.performer_id not in done]
        return by_rule


def ref_judge_deviation(scores, panel):
    with localcontext(_ARITH):
        judges = list(dict.fromkeys(panel))
        gaps = {j: [] for j in judges}
        for pid in sorted(scores):
            mine = {j: s for j in sorted(judges) if (s := scores[pid].get(j)) is not None}
            if len(mine) < 2:
                continue
            total = sum(mine.values(), _ZERO)
            for j, s in mine.items():
                gaps[j].append(s - (total - s) / (len(mine) - 1))
        return {j: _plain(_mean(g)) if g else None for j, g in gaps.items()}


# ---- the comparisons ---------------------------------------------------------------------------

OWN_RULES = [r for r in Rule if r not in FIELD_RULES]  # each performer's total from their own marks
small = st.sampled_from([D("0"), D("1.5"), D("4.5"), D("6"), D("6.5"), D("7.25"), D("8"), D("10")])


@st.composite
def ranked_events(draw):
    """scoring's events, with recusals, difficulty factors and carried-over totals as well."""
    performers, scores, panel, weights, settings, excluded = draw(events())
    settings = replace(settings, trim_count=draw(st.integers(min_value=1, max_value=2)))
    if settings.rule in FIELD_RULES:  # the earlier code knew the performer's own rules alone
        settings = replace(settings, rule=draw(st.sampled_from(OWN_RULES)))
    some = st.sampled_from(performers or ["nobody"])
    recused = draw(st.dictionaries(some, st.lists(st.sampled_from(JUDGES), max_size=2), max_size=3))
    factors = draw(
        st.dictionaries(some, st.sampled_from([D("0.5"), D("1"), D("1.3"), D("2.25")]), max_size=3)
    )
    carried = draw(st.dictionaries(some, small, max_size=3))
    return performers, scores, panel, weights, settings, excluded, recused, factors, carried


@settings(max_examples=400, deadline=None)
@given(ranked_events())
def test_rank_under_rules_matches_the_earlier_ranking(event):
    performers, scores, panel, weights, settings, excluded, recused, factors, carried = event
    extra = {"recused": recused, "factors": factors, "carried": carried}
    rules = OWN_RULES
    expected = ref_rank_under_rules(performers, scores, panel, weights, settings, rules, excluded, **extra)
    actual = ranking.rank_under_rules(performers, scores, panel, weights, settings, rules, excluded, **extra)
    assert actual == expected
    for rule in rules:  # one rule at a time too, as compute_results asks
        one = replace(settings, rule=rule)
        assert (
            ranking.rank_performers(performers, scores, panel, weights, one, excluded, **extra)
            == expected[rule]
        )


@settings(max_examples=300, deadline=None)
@given(ranked_events(), st.randoms(use_true_random=False))
def test_assign_ranks_matches_the_earlier_one(event, rnd):
    performers, scores, panel, weights, settings, excluded, *_ = event
    results = ranking.rank_performers(performers, scores, panel, weights, settings, excluded)
    ranked = [replace(r, rank=None) for r in results if r.rank is not None]
    rnd.shuffle(ranked)
    assert ranking.assign_ranks(ranked, settings.tie_breaks) == ref_assign_ranks(ranked, settings.tie_breaks)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([f"p{i}" for i in range(8)]),
        st.dictionaries(
            st.sampled_from([*JUDGES, "x", "y"]), small | st.decimals(0, 10, places=3), max_size=7
        ),
        max_size=8,
    ),
    st.lists(st.sampled_from([*JUDGES, "z"]), max_size=7),
)
def test_judge_deviation_matches_the_earlier_one(scores, panel):
    assert scoring.judge_deviation(scores, panel) == ref_judge_deviation(scores, panel)


def ref_kendalls_w(scores, panel):
    """The earlier Kendall's W: each judge's doubled ranks by sorting their column."""
    from fractions import Fraction

    from engine.analytics.agreement import _doubled_ranks

    judges = sorted(set(panel))
    rows = [[by[j] for j in judges] for by in scores.values() if all(by.get(j) is not None for j in judges)]
    m, n = len(judges), len(rows)
    if m < 2 or n < 2:
        return None
    rank_sums, ties = [0] * n, 0
    for k in range(m):
        ranks, tie_term = _doubled_ranks([row[k] for row in rows])
        rank_sums = [a + b for a, b in zip(rank_sums, ranks, strict=True)]
        ties += tie_term
    denominator = m * m * (n**3 - n) - m * ties
    if denominator == 0:
        return None
    return float(Fraction(3 * sum((r - m * (n + 1)) ** 2 for r in rank_sums), denominator))


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([f"p{i}" for i in range(9)]),
        st.dictionaries(
            st.sampled_from(["a", "b", "c", "d"]),
            small | st.sampled_from([D("6.0"), D("6.00"), D("-0"), D("0.0")]) | st.decimals(0, 10, places=2),
            max_size=4,
        ),
        max_size=9,
    ),
    st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=5),
)
def test_kendalls_w_matches_the_earlier_one(scores, panel):
    assert agreement.kendalls_w(scores, panel) == ref_kendalls_w(scores, panel)


def ref_score_table(performers, scores, judges):
    """The earlier score table: a pandas pivot of the score rows."""
    import numpy as np
    import pandas as pd

    one_each = scores.drop_duplicates(["performer_id", "judge"], keep="last")
    wide = one_each.pivot(index="performer_id", columns="judge", values="value")
    wide = wide.reindex(index=performers["performer_id"], columns=judges["judge"])
    wide.columns = list(judges["judge_name"])
    wide = wide.reset_index(drop=True)
    scored = wide.notna().sum(axis=1).to_numpy()
    head = pd.DataFrame(
        {
            "Rank": performers["rank"].array,
            "Performer": performers["name"].to_numpy(),
            "Status": performers["status"].to_numpy(),
            "Scores in": [f"{n}/{len(judges)}" for n in scored],
        }
    )
    out = pd.concat([head, wide], axis=1)
    out["Total"] = performers["total"].to_numpy()
    rank = performers["rank"].astype("Float64").fillna(np.inf).to_numpy(float)
    order = np.lexsort((performers["position"].to_numpy(), rank))
    return out.iloc[order].reset_index(drop=True)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 4), st.sampled_from(["a", "b", "c", "x"]), small), max_size=25),
    st.lists(st.one_of(st.none(), st.integers(1, 3)), min_size=1, max_size=4),
)
def test_score_table_matches_the_earlier_pivot(rows, ranks):
    """Pairs scored twice (the last row counts), performers and judges not listed, unranked performers."""
    import pandas as pd
    from pandas.testing import assert_frame_equal

    from engine.analytics.analysis import score_table

    n = len(ranks)
    performers = pd.DataFrame(
        {
            "performer_id": [f"p{i}" for i in range(n)],
            "position": list(range(1, n + 1)),
            "name": [f"P{i}" for i in range(n)],
            "status": ["done"] * n,
            "total": [float(r) if r else float("nan") for r in ranks],
            "rank": pd.array(ranks, dtype="Int64"),
        }
    )
    judges = pd.DataFrame({"judge": ["a", "b", "c"], "judge_name": ["Ann", "Bob", "Cy"]})
    scores = pd.DataFrame(
        {
            "performer_id": pd.Series([f"p{p}" for p, _, _ in rows], dtype=str),
            "judge": pd.Series([j for _, j, _ in rows], dtype=str),
            "value": [float(v) for _, _, v in rows],
        }
    )
    assert_frame_equal(score_table(performers, scores, judges), ref_score_table(performers, scores, judges))


@given(
    st.lists(
        small | st.sampled_from([D("-0"), D("0.0"), D("7.0"), D("7")]) | st.decimals(-10, 10), max_size=30
    )
)
def test_score_values_become_the_floats_float_gives(values):
    import math

    from engine.analytics.analysis import _floats

    got = _floats(values).tolist()
    want = [float(v) for v in values]
    assert [(x, math.copysign(1, x)) for x in got] == [(x, math.copysign(1, x)) for x in want]


@settings(max_examples=300, deadline=None)
@given(ranked_events())
def test_totals_and_ranks_are_those_of_the_full_ranking(event):
    performers, scores, panel, weights, settings, excluded, recused, factors, carried = event
    extra = {"recused": recused, "factors": factors, "carried": carried}
    rules = OWN_RULES
    full = ref_rank_under_rules(performers, scores, panel, weights, settings, rules, excluded, **extra)
    light = ranking.totals_and_ranks_under_rules(
        performers, scores, panel, weights, settings, rules, excluded, **extra
    )
    assert light == {r: {x.performer_id: (x.total, x.rank) for x in full[r]} for r in rules}
