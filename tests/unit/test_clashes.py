from engine.domain import clashes
from engine.domain.clashes import CLASH_SECONDS, StageLineup
from engine.domain.model import Account, PerformerStatus, Phase, Role
from engine.domain.schedule import Slot

W, DONE = PerformerStatus.WAITING, PerformerStatus.DONE
T = 1_800_000_000.0


def lineup(stage, slots, phase=Phase.PERFORMING, judges=()):
    return StageLineup(stage, f"Stage {stage[-1]}", phase, tuple(slots), tuple(judges))


def slot(name, start, status=W):
    return Slot(f"p-{name}", name, "", status, start)


def test_a_performer_expected_on_two_stages_within_fifteen_minutes_clashes():
    found = clashes.find(
        [
            lineup("s1", [slot("Mira Solano", T), slot("Ada Byte", T + 300)]),
            lineup("s2", [slot(" mira solano", T + CLASH_SECONDS - 60), slot("Kai", T)]),
        ]
    )
    near = [c for c in found if c.kind == "performer_near"]
    assert [(c.who, c.stages) for c in near] == [("Mira Solano", ("s1", "s2"))]
    assert near[0].sentence.startswith("Mira Solano is expected on Stage 1 at ")
    assert " and on Stage 2 at " in near[0].sentence


def test_fifteen_minutes_apart_or_a_finished_slot_is_no_clash_of_times():
    found = clashes.find(
        [
            lineup("s1", [slot("Mira", T), slot("Ada", T, DONE)]),
            lineup("s2", [slot("Mira", T + CLASH_SECONDS), slot("Ada", T + 10)]),
        ]
    )
    assert [c for c in found if c.kind == "performer_near"] == []


def test_a_performer_waiting_in_two_running_orders_at_once_is_flagged_while_both_stages_run():
    both = [lineup("s1", [slot("Mira", T)]), lineup("s2", [slot("Mira", T + 7200)])]
    assert [(c.kind, c.who) for c in clashes.find(both)] == [("two_orders", "Mira")]
    assert clashes.find(both)[0].sentence == "Mira is in the running orders of Stage 1 and Stage 2 at once."
    later = [both[0], lineup("s2", [slot("Mira", T + 7200)], phase=Phase.SETUP)]
    assert clashes.find(later) == []  # the other stage has not opened yet


def test_one_person_on_two_panels_is_flagged():
    judges1 = [Account("a@x", "Ana Ruiz", Role.JUDGE, stage="s1")]
    judges2 = [Account("ana@y", "ana ruiz", Role.JUDGE, stage="s2"), Account("b@x", "Bo", Role.JUDGE)]
    found = clashes.find([lineup("s1", [], judges=judges1), lineup("s2", [], judges=judges2)])
    assert [(c.kind, c.who, c.stages) for c in found] == [("judge_two_stages", "Ana Ruiz", ("s1", "s2"))]
    assert found[0].sentence == "Ana Ruiz judges on Stage 1 and on Stage 2 at once (two accounts)."


def test_a_single_stage_has_no_clashes():
    assert clashes.find([lineup("main", [slot("Mira", T), slot("Mira", T + 1)])]) == []


def test_a_clash_as_json():
    c = clashes.find([lineup("s1", [slot("Mira", T)]), lineup("s2", [slot("Mira", T + 60)])])[0]
    assert set(c.as_json()) == {"kind", "who", "stages", "sentence"}
    assert c.as_json()["stages"] == ["s1", "s2"]
