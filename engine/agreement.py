"""How much judges agree: Kendall's W over their rankings of the performers. Pure, exact arithmetic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import groupby


def _doubled_ranks(values: Sequence[Decimal]) -> tuple[list[int], int]:
    """Twice the ranks 1..n, ties given their average (so every rank stays an integer), and the tie
    term sum(t^3 - t)."""
    ranks = [0] * len(values)
    order = sorted(range(len(values)), key=values.__getitem__)
    start, tie_term = 0, 0
    for _, group in groupby(order, key=values.__getitem__):
        members = list(group)
        t = len(members)
        for k in members:
            ranks[k] = 2 * start + t + 1
        start += t
        tie_term += t**3 - t
    return ranks, tie_term


def kendalls_w(scores: Mapping[str, Mapping[str, Decimal]], panel: Sequence[str]) -> float | None:
    judges = sorted(set(panel))
    rows = [
        [by_judge[j] for j in judges]
        for by_judge in scores.values()
        if all(by_judge.get(j) is not None for j in judges)
    ]
    m, n = len(judges), len(rows)
    if m < 2 or n < 2:
        return None
    rank_sums = [0] * n
    ties = 0
    for k in range(m):
        ranks, tie_term = _doubled_ranks([row[k] for row in rows])
        rank_sums = [a + b for a, b in zip(rank_sums, ranks, strict=True)]
        ties += tie_term
    denominator = m * m * (n**3 - n) - m * ties
    if denominator == 0:
        return None
    # With doubled ranks R2 = 2R: S = sum((R - m(n+1)/2)^2) = sum((R2 - m(n+1))^2) / 4, all in integers.
    centre2 = m * (n + 1)
    s4 = sum((r - centre2) ** 2 for r in rank_sums)
    return float(Fraction(3 * s4, denominator))  # exact, and within [0, 1] with the tie correction
