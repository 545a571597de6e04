"""What keeps its own direction inside a right-to-left line of a PDF sheet (engine/views/sheets.py).

fpdf2 orders each line with the Unicode bidirectional algorithm (its text shaping). Left to it, an Arabic
line moves a Latin comment's full stop to the far end (".Strong opening") and draws a minus sign after its
number ("0.5−"). So, as a web page does with <bdi>: user data is isolated in the direction of its own
first letter (FSI … PDI), and a number with its sign is kept left to right (LRI … PDI). The marks take no
room on the page; a PDF reader's copied text holds them (around a name, a comment, a signed number)."""

from __future__ import annotations

import re

from engine.domain.messages import Said

FSI, LRI, PDI = "\u2068", "\u2066", "\u2069"
MARKS = frozenset((FSI, LRI, PDI))
# A number with its sign (not the -1 of "round-1"): −0.5, +2. One without a sign reads left to right
# already (7.50, 12:30), and is left as it is, so that a reader's search finds it.
_SIGNED = re.compile(r"(?<![\w.,:\-−])[−+\-]\d+(?:[.,:]\d+)*")


def isolated(text: str) -> str:
    """User data in its own direction, whatever the line around it."""
    return f"{FSI}{text}{PDI}" if text else text


def numbers_left_to_right(text: str) -> str:
    return _SIGNED.sub(lambda m: f"{LRI}{m.group()}{PDI}", text)


def blanks_isolated(value: object) -> object:
    """A Said phrase whose blanks of user data (a name, a category, an id) are isolated, those of its
    phrases too; a number blank is left to numbers_left_to_right, once the phrase is said."""
    if not isinstance(value, Said) or not value.blanks:
        return value
    return Said(value.template, **{k: _blank(v) for k, v in value.blanks.items()})


def _blank(value: object) -> object:
    if isinstance(value, Said):
        return blanks_isolated(value)
    return isolated(value) if isinstance(value, str) else value
