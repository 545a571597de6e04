"""What a judge may see of the others (engine/views/others.py): the rule, and the rows the live feed keeps
between its builds against it. Pure, no database."""

from __future__ import annotations

import json

from engine.views import others
from engine.views.documents import encode
from engine.views.others import Others
from tests.unit.snapshots import make_snapshot

A, B, C = "ann@x.test", "bob@x.test", "cy@x.test"


def _snap():
    return make_snapshot({"p1": {A: 7, B: 8}, "p2": {B: 6}}, {A: "Ann", B: "Bob", C: "Cy"})


def test_judge_sees_others_only_where_they_scored():
    snap = _snap()
    assert others.others_for(snap, C) == []
    (row,) = others.others_for(snap, A)
    assert row == {
        "performer": "P1",
        "scores": [{"judge": "You", "total": "7.00"}, {"judge": "Bob", "total": "8.00"}],
    }
    assert len(others.others_for(snap, B)) == 2


def test_the_rows_kept_between_builds_are_what_a_judge_may_see_and_move_only_with_it():
    """Others (the rows the live feed keeps between builds) against others_for, the rule's own
    statement, as scores come in and one is revised: equal at every step, and its count moves for a judge
    exactly when what that judge may see moved."""
    a, b, c = "a@x", "b@x", "c@x"
    steps = [
        {"p1": {a: 7}, "p2": {}},
        {"p1": {a: 7, b: 8}, "p2": {}},
        {"p1": {a: 7, b: 8}, "p2": {b: 9}},
        {"p1": {a: 7, b: 8}, "p2": {b: 9, c: 5}},
        {"p1": {a: 6, b: 8}, "p2": {b: 9, c: 5}},
    ]
    kept = Others()
    seen: dict[str, tuple[list, int]] = {}
    for rows in steps:
        snap = make_snapshot(rows, {a: "Ann", b: "Bob", c: "Cy"})
        out = kept.of(snap, [a, b, c])
        for j in (a, b, c):
            expected = others.others_for(snap, j)
            assert out[j][0] == expected
            if j in seen:
                moved = out[j][1] != seen[j][1]
                assert moved == (expected != seen[j][0]), (rows, j)
            seen[j] = (expected, out[j][1])
        for j in (a, b, c):
            assert json.loads(kept.encoded(j)) == json.loads(encode(others.others_for(snap, j)))
