"""Helpers for the AppTest tests: finding elements, switching pages, waiting on the database."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.testing.v1 import AppTest

from engine.domain import rules
from engine.domain.model import Command, CommandKind, EventState, Phase
from engine.service.core import Service
from tests.support.events import PASSWORD as PASSWORD  # re-exported for the tests
from tests.support.waiting import wait_for as wait_for  # re-exported for the tests

HOME = str(Path(__file__).resolve().parents[2] / "Home.py")
ADMIN = "admin@test.local"
JUDGE = "judge1@test.local"
TIMEOUT = 30


def clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def open_page(at: AppTest, page: str) -> AppTest:
    """Switch pages as the menu would, reading the database afresh (no snapshot left from a tick ago)."""
    st.cache_data.clear()
    return at.switch_page(page).run()


def rerun(at: AppTest) -> AppTest:
    st.cache_data.clear()
    return at.run()


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r}; buttons: {[b.label for b in at.button]}"
    return matches[0]


def texts(elements) -> list[str]:
    return [str(e.value) for e in elements]


def shown(at: AppTest) -> str:
    """Everything the main area shows, as text: each element's message and value (tables as CSV)."""
    parts = []
    for node in at.main:
        parts.append(str(getattr(node, "proto", "")))
        try:
            value = getattr(node, "value", None)
        except Exception:  # an element without a readable value
            value = None
        parts.append(value.to_csv() if isinstance(value, pd.DataFrame) else str(value))
    return "\n".join(parts)


def start(svc: Service, tokens: dict[str, str]) -> EventState:
    """The admin starts the event without the full panel: performer 1 is PERFORMING."""
    return svc.command(tokens[ADMIN], Command(CommandKind.START, force=True))


def open_scoring_now(svc: Service) -> EventState:
    """Write the PERFORMING -> SCORING transition that is due at the performance deadline, as the
    engine would, for tests that do not run the engine."""
    b = svc.bundle()
    assert b.state.phase is Phase.PERFORMING
    (step,) = rules.due_steps(b.state, b.settings, b.state.deadline, 0)
    svc.store.events.write_step(b.state.version, step, "test", step.at)
    return step.state


def component_data(at: AppTest, name: str) -> list[dict]:
    """The `data` of each browser component `name` (st.components.v2) the page mounted."""
    import json

    found = [c.proto for c in at.get("bidi_component") if c.proto.component_name == name]
    return [json.loads(p.json) if p.json else {} for p in found]
