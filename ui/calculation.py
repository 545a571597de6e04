"""The results desk's calculation: the tables behind a field rule's ranking (the skating system's
cumulative majorities per place column, the rank points, the normalised marks), drawn as data frames;
every cell and title is text (engine/views/calculation.py builds them)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.domain.snapshot import Snapshot
from engine.views import calculation
from ui.i18n import _


def _unique(columns: tuple[str, ...]) -> list[str]:
    """Headings a data frame can hold: a repeated one (two judges of one name) gets a number."""
    seen: dict[str, int] = {}
    out = []
    for c in columns:
        seen[c] = seen.get(c, 0) + 1
        out.append(c if seen[c] == 1 else f"{c} ({seen[c]})")
    return out


def panel(snap: Snapshot) -> None:
    refused, tables = calculation.tables(snap)
    if refused is None and not tables:
        return
    st.subheader(_("The calculation"))
    st.caption(
        _(
            "How the event's rule placed the performers, as a scrutineer shows it: for the skating system "
            "each couple's count of marks at each place or better (1, 1-2, 1-3, …), the sum in brackets "
            "where rule 7 needed it. `python -m engine tabulate` gives the same from a marks sheet."
        )
    )
    if refused:
        st.text(refused)  # names a judge: text, never markdown
        return
    for t in tables:
        st.text(t.title)
        st.dataframe(pd.DataFrame(list(t.rows), columns=_unique(t.columns)), hide_index=True)
