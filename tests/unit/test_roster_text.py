"""Performer names and categories are plain text: no direction overrides, no invisible characters."""

from __future__ import annotations

import pytest

from engine.domain.model import InvalidInput
from engine.domain.roster import build_roster


@pytest.mark.parametrize(
    "name",
    [
        "Ada\u202eevil",  # right-to-left override: shows "Adalive"
        "Ada\u2067x\u2069",  # isolates
        "Ada\u200fB",  # right-to-left mark
        "Ada\u200bLovelace",  # zero-width space
        "\ufeffAda",  # byte order mark
        "Ada\u2060B",  # word joiner
        "Ada\u00adB",  # soft hyphen: invisible unless the line breaks there
        "Ada\u200d",  # a joiner that joins nothing
        "A\u200cda",  # a non-joiner between Latin letters: Ada twice, looking the same
    ],
)
def test_a_name_with_hidden_or_direction_changing_characters_is_refused(name):
    with pytest.raises(InvalidInput) as e:
        build_roster([{"name": name}])
    assert str(e.value).count(".") == 1 and "name" in str(e.value) and "U+" in str(e.value)


def test_a_category_with_a_direction_override_is_refused():
    with pytest.raises(InvalidInput) as e:
        build_roster([{"name": "Ada", "category": "Dance\u202e"}])
    assert "category" in str(e.value)


@pytest.mark.parametrize(
    "name",
    [
        "\u05d3\u05e0\u05d4 \u05db\u05d4\u05df",  # Hebrew, right-to-left letters of its own
        "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",  # Persian, a non-joiner inside the word
        "\u0915\u094d\u200d\u0937",  # Devanagari, a joiner inside the word
        "Team \U0001f468\u200d\U0001f469\u200d\U0001f467",  # an emoji family
        "Zoë Ørsted-Łukasz",
    ],
)
def test_names_in_every_script_are_kept(name):
    (performer,) = build_roster([{"name": name}])
    assert performer.name == name
