"""Shared, cached reads: one service per process, one snapshot per tick for every viewer."""

from __future__ import annotations

import streamlit as st

from engine.model import DatabaseUnavailable, StagescoreError
from engine.service import Service, Snapshot
from engine.store import Store

UNREACHABLE = "Scoring database unreachable, retrying…"
TICK_SECONDS = 0.5


@st.cache_resource
def service() -> Service:
    """One Store (one thread-safe botocore client) per server process."""
    return Service(Store())


@st.cache_data(ttl=TICK_SECONDS, show_spinner=False, max_entries=8)
def _snapshot(event_id: str | None) -> Snapshot:
    return service().snapshot(event_id)


@st.cache_data(ttl=30, show_spinner=False)
def events() -> list[dict]:
    return service().store.list_events()


def snapshot(event_id: str | None = None) -> Snapshot | None:
    """The current event as every viewer sees it; None (with a banner) when it cannot be read."""
    try:
        return _snapshot(event_id)
    except DatabaseUnavailable:
        st.error(UNREACHABLE, icon="⚠️")
    except StagescoreError as e:
        st.info(str(e))
    except Exception:  # a botocore error of another kind: never show a traceback to the audience
        st.error(UNREACHABLE, icon="⚠️")
    return None


def refresh() -> None:
    """After a write by this user, show its effect at once rather than at the next tick."""
    _snapshot.clear()
