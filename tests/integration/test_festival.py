"""A festival's stages on DynamoDB Local: each its own event, clock, lease and panel; one engine drives
them all; a judge scores only on their own stage, through the one score commit."""

from __future__ import annotations

import json

import pytest

from engine.cli.main import main
from engine.domain.model import Command, CommandKind, InvalidInput, Phase, ScoreRefused, Settings
from engine.domain.stages import MAIN
from engine.store.schema import CURRENT, LEASE
from engine.store.score_commit import OTHER_STAGE
from engine.timer.runner import Engine
from tests.support.events import seed_event, two_stages

ADMIN = "admin@test.local"
SHORT = Settings(perform_seconds=5, score_seconds=10, required_judges=1)


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_a_deployment_that_never_names_a_stage_keeps_its_keys(svc, store):
    seed_event(svc)
    assert [s.stage_id for s in svc.stages.list()] == [MAIN]
    pointer = store.client.get(store.tables.status, {"pk": CURRENT, "sk": CURRENT})
    assert pointer["event_id"] == svc.event_id() and svc.bundle().state.stage == MAIN
    assert store.client.get(store.tables.status, {"pk": LEASE, "sk": LEASE}) is None


def test_adding_a_stage_keeps_the_main_event_as_a_stage_of_its_own(svc, clock):
    tokens = seed_event(svc)
    before = svc.event_id()
    svc.stages.add(tokens[ADMIN], "Ballroom B")
    assert [(s.stage_id, s.name) for s in svc.stages.list()] == [
        ("main", "Main"),
        ("ballroom-b", "Ballroom B"),
    ]
    with pytest.raises(InvalidInput, match="say which with --stage ID"):
        svc.event_id()
    assert svc.on("main").event_id() == before
    with pytest.raises(InvalidInput, match="There is no stage 'nope'"):
        svc.on("nope")


def test_each_stage_runs_its_own_clock_and_a_judge_scores_only_on_their_own(svc, clock, store):
    tokens = two_stages(svc, SHORT)
    s1, s2 = svc.on("s1"), svc.on("s2")
    assert s1.event_id() != s2.event_id()
    for stage in (s1, s2):
        stage.command(tokens[ADMIN], Command(CommandKind.START, force=True))
    engine = Engine(store, clock=clock)
    for stage in ("s1", "s2"):
        assert store.lease.acquire(engine.owner, clock.now, 60, stage)
    clock.advance(5.5)
    for stage in (s1, s2):
        bundle = store.events.load(stage.event_id())
        engine._publish(bundle, *engine._tallies(bundle))
    engine._tick()
    assert s1.bundle().state.phase is Phase.SCORING and s2.bundle().state.phase is Phase.SCORING
    pid1, pid2 = s1.bundle().state.performer_id, s2.bundle().state.performer_id

    judge3 = tokens["judge3@test.local"]
    s2.submit_score(judge3, pid2, {"Score": 7})
    with pytest.raises(ScoreRefused, match=OTHER_STAGE):  # s1's window is open, but not judge3's stage
        s1.submit_score(judge3, pid1, {"Score": 7})
    s1.submit_score(tokens["judge1@test.local"], pid1, {"Score": 8})

    # Moved between performers: from now on judge1 scores on s2 and is refused on s1.
    svc.stages.assign(tokens[ADMIN], "judge1@test.local", "s2")
    with pytest.raises(ScoreRefused, match=OTHER_STAGE):
        s1.submit_score(tokens["judge1@test.local"], pid1, {"Score": 9})
    s2.submit_score(tokens["judge1@test.local"], pid2, {"Score": 6})
    assert [s.judge for s in s1.snapshot().scores] == ["judge1@test.local"]
    assert sorted(s.judge for s in s2.snapshot().scores) == ["judge1@test.local", "judge3@test.local"]
    assert [j.email for j in s2.snapshot().judges] == ["judge1@test.local", "judge3@test.local"]
    assert s1.log.verify() == [] and s2.log.verify() == []


def test_a_stage_s_transition_needs_that_stage_s_lease(svc, clock, store):
    tokens = two_stages(svc, SHORT)
    s1, s2 = svc.on("s1"), svc.on("s2")
    for stage in (s1, s2):
        stage.command(tokens[ADMIN], Command(CommandKind.START, force=True))
    engine, other = Engine(store, clock=clock), Engine(store, clock=clock)
    assert store.lease.acquire(engine.owner, clock.now, 60, "s1")
    assert store.lease.acquire(other.owner, clock.now, 60, "s2")  # two engines share the stages
    assert not store.lease.acquire(engine.owner, clock.now, 60, "s2")
    clock.advance(5.5)
    for stage in (s1, s2):
        bundle = store.events.load(stage.event_id())
        engine._publish(bundle, *engine._tallies(bundle))
    engine._tick()
    assert s1.bundle().state.phase is Phase.SCORING
    assert s2.bundle().state.phase is Phase.PERFORMING  # refused: s2's lease is the other engine's


def test_the_festival_from_the_command_line(svc, capsys):
    code, out, _ = run(capsys, "demo", "--stages", "2", "--password", "pw-festival-1")
    assert code == 0 and "judge6@demo.local" in out and "judge7@demo.local" not in out
    listed = json.loads(run(capsys, "stage", "list", "--json")[1])
    assert [(s["stage"], s["stage_name"]) for s in listed] == [("s1", "Stage 1"), ("s2", "Stage 2")]
    code, _, err = run(capsys, "status", "--json")
    assert code == 2 and err.strip() == "There are 2 stages (s1, s2); say which with --stage ID."
    every = json.loads(run(capsys, "status", "--json", "--all")[1])
    assert [(s["stage"], s["stage_name"], s["performers"]) for s in every] == [
        ("s1", "Stage 1", 5),
        ("s2", "Stage 2", 5),
    ]
    assert every[0]["event_id"] != every[1]["event_id"]
    assert run(capsys, "control", "start", "--force", "--stage", "s2")[0] == 0
    assert json.loads(run(capsys, "status", "--json", "--stage", "s2")[1])["phase"] == "PERFORMING"
    assert json.loads(run(capsys, "status", "--json", "--stage", "s1")[1])["phase"] == "LOBBY"
    panel = {j.email: j.stage for j in svc.store.accounts.list() if j.email.startswith("judge")}
    assert panel == {f"judge{i}@demo.local": "s1" if i <= 3 else "s2" for i in range(1, 7)}
    assert run(capsys, "judge", "assign", "judge1@demo.local", "--stage", "s2")[0] == 0
    assert svc.stages.of_judge("judge1@demo.local") == "s2"
    code, _, err = run(capsys, "judge", "assign", "judge1@demo.local", "--stage", "s9")
    assert code == 2 and "There is no stage 's9'" in err


def test_a_performer_on_two_stages_at_once_is_a_clash_in_status(svc, clock, capsys):
    tokens = two_stages(svc, SHORT)
    s2 = svc.on("s2")
    s2.set_roster(tokens[ADMIN], [{"name": "Performer 3", "order": 1}, {"name": "Zed", "order": 2}])
    for stage in (svc.on("s1"), s2):
        stage.command(tokens[ADMIN], Command(CommandKind.START, force=True))
    found = svc.stages.clashes(svc)
    # Third on s1 (15 s slots) and first on s2: expected within the quarter hour, and in two orders at once.
    assert [(c.kind, c.who, c.stages) for c in found] == [
        ("performer_near", "Performer 3", ("s1", "s2")),
        ("two_orders", "Performer 3", ("s1", "s2")),
    ]
    every = json.loads(run(capsys, "status", "--json", "--all")[1])
    kinds = ["performer_near", "two_orders"]
    assert [[c["kind"] for c in s["clashes"]] for s in every] == [kinds, kinds]
    one = json.loads(run(capsys, "status", "--json", "--stage", "s2")[1])
    assert (
        one["clashes"][1]["sentence"]
        == "Performer 3 is in the running orders of Stage 1 and Stage 2 at once."
    )


def test_a_judge_added_on_a_stage_belongs_to_it(svc, capsys):
    svc.stages.add(None, "Stage 1", "s1")
    assert (
        run(capsys, "judge", "add", "new@test.local", "--password", "pw-new-judge-1", "--stage", "s1")[0] == 0
    )
    assert svc.store.accounts.get("new@test.local").account.stage == "s1"
    code, _, err = run(capsys, "judge", "add", "other@test.local", "--password", "pw-1234567", "--stage", "x")
    assert code == 2 and "There is no stage 'x'" in err and svc.store.accounts.get("other@test.local") is None
    # With one stage, a judge added without --stage is on it.
    assert svc.add_account(None, "third@test.local", "Third", "pw-1234567").stage == "s1"


def test_a_category_on_two_stages_is_ranked_across_them(svc, clock, store):
    tokens = two_stages(svc, SHORT)
    s1, s2 = svc.on("s1"), svc.on("s2")
    engine = Engine(store, clock=clock)
    for sid, stage in (("s1", s1), ("s2", s2)):
        stage.command(tokens[ADMIN], Command(CommandKind.START, force=True))
        assert store.lease.acquire(engine.owner, clock.now, 600, sid)
    clock.advance(5.5)
    for stage in (s1, s2):
        bundle = store.events.load(stage.event_id())
        engine._publish(bundle, *engine._tallies(bundle))
    engine._tick()
    s1.submit_score(tokens["judge1@test.local"], s1.bundle().state.performer_id, {"Score": 6})
    s2.submit_score(tokens["judge3@test.local"], s2.bundle().state.performer_id, {"Score": 9})
    ranked = svc.stages.festival_results(svc)[""]  # the seeded performers have no category
    assert [(p.rank, p.stage, p.total) for p in ranked] == [(1, "s2", 9), (2, "s1", 6)]
