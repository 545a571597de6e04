"""Settings checks and the setup form's criteria: each bad input gets its one sentence."""

from decimal import Decimal as D

import pytest

from engine.domain.model import Criterion, InvalidInput, Settings
from engine.domain.settings import account_changes, parse_criteria, validate_settings, validate_weight


def row(name="Style", lo=0, hi=10, step=0.5, weight=1) -> dict:
    return {"name": name, "min": lo, "max": hi, "step": step, "weight": weight}


def test_criteria_rows_become_exact_criteria_and_blank_rows_are_left_out():
    rows = [row(" Style ", 0, 10, 0.1, 2), row(name=""), row(name=None), row("Voice", 1, 5, 1, 0.5)]
    assert parse_criteria(rows) == (
        Criterion("Style", D("0"), D("10"), D("0.1"), D("2")),
        Criterion("Voice", D("1"), D("5"), D("1"), D("0.5")),
    )


@pytest.mark.parametrize("bad", [{"min": "ten"}, {"max": None}, {"step": []}, {"weight": "1,5"}])
def test_a_criterion_without_numbers_is_refused_in_one_sentence(bad):
    with pytest.raises(InvalidInput, match=r"^Each criterion needs numbers for min, max, step and weight\.$"):
        parse_criteria([{**row(), **bad}])


def test_a_parsed_criterion_with_a_bad_range_is_left_to_the_settings_check():
    criteria = parse_criteria([row(lo=10, hi=0)])
    with pytest.raises(InvalidInput, match=r"^Style: needs min < max"):
        validate_settings(Settings(criteria=criteria))


@pytest.mark.parametrize("weight", ["-1", "101", "nan", "Infinity", "one", ""])
def test_a_weight_outside_0_to_100_is_refused(weight):
    with pytest.raises(InvalidInput, match=r"^A judge's weight must be a number from 0 to 100\.$"):
        validate_weight(weight)


def test_a_weight_is_exact():
    assert validate_weight(" 0.25 ") == D("0.25") and validate_weight(100) == D(100)


def test_more_required_judges_than_active_ones_is_refused():
    with pytest.raises(InvalidInput, match=r"^Required judges \(3\) is more than the 2 active judges\.$"):
        validate_settings(Settings(required_judges=3), judges=2)
    validate_settings(Settings(required_judges=2), judges=2)


def test_an_account_change_sets_only_what_was_given():
    assert account_changes() == {}
    assert account_changes(active=False, weight="2") == {"active": False, "weight": D(2)}
    fields = account_changes(password="a new password")
    assert fields["password_hash"].startswith("$argon2id$")
    assert set(fields) == {"password_hash"}
