"""Judging as the sports do it, through the Service on DynamoDB Local: a gymnastics-style event with a D
sub-panel and an E sub-panel, a shadow judge and the head judge's deduction, ending in the right totals;
each rule refused in one sentence through the one score path (and at commit); the calibration cards."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal as D

import pytest

from engine.domain.accounts import token_hash
from engine.domain.model import (
    Account,
    Criterion,
    InvalidInput,
    NotAllowed,
    Phase,
    Role,
    Rule,
    ScoreRefused,
    Settings,
)
from engine.domain.roster import build_roster
from engine.store.score_commit import NOT_ON_PANEL, ScoreClaim
from tests.support.commands import shell
from tests.support.events import _HASH, PASSWORD
from tests.support.rounds import ADMIN, close_window, open_scoring

D1, D2 = "d1@test.local", "d2@test.local"
E = [f"e{i}@test.local" for i in range(1, 6)]
SHADOW = "trainee@test.local"
GYM = Settings(
    perform_seconds=10,
    score_seconds=30,
    required_judges=1,
    rule=Rule.TRIMMED_MEAN,
    trim_min=5,
    criteria=(Criterion("Difficulty", D(0), D(10), D("0.1")), Criterion("Execution", D(0), D(10), D("0.1"))),
    criteria_sum=True,
)
# Two routines: Ada's and Bo's D and E marks (the E panel's highest and lowest are dropped).
MARKS = {
    "Ada": ({D1: "5.4", D2: "5.6"}, dict(zip(E, ["8.0", "8.4", "8.5", "8.6", "9.5"], strict=True))),
    "Bo": ({D1: "5.0", D2: "5.0"}, dict(zip(E, ["8.9", "9.0", "9.1", "9.2", "7.0"], strict=True))),
}


@pytest.fixture
def gym(svc):
    """The accounts and the event in the lobby, set up as Setup or the CLI would: sub-panels, the shadow
    judge (on the E panel), the head judge (D1) and a catalogue of neutral deductions."""
    for email in (D1, D2, *E, SHADOW):
        svc.store.accounts.put(Account(email, email.split("@")[0].upper(), Role.JUDGE), _HASH)
    svc.store.accounts.put(Account(ADMIN, "Admin", Role.ADMIN), _HASH)
    svc.create_event(
        GYM, build_roster([{"name": n, "order": i} for i, n in enumerate(MARKS, 1)]), open_lobby=True
    )
    tokens = {e: svc.logins.login(e, PASSWORD).token for e in (D1, D2, *E, SHADOW, ADMIN)}
    admin = tokens[ADMIN]
    for d in (D1, D2):
        svc.panels.assign(admin, d, ["Difficulty"])
    for e in (*E, SHADOW):
        svc.panels.assign(admin, e, ["Execution"])
    svc.panels.shadow(admin, SHADOW)
    svc.panels.head(admin, D1)
    svc.panels.catalogue(
        admin, [{"name": "Out of bounds", "points": "0.1"}, {"name": "Fall", "points": "1.0"}]
    )
    return tokens


def test_a_gymnastics_event_ends_in_the_right_totals(svc, clock, gym):
    tokens = gym
    names = {}
    for name, (d_marks, e_marks) in MARKS.items():
        state = open_scoring(svc, clock)
        pid = state.performer_id
        names[name] = pid
        for judge, mark in d_marks.items():
            svc.submit_score(tokens[judge], pid, {"Difficulty": mark})
        for judge, mark in e_marks.items():
            svc.submit_score(tokens[judge], pid, {"Execution": mark})
        svc.submit_score(tokens[SHADOW], pid, {"Execution": "1.0"})  # never counted
        if name == "Ada":
            fall = svc.panels.deduct(tokens[D1], kind="Fall")  # the head judge, for the performer on stage
            assert (fall.performer_id, fall.points) == (pid, D("1.0"))
        close_window(svc, clock)
    snap = svc.snapshot()
    assert snap.state.phase is Phase.FINISHED
    totals = {r.performer_id: r.total for r in snap.results}
    # Ada: D 5.5 + E (8.4 + 8.5 + 8.6) / 3 = 8.5, less the fall: 13.0; Bo: D 5.0 + E 9.0 = 14.0.
    assert totals == {names["Ada"]: D(13), names["Bo"]: D(14)}
    assert [r.performer_id for r in snap.results] == [names["Bo"], names["Ada"]]
    assert {r.performer_id: r.scores_in for r in snap.results} == {names["Ada"]: 7, names["Bo"]: 7}
    assert SHADOW not in snap.panel and all(s.judge != SHADOW for s in snap.scores)
    assert {s.judge for s in snap.shadow_scores} == {SHADOW}
    # A free penalty by the admin after the round, before sign-off, with its reason; all in the log.
    svc.panels.deduct(tokens[ADMIN], names["Bo"], points="0.3", reason="Coach on the floor")
    assert {r.performer_id: r.total for r in svc.snapshot().results}[names["Bo"]] == D("13.7")
    logged = [e for e in svc.log.entries() if e.kind == "deduction_entered"]
    assert [(e.actor, json.loads(e.data)["points"]) for e in logged] == [(D1, "1.0"), (ADMIN, "0.3")]
    assert svc.log.verify() == []


def test_a_judge_scores_only_their_criteria_through_the_one_score_path(svc, clock, gym):
    tokens = gym
    pid = open_scoring(svc, clock).performer_id
    with pytest.raises(ScoreRefused, match=r"^You do not score Execution; your criteria are: Difficulty\.$"):
        svc.submit_score(tokens[D1], pid, {"Difficulty": "5", "Execution": "8"})
    with pytest.raises(ScoreRefused, match="You do not score Difficulty"):
        svc.submit_score(tokens[E[0]], pid, {"Difficulty": "5"})
    with pytest.raises(InvalidInput, match="Enter a score for Execution"):
        svc.submit_score(tokens[E[0]], pid, {})
    assert svc.store.scores.list(svc.event_id(), consistent=True) == []
    # The database checks the sub-panel too: a claim that skipped the process's check is refused.
    state = svc.bundle().state
    claim = ScoreClaim(
        state.event_id,
        pid,
        state.window_id,
        E[0],
        token_hash(tokens[E[0]]),
        {"Difficulty": D(5)},
        D(5),
        uuid.uuid4().hex,
        clock.now,
        subpanels=True,
    )
    with pytest.raises(ScoreRefused, match=NOT_ON_PANEL):
        svc.store.score_commits.commit(claim, None)
    svc.submit_score(tokens[E[0]], pid, {"Execution": "8.5"})
    assert [s.values for s in svc.store.scores.list(svc.event_id(), consistent=True)] == [
        {"Execution": D("8.5")}
    ]


def test_sub_panels_and_shadows_are_locked_once_started(svc, clock, gym):
    open_scoring(svc, clock)
    with pytest.raises(Exception, match="locked|started"):
        svc.panels.assign(gym[ADMIN], E[0], ["Difficulty"])
    with pytest.raises(Exception, match="locked|started"):
        svc.panels.shadow(gym[ADMIN], E[0])


def test_deductions_are_the_head_judges_and_end_at_sign_off(svc, clock, gym):
    tokens = gym
    with pytest.raises(InvalidInput, match="Nobody is on stage"):
        svc.panels.deduct(tokens[D1], kind="Fall")
    state = open_scoring(svc, clock)
    with pytest.raises(NotAllowed, match="Only the head judge or an admin can enter deductions."):
        svc.panels.deduct(tokens[E[0]], kind="Fall")
    waiting = state.order[1]
    with pytest.raises(ScoreRefused, match="has not performed yet"):
        svc.panels.deduct(tokens[D1], waiting, kind="Fall")
    with pytest.raises(InvalidInput, match="no deduction Slip"):
        svc.panels.deduct(tokens[D1], kind="Slip")
    assert svc.bundle().deductions == []
    close_window(svc, clock)
    open_scoring(svc, clock)
    close_window(svc, clock)
    svc.results.sign_off(tokens[ADMIN])
    with pytest.raises(ScoreRefused, match="official"):
        svc.panels.deduct(tokens[D1], state.performer_id, kind="Fall")


def test_calibration_cards_after_sign_off_for_the_judge_and_the_head_judge_only(svc, clock, gym):
    tokens = gym
    for _name, (d_marks, e_marks) in MARKS.items():
        pid = open_scoring(svc, clock).performer_id
        for judge, mark in {**d_marks, **e_marks}.items():
            crit = "Difficulty" if judge in d_marks else "Execution"
            svc.submit_score(tokens[judge], pid, {crit: mark})
        svc.submit_score(tokens[SHADOW], pid, {"Execution": "7.0"})
        close_window(svc, clock)
    with pytest.raises(NotAllowed, match="open once the results are official"):
        svc.panels.card(tokens[E[0]])
    svc.results.sign_off(tokens[ADMIN])
    mine = svc.panels.card(tokens[E[4]])
    # E5 gave Ada 9.5 (the E panel's median 8.5) and Bo 7.0 (median 9.0): against the panel's order.
    assert [(r.performer, r.mark, r.median, r.deviation) for r in mine.rows] == [
        ("Ada", D("9.5"), D("8.5"), D(1)),
        ("Bo", D(7), D(9), D(-2)),
    ]
    assert mine.rho == {"Execution": pytest.approx(-1)}
    with pytest.raises(NotAllowed, match="^You can open only your own calibration card.$"):
        svc.panels.card(tokens[E[4]], E[0])
    assert svc.panels.card(tokens[D1], E[4]) == mine  # the head judge
    assert svc.panels.card(tokens[ADMIN], E[4]) == mine
    shadow = svc.panels.card(tokens[SHADOW])
    assert [(r.performer, r.deviation) for r in shadow.rows] == [("Ada", D("-1.5")), ("Bo", D(-2))]


def test_the_panel_commands_from_the_shell(svc, clock):
    """`panel assign | shadow | head | catalogue | show`, then a deduction and a refused card."""
    for email in (D1, E[0], SHADOW):
        svc.store.accounts.put(Account(email, email.split("@")[0], Role.JUDGE), _HASH)
    svc.create_event(GYM, build_roster([{"name": "Ada", "order": 1}]), open_lobby=True)
    for args in (
        ("assign", D1, "--criteria", "Difficulty"),
        ("assign", E[0], "--criteria", "Execution"),
        ("assign", SHADOW, "--criteria", "Execution"),
        ("shadow", SHADOW),
        ("head", D1),
        ("catalogue", "Fall:1.0", "Out of bounds:0.1:0.3"),
    ):
        done = shell("panel", *args)
        assert done.returncode == 0, done.stderr
    shown = shell("panel", "show").stdout.splitlines()
    assert shown == [
        f"Difficulty: {D1}",
        f"Execution: {E[0]}, {SHADOW}",
        f"shadow judges: {SHADOW}; head judge: {D1}",
        "deduction Fall: 1.0",
        "deduction Out of bounds: 0.1, at most 0.3",
    ]
    refused = shell("panel", "assign", D1, "--criteria", "Balance")
    assert refused.returncode == 2
    assert refused.stderr.strip() == "There is no criterion Balance; the criteria are: Difficulty, Execution."
    open_scoring(svc, clock)
    done = shell("panel", "deduct", "--kind", "Out of bounds", "--count", "2")
    assert done.returncode == 0 and done.stdout.strip() == "Deducted 0.2 from Ada (Out of bounds)."
    over = shell("panel", "deduct", "--kind", "Out of bounds", "--count", "2")
    assert over.stderr.strip() == "Out of bounds takes at most 0.3 off a performer; 0.2 is already deducted."
    card = shell("panel", "card", "--judge", E[0])
    assert (
        card.returncode == 2
        and card.stderr.strip() == "Calibration cards open once the results are official."
    )
