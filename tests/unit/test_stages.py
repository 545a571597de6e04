import pytest

from engine.domain import stages
from engine.domain.model import InvalidInput
from engine.domain.stages import MAIN, Stage


def test_a_deployment_that_never_named_a_stage_has_the_main_stage():
    assert stages.listed([]) == [Stage(MAIN, "Main")]
    assert stages.choose(stages.listed([]), None).stage_id == MAIN


def test_stages_are_listed_in_their_order():
    got = stages.listed([Stage("b", "B", 2), Stage("a", "A", 1), Stage("c", "C", 2)])
    assert [s.stage_id for s in got] == ["a", "b", "c"]


def test_with_several_stages_a_command_must_name_one():
    both = [Stage("s1", "Stage 1", 1), Stage("s2", "Stage 2", 2)]
    with pytest.raises(InvalidInput, match=r"There are 2 stages \(s1, s2\); say which with --stage ID\."):
        stages.choose(both, None)
    assert stages.choose(both, "s2").name == "Stage 2"
    with pytest.raises(InvalidInput, match="There is no stage 'x'; the stages are: s1, s2."):
        stages.choose(both, "x")


@pytest.mark.parametrize("bad", ["", "S1", "-a", "a b", "a" * 33, "é", None, 3])
def test_a_stage_id_is_a_short_lower_case_slug(bad):
    with pytest.raises(InvalidInput):
        stages.check_id(bad)


def test_a_slug_is_made_from_the_name():
    assert stages.slug("Stage 2") == "stage-2"
    assert stages.slug("  Ballroom A / B ") == "ballroom-a-b"
    assert stages.slug("***") == "stage"
    assert stages.check_id(stages.slug("x" * 50)) == "x" * 32


def test_an_account_from_before_stages_belongs_to_main():
    assert stages.of_judge(None) == MAIN
    assert stages.of_judge("s2") == "s2"
