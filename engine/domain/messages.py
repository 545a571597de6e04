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
