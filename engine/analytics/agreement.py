"""How much judges agree: Kendall's W over their rankings of the performers. Pure, exact arithmetic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from itertools import chain, groupby

import numpy as np


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
    rank_sums, ties = _doubled_rank_sums(rows)
    denominator = m * m * (n**3 - n) - m * ties
    if denominator == 0:
        return None
    # With doubled ranks R2 = 2R: S = sum((R - m(n+1)/2)^2) = sum((R2 - m(n+1))^2) / 4, all in integers.
    centre2 = m * (n + 1)
    s4 = sum((r - centre2) ** 2 for r in rank_sums)
    return float(Fraction(3 * s4, denominator))  # exact, and within [0, 1] with the tie correction


def _doubled_rank_sums(rows: Sequence[Sequence[Decimal]]) -> tuple[list[int], int]:
    """Each row's sum over the columns of _doubled_ranks, and the columns' tie terms added up: the same
    integers, from each distinct score's place among all of them (exact: Decimals compared, not floats)."""
    code = {v: k for k, v in enumerate(sorted(set(chain.from_iterable(rows))))}
    codes = np.array([[code[v] for v in row] for row in rows], dtype=np.int64)  # n x m
    n, m = codes.shape
    k = len(code)
    counts = np.bincount((codes + k * np.arange(m)).ravel(), minlength=m * k).reshape(m, k)
    below = np.cumsum(counts, axis=1) - counts  # per column: how many scores lie below each value
    column = np.arange(m)
    doubled = 2 * below[column, codes] + counts[column, codes] + 1  # n x m
    ties = sum(int(t) ** 3 - int(t) for t in counts[counts > 1].tolist())
    return [int(r) for r in doubled.sum(axis=1).tolist()], ties
