"""Marks for the sentences the engine says to people, so that `make messages` (pybabel) finds them and the
ui translates them at its boundary (ui/i18n.py). The engine itself never translates: it has no reader.

    NO_EVENT = N_("There is no event yet.")                      # a constant, said as is
    raise InvalidInput(N_("There is no judge {email}."), email=e) # a sentence with a named blank

A StagescoreError keeps its template and its blanks apart (model.StagescoreError), so the ui can look the
template up in a person's language and fill the blanks after; str(error) stays the English sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def N_(message: str) -> str:
    """A sentence to translate where it is shown; unchanged here."""
    return message


class Said(str):
    """A phrase filled into a sentence, or shown on its own, that the ui says in the reader's language: the
    English text as a str (logs, CLI, tests), with its template and blanks kept for ui/i18n.py's `text`.

        Said(N_("a number from {low} to {high}"), low=0, high=10)   # "a number from 0 to 10"
    """

    template: str
    blanks: dict[str, object]

    def __new__(cls, template: str, /, **blanks: object) -> Said:
        said = super().__new__(cls, template.format(**blanks) if blanks else template)
        said.template, said.blanks = template, blanks
        return said

    def __reduce__(self):  # pickled (a cached view) with its template and blanks
        return (_said, (self.template, self.blanks))


def _said(template: str, blanks: dict[str, object]) -> Said:
    return Said(template, **blanks)


@dataclass(frozen=True)
class Wording:
    """The language a document is said in, as the ui hands it to a view that writes one (the PDF score
    sheets): `say` puts a phrase in it (a Said looked up, anything else as it is); `rtl` when that language
    is written right to left, so the document is laid out mirrored."""

    say: Callable[[object], str] = str
    rtl: bool = False


ENGLISH = Wording()  # str(Said) is the English sentence
