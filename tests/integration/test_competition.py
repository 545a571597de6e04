"""A competition on DynamoDB Local: conflicts refused at commit, order changes, rounds with advancement."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.domain import rules
from engine.domain.accounts import token_hash
from engine.domain.model import (
    Command,
    CommandKind,
    CommandRefused,
    InvalidInput,
    PerformerStatus,
    Phase,
    ScoreRefused,
    StagescoreError,
)
from engine.service.competition import Competition
from engine.store import codec
from engine.store.score_commit import ScoreClaim
from engine.views import exports
from tests.support.events import seed_event

ADMIN = "admin@test.local"
J1, J2, J3 = (f"judge{i}@test.local" for i in (1, 2, 3))
ROSTER = [
    {"name": "Ada", "order": 1, "category": "Dance"},
    {"name": "Bo", "order": 2, "category": "Music"},
    {"name": "Cy", "order": 3, "category": "Dance"},
    {"name": "Di", "order": 4, "category": "Music"},
]


@pytest.fixture
def event(svc, clock):
    tokens = seed_event(svc, judges=3, performers=1)
    svc.set_roster(tokens[ADMIN], ROSTER)
    return tokens


def pid_of(svc, name):
    return next(p.performer_id for p in svc.store.performers.list(svc.event_id()) if p.name == name)


def step_timer(svc, clock):
    """Move the clock to the deadline and write what the engine would."""
    b = svc.bundle()
    clock.now = b.state.deadline
    for step in rules.due_steps(b.state, b.settings, clock.now, 0):
        svc.store.events.write_step(b.state.version, step, "test", step.at)
        b.state = step.state


def play(svc, clock, tokens, marks, until=None):
    """Run the round: marks[name][judge] is what each judge gives (absent: no score)."""
    svc.command(tokens[ADMIN], Command(CommandKind.START, force=True))
    while (state := svc.bundle().state).phase is not Phase.FINISHED:
        name = svc.snapshot().performer_name(state.performer_id)
        if until == (name, state.phase):
            return
        if state.phase is Phase.SCORING:
            for judge, value in marks.get(name, {}).items():
                svc.submit_score(tokens[judge], state.performer_id, {"Score": str(value)})
        step_timer(svc, clock)


def db_state(svc) -> tuple:
    """Everything a refused input could have changed."""
    eid = svc.event_id()
    entries, heads = svc.store.log.entries(eid)
    return (
        eid,
        codec.state_to_item(svc.bundle().state),
        [(p.performer_id, p.order, p.status) for p in svc.store.performers.list(eid)],
        sorted(svc.store.scores.list(eid, consistent=True), key=lambda s: (s.performer_id, s.judge)),
        svc.store.conflicts.list(eid),
        len(svc.store.events.all()),
        len(entries),
        heads,
    )


def one_sentence(e: BaseException) -> str:
    text = str(e)
    assert text[0].isupper() and text.endswith(".") and "\n" not in text, text
    return text


MARKS = {
    "Ada": {J1: 9, J2: 8, J3: 7},
    "Bo": {J1: 5, J2: 6, J3: 7},
    "Cy": {J1: 6, J2: 6, J3: 6},
    "Di": {J1: 8, J2: 8, J3: 8},
}


# ---- conflicts -----------------------------------------------------------------------------------
def test_the_recused_judge_is_refused_at_commit_and_left_out_of_the_total(svc, clock, event):
    desk = Competition(svc)
    desk.add_conflict(event[ADMIN], J1, "Bo")
    play(svc, clock, event, MARKS, until=("Bo", Phase.SCORING))
    state = svc.bundle().state
    with pytest.raises(ScoreRefused, match=r"^You have stepped aside for this performer\.$"):
        svc.submit_score(event[J1], state.performer_id, {"Score": "9"})
    # The database decides, not the process: straight to the store with an open window.
    with pytest.raises(ScoreRefused, match="stepped aside"):
        svc.store.score_commits.commit(ScoreClaim(
            state.event_id, state.performer_id, state.window_id, J1, token_hash(event[J1]),
            {"Score": Decimal(9)}, Decimal(9), "r-direct", clock.now,
        ), None)  # fmt: skip
    for judge in (J2, J3):
        svc.submit_score(event[judge], state.performer_id, {"Score": "6"})
    step_timer(svc, clock)
    snap = svc.snapshot()
    bo = next(r for r in snap.results if r.performer_id == pid_of(svc, "Bo"))
    assert bo.total == Decimal(6) and bo.recused == (J1,) and bo.complete
    doc = exports.public_board(snap, clock.now)
    row = next(r for r in doc["ranking"] if r["performer"] == "Bo")
    assert row["recused"] == ["Judge 1"]
    assert doc["judge_names"] == ["Judge 1", "Judge 2", "Judge 3"]
    assert row["judges"][0] == "recused"


def test_a_conflict_for_a_performer_the_judge_already_scored_is_refused(svc, clock, event):
    play(svc, clock, event, MARKS, until=("Bo", Phase.PERFORMING))
    before = db_state(svc)
    with pytest.raises(CommandRefused) as e:
        Competition(svc).add_conflict(event[ADMIN], J1, "Ada")
    assert "already scored" in one_sentence(e.value)
    assert db_state(svc) == before


def test_the_admin_declares_before_the_stage_and_the_judge_before_the_window(svc, clock, event):
    desk = Competition(svc)
    play(svc, clock, event, MARKS, until=("Ada", Phase.PERFORMING))
    with pytest.raises(CommandRefused, match="on stage or done"):
        desk.add_conflict(event[ADMIN], J2, "Ada")
    desk.step_aside(event[J2], pid_of(svc, "Ada"))  # still performing: the judge may step aside
    step_timer(svc, clock)  # scoring opens
    with pytest.raises(CommandRefused, match="on stage or done"):
        desk.step_aside(event[J3], pid_of(svc, "Ada"))
    assert svc.store.conflicts.list(svc.event_id()) == {pid_of(svc, "Ada"): (J2,)}
    kinds = [e.kind for e in svc.log.entries()]
    assert "conflict_declared" in kinds


@pytest.mark.parametrize(
    ("email", "name", "sentence"),
    [
        ("nobody@test.local", "Bo", "There is no judge with the email nobody@test.local."),
        (ADMIN, "Bo", f"There is no judge with the email {ADMIN}."),
        (J1, "Zed", "There is no performer called 'Zed'."),
    ],
)
def test_a_conflict_for_an_unknown_judge_or_performer_changes_nothing(svc, event, email, name, sentence):
    before = db_state(svc)
    with pytest.raises(StagescoreError) as e:
        Competition(svc).add_conflict(event[ADMIN], email, name)
    assert one_sentence(e.value) == sentence
    assert db_state(svc) == before


def test_removing_a_conflict_lets_the_judge_score_again(svc, clock, event):
    desk = Competition(svc)
    desk.add_conflict(event[ADMIN], J1, "Ada")
    desk.remove_conflict(event[ADMIN], J1, "Ada")
    play(svc, clock, event, MARKS, until=("Ada", Phase.SCORING))
    score, _ = svc.submit_score(event[J1], pid_of(svc, "Ada"), {"Score": "7"})
    assert score.total == Decimal(7)
    with pytest.raises(CommandRefused, match="no such conflict"):
        desk.remove_conflict(event[ADMIN], J1, "Bo")


def test_a_reset_carries_the_declared_conflicts_over_with_the_roster(svc, clock, event):
    desk = Competition(svc)
    desk.add_conflict(event[ADMIN], J1, "Bo")
    desk.add_conflict(event[ADMIN], J2, "Cy")
    old = svc.event_id()
    play(svc, clock, event, MARKS, until=("Bo", Phase.PERFORMING))
    new = svc.command(event[ADMIN], Command(CommandKind.RESET))
    assert svc.store.conflicts.list(new.event_id) == svc.store.conflicts.list(old)
    assert svc.store.conflicts.list(new.event_id) == {pid_of(svc, "Bo"): (J1,), pid_of(svc, "Cy"): (J2,)}
    carried = {(c["judge"], c["performer"], c["declared_by"]) for c in desk.conflicts()}
    assert carried == {(J1, "Bo", ADMIN), (J2, "Cy", ADMIN)}
    created = next(e for e in svc.log.entries() if e.kind == "event_created").payload()
    assert created["conflicts_carried"] == 2 and created["previous"] == old
    # The new event's database refuses the recused judge as the old one did.
    play(svc, clock, event, MARKS, until=("Bo", Phase.SCORING))
    with pytest.raises(ScoreRefused, match="stepped aside"):
        svc.submit_score(event[J1], pid_of(svc, "Bo"), {"Score": "9"})
    assert svc.store.conflicts.list(old) == {pid_of(svc, "Bo"): (J1,), pid_of(svc, "Cy"): (J2,)}


def test_the_live_feed_shows_the_conflicts_and_the_round_without_a_version_change(svc, clock, event):
    from engine.service.feed import BESIDES_SECONDS, Feed
    from engine.views import documents

    feed = Feed(svc.store, clock)
    feed.read()
    desk = Competition(svc)
    desk.add_conflict(event[ADMIN], J1, "Bo")
    desk.name_round(event[ADMIN], "Heats")
    clock.advance(BESIDES_SECONDS)
    snap = feed.read().snapshot
    assert snap.recused_for(pid_of(svc, "Bo")) == (J1,) and snap.round.name == "Heats"
    marks = {**MARKS, "Bo": {J2: 6, J3: 7}}
    play(svc, clock, event, marks, until=("Cy", Phase.PERFORMING))
    snap = feed.read().snapshot
    doc = documents.public_doc(snap, clock.now, documents.ranking(snap))
    bo = next(r for r in doc["ranking"] if r["performer"] == "Bo")
    assert bo["judges"][0] == "recused" and bo["recused"] == ["Judge 1"] and bo["panel"] == 2
    assert doc["round"]["name"] == "Heats"


def test_the_start_counts_only_the_judges_who_may_score_the_first_performer(svc, clock, event):
    desk = Competition(svc)
    svc.update_settings(event[ADMIN], svc.bundle().settings.with_changes(required_judges=2))
    desk.add_conflict(event[ADMIN], J1, "Ada")
    for judge in (J1, J2):
        svc.heartbeat(event[judge])
    before = db_state(svc)
    with pytest.raises(CommandRefused, match=r"^Waiting for 2 judges \(1 present\); use force"):
        svc.command(event[ADMIN], Command(CommandKind.START))
    assert db_state(svc) == before
    desk.move(event[ADMIN], "Ada", last=True)  # Bo opens now, and Judge 1 may score Bo
    assert svc.command(event[ADMIN], Command(CommandKind.START)).phase is Phase.PERFORMING


def test_a_recused_judge_cannot_hold_up_the_start_for_ever(svc, clock, event):
    Competition(svc).add_conflict(event[ADMIN], J1, "Ada")
    for judge in (J1, J2, J3):
        svc.heartbeat(event[judge])
    # Three judges required, but only two may score Ada: they are the quorum, as for the minimum.
    assert svc.snapshot().quorum == (2, 2)
    assert svc.command(event[ADMIN], Command(CommandKind.START)).phase is Phase.PERFORMING


# ---- running order -------------------------------------------------------------------------------
def test_moving_a_waiting_performer_to_the_end_is_logged_and_played_in_that_order(svc, clock, event):
    desk = Competition(svc)
    play(svc, clock, event, MARKS, until=("Ada", Phase.PERFORMING))
    old = svc.bundle().state.order
    desk.move(event[ADMIN], "Bo", last=True)
    order = svc.bundle().state.order
    assert [svc.snapshot().performer_name(p) for p in order] == ["Ada", "Cy", "Di", "Bo"]
    entry = [e for e in svc.log.entries() if e.kind == "order_changed"][-1]
    assert entry.actor == ADMIN and entry.payload()["old_order"] == list(old)
    assert entry.payload()["new_order"] == list(order)
    desk.move(event[ADMIN], "Bo", position=2)
    assert [svc.snapshot().performer_name(p) for p in svc.bundle().state.order] == ["Ada", "Bo", "Cy", "Di"]


@pytest.mark.parametrize(("name", "word"), [("Ada", "on stage"), ("Zed", "no performer")])
def test_moving_the_performer_on_stage_or_an_unknown_one_changes_nothing(svc, clock, event, name, word):
    play(svc, clock, event, MARKS, until=("Ada", Phase.SCORING))
    before = db_state(svc)
    with pytest.raises(CommandRefused) as e:
        Competition(svc).move(event[ADMIN], name, last=True)
    assert word in one_sentence(e.value)
    assert db_state(svc) == before


def test_moving_a_performer_already_done_changes_nothing(svc, clock, event):
    play(svc, clock, event, MARKS, until=("Bo", Phase.PERFORMING))
    before = db_state(svc)
    with pytest.raises(CommandRefused) as e:
        Competition(svc).move(event[ADMIN], "Ada", position=4)
    assert one_sentence(e.value) == "Ada has already performed."
    assert db_state(svc) == before


def test_a_no_show_is_not_ranked_until_brought_back(svc, clock, event):
    desk = Competition(svc)
    play(svc, clock, event, MARKS, until=("Ada", Phase.PERFORMING))
    desk.no_show(event[ADMIN], "Cy")
    snap = svc.snapshot()
    cy = next(p for p in snap.performers if p.name == "Cy")
    assert cy.status is PerformerStatus.NO_SHOW and cy.performer_id not in snap.state.order
    desk.bring_back(event[ADMIN], "Cy")
    assert svc.bundle().state.order[-1] == cy.performer_id
    play_rest(svc, clock, event)
    snap = svc.snapshot()
    assert next(r for r in snap.results if r.performer_id == cy.performer_id).rank is not None


def play_rest(svc, clock, tokens):
    while (state := svc.bundle().state).phase is not Phase.FINISHED:
        if state.phase is Phase.SCORING:
            name = svc.snapshot().performer_name(state.performer_id)
            for judge, value in MARKS[name].items():
                svc.submit_score(tokens[judge], state.performer_id, {"Score": str(value)})
        step_timer(svc, clock)


# ---- rounds --------------------------------------------------------------------------------------
def test_the_top_of_each_category_advance_into_a_final_in_reverse_order(svc, clock, event):
    desk = Competition(svc)
    play(svc, clock, event, MARKS)
    heats = svc.event_id()
    info, adv = desk.next_round(event[ADMIN], top=1, name="Final", carry_weight="0.5")
    assert (info.number, info.name) == (2, "Final")
    final = svc.snapshot()
    assert final.state.phase is Phase.SETUP and final.event_id != heats
    assert [p.name for p in final.performers] == ["Ada", "Di"]  # Dance block, then Music
    assert final.settings == svc.snapshot(heats).settings
    assert final.round.carried == {pid_of(svc, "Ada"): Decimal(4), pid_of(svc, "Di"): Decimal(4)}
    listing = desk.rounds()
    assert [(r["number"], r["name"], r["phase"]) for r in listing] == [
        (1, "Round 1", "FINISHED"),
        (2, "Final", "SETUP"),
    ]
    # The heats stay readable and exportable.
    assert '"event_id": "' + heats in exports.export(svc.snapshot(heats), "json")


def test_a_conflict_declared_in_the_heats_holds_in_the_final(svc, clock, event):
    desk = Competition(svc)
    desk.add_conflict(event[ADMIN], J3, "Di")  # Judge 3 teaches Di
    desk.add_conflict(event[ADMIN], J2, "Bo")  # Bo does not go through: nothing to carry for Bo
    marks = {**MARKS, "Di": {J1: 8, J2: 8}, "Bo": {J1: 5, J3: 7}}
    play(svc, clock, event, marks)
    heats, di, bo = svc.event_id(), pid_of(svc, "Di"), pid_of(svc, "Bo")
    desk.next_round(event[ADMIN], top=1, name="Final")
    final = svc.event_id()
    assert svc.store.conflicts.list(final) == {di: (J3,)}
    advanced = next(e for e in svc.log.entries() if e.kind == "round_advanced").payload()
    assert advanced["conflicts_carried"] == 1
    assert svc.store.conflicts.list(heats) == {di: (J3,), bo: (J2,)}  # the heats keep theirs
    play(svc, clock, event, {}, until=("Di", Phase.SCORING))
    with pytest.raises(ScoreRefused, match="stepped aside"):
        svc.submit_score(event[J3], pid_of(svc, "Di"), {"Score": "9"})


def test_resetting_the_final_starts_it_again_as_the_same_round_of_the_same_competition(svc, clock, event):
    desk = Competition(svc)
    play(svc, clock, event, MARKS)
    heats = svc.event_id()
    info, _ = desk.next_round(event[ADMIN], top=1, name="Final", carry_weight="0.5")
    play(svc, clock, event, {}, until=("Di", Phase.SCORING))  # the final goes wrong: start it again
    new = svc.command(event[ADMIN], Command(CommandKind.RESET))
    again = svc.snapshot(new.event_id).round
    assert (again.competition_id, again.number, again.name) == (info.competition_id, 2, "Final")
    assert again.carried == info.carried and again.carry_weight == info.carry_weight
    assert [(r["number"], r["name"], r["event_id"]) for r in desk.rounds()] == [
        (1, "Round 1", heats),
        (2, "Final", new.event_id),
    ]
    assert svc.snapshot(info.event_id).round.number == 2  # the abandoned final stays readable as it was


@pytest.mark.parametrize(
    ("kwargs", "sentence"),
    [
        ({"top": 3}, "Dance has only 2 ranked performers; advance at most 2."),
        ({"top": 0}, "The number of performers to advance must be a whole number of at least 1."),
        ({"top": -2}, "The number of performers to advance must be a whole number of at least 1."),
        ({"top": 1, "name": "x" * 500}, "A round name is 1 to 60 characters."),
        ({"top": 1, "carry_weight": "-1"}, "The carry-over weight must be a number from 0 to 10."),
        ({"chosen": ["Ada", "Zed"]}, "There is no performer called 'Zed'."),
    ],
)
def test_bad_advancement_changes_nothing(svc, clock, event, kwargs, sentence):
    play(svc, clock, event, MARKS)
    before = db_state(svc)
    with pytest.raises((InvalidInput, CommandRefused)) as e:
        Competition(svc).next_round(event[ADMIN], **kwargs)
    assert one_sentence(e.value) == sentence
    assert db_state(svc) == before


def test_advancing_before_the_round_finished_is_refused(svc, clock, event):
    before = db_state(svc)
    with pytest.raises(CommandRefused, match="has not finished"):
        Competition(svc).next_round(event[ADMIN], top=1)
    assert db_state(svc) == before
