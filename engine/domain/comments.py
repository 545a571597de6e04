"""A judge's comment with a score: optional, short, plain text. Pure."""

from __future__ import annotations

import unicodedata

from engine.domain.messages import N_
from engine.domain.model import InvalidInput

MAX_COMMENT = 500
# Bidirectional overrides and isolates can make a comment display as something else than it says.
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_comment(raw: object) -> str:
    """The comment as stored: trimmed, line breaks as "\\n"; "" when there is none.

    Raises InvalidInput (one sentence) for anything but short plain text."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise InvalidInput(N_("A comment must be text."))
    text = raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(text) > MAX_COMMENT:
        raise InvalidInput(
            N_("A comment can be at most {most} characters (this one has {n})."),
            most=MAX_COMMENT,
            n=len(text),
        )
    if any((unicodedata.category(ch) == "Cc" and ch != "\n") or ch in _BIDI for ch in text):
        raise InvalidInput(N_("A comment can hold text only, without control characters."))
    return text
