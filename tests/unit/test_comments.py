"""A judge's comment: optional, at most 500 characters, text only."""

import pytest

from engine.domain.comments import MAX_COMMENT, clean_comment
from engine.domain.model import InvalidInput


def test_no_comment_is_an_empty_one():
    assert clean_comment(None) == "" and clean_comment("   ") == ""


def test_a_comment_is_trimmed_and_keeps_its_lines():
    assert clean_comment("  Great timing.\r\nWatch the ending. ") == "Great timing.\nWatch the ending."


def test_five_hundred_characters_are_accepted_and_ten_thousand_refused():
    assert len(clean_comment("a" * MAX_COMMENT)) == 500
    too_long = r"^A comment can be at most 500 characters \(this one has 10000\)\.$"
    with pytest.raises(InvalidInput, match=too_long):
        clean_comment("b" * 10_000)


@pytest.mark.parametrize("bad", ["bell\x07", "nul\x00x", "esc\x1b[31m", "tab\there", "rtl\u202eevil"])
def test_control_characters_are_refused_with_a_sentence(bad):
    with pytest.raises(InvalidInput, match=r"^A comment can hold text only, without control characters\.$"):
        clean_comment(bad)


def test_a_comment_must_be_text():
    with pytest.raises(InvalidInput, match="text"):
        clean_comment(42)


def test_accents_and_emoji_are_text():
    assert clean_comment("Très bien 👏🏽") == "Très bien 👏🏽"
