"""The control desk's webhook warnings (Streamlit only): a delivery failing or dropped, every 5 s."""

from __future__ import annotations

import streamlit as st

from engine.domain.model import Session, StagescoreError
from engine.service import webhooks
from ui import data, widgets


def desk(session: Session) -> None:
    @st.fragment(run_every=5)
    def warnings() -> None:
        try:
            lines = webhooks.desk_lines(data.service(), session.token)
        except StagescoreError:
            return  # the desk's own banner says when the database is away
        for line in lines:
            st.warning(widgets.text(line), icon="📡")

    warnings()
