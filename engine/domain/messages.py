"""Marks for the sentences the engine says to people, so that `make messages` (pybabel) finds them and the
ui translates them at its boundary (ui/i18n.py). The engine itself never translates: it has no reader.

    NO_EVENT = N_("There is no event yet.")                      # a constant, said as is
    raise InvalidInput(N_("There is no judge {email}."), email=e) # a sentence with a named blank

A StagescoreError keeps its template and its blanks apart (model.StagescoreError), so the ui can look the
template up in a person's language and fill the blanks after; str(error) stays the English sentence.
"""

from __future__ import annotations


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
