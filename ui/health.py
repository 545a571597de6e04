"""The timer engine on the admin desk: a red banner when nothing will move the event on by itself, and a
line saying which engine holds the lease, when it renewed, the standbys, lateness and database latency.

The red sentence itself also comes with the pushed admin document (the desk component shows it within
about 1.5 s of an engine going silent: renewals every 0.5 s, a holder taken for dead after 1.25 s). This
fragment adds the details (host, standbys, lateness, database latency), which change slowly: it re-checks
every two seconds from one value shared by every admin on this server, so the page is not re-run twice a
second for them."""

from __future__ import annotations

import time

import streamlit as st

from engine.service_health import EngineDesk
from ui import data, widgets

CHECK_SECONDS = 2.0


@st.cache_data(ttl=0.25, show_spinner=False)
def _desk() -> EngineDesk:
    return data.service().engine_desk()


def _ago(t: float | None, now: float) -> str:
    return "never" if t is None else f"{max(0.0, now - t):.1f} s ago"


def describe(desk: EngineDesk, now: float) -> str:
    """The desk's one line about the engine (plain text; escaped by the caller)."""
    h = desk.health
    parts = [
        f"Timer engine: {h.owner} on {desk.host or 'unknown host'}" if h.owner else "Timer engine: none",
        f"lease renewed {_ago(h.last_renewed, now)}",
    ]
    standby = ", ".join(f"{e.owner} on {e.host} ({e.ago:.0f} s ago)" for e in desk.standbys)
    parts.append(f"standby: {standby}" if standby else "no standby engine seen")
    if desk.lateness_ms is not None:
        parts.append(f"last transition {desk.lateness_ms:.0f} ms after its deadline")
    db = desk.db_latency
    if db.count:
        parts.append(
            f"database p50 {db.p50:.0f} ms, p95 {db.p95:.0f} ms over the last minute ({db.count} calls)"
        )
    return " · ".join(parts)


@data.live(CHECK_SECONDS)
def engine_banner() -> None:
    desk = _desk()
    if desk.health.problem:
        st.error(desk.health.problem, icon="🚨")
    st.caption(widgets.text(describe(desk, time.time())))
