"""Widgets the pages share. User text goes through `text()`: shown as text, never as markup."""

from __future__ import annotations

import math
import re
import time

import pandas as pd
import streamlit as st

from engine.model import Phase
from engine.scoring import display
from engine.service import Snapshot

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&$:])")
PHASE_LABEL = {
    Phase.SETUP: "Setting up",
    Phase.LOBBY: "Waiting for the judges",
    Phase.PERFORMING: "Performing",
    Phase.SCORING: "Scoring",
    Phase.FINISHED: "Finished",
}


def text(value: object) -> str:
    """Escape Markdown so a name like **x** or <b> shows exactly as typed."""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


def seconds_left(snap: Snapshot, now: float | None = None) -> int | None:
    """Whole seconds left in the window, never higher than last shown for the same window and version."""
    remaining = snap.state.remaining(time.time() if now is None else now)
    if remaining is None:
        return None
    shown = math.ceil(remaining - 1e-9)
    key = (snap.event_id, snap.state.window_id, snap.state.version)
    memo = st.session_state.setdefault("_countdown", {})
    if key in memo:
        shown = min(shown, memo[key])
    st.session_state["_countdown"] = {key: shown}
    return shown


def status_header(snap: Snapshot, large: bool = False) -> None:
    s = snap.state
    current = snap.current
    phase = PHASE_LABEL[s.phase] + (" — paused" if s.paused else "")
    left = seconds_left(snap)
    cols = st.columns([3, 2, 1])
    with cols[0]:
        if current:
            (st.title if large else st.subheader)(text(current.name))
            if current.category:
                st.caption(text(current.category))
        else:
            (st.title if large else st.subheader)(text(snap.settings.event_name))
    cols[1].metric("Phase", phase)
    cols[2].metric("Seconds left", "—" if left is None else left)
    if left is not None and s.window_started_at is not None:
        total = (s.deadline - s.window_started_at) if s.deadline else (left or 1)
        st.progress(max(0.0, min(1.0, left / total)) if total > 0 else 0.0)


def ranking_frame(snap: Snapshot, per_judge: bool) -> pd.DataFrame:
    names = {p.performer_id: p for p in snap.performers}
    judges = {j.email: j.name for j in snap.judges}
    rows = []
    for r in snap.results:
        p = names.get(r.performer_id)
        row = {
            "Rank": r.rank if r.rank is not None else "—",
            "Performer": p.name if p else r.performer_id,
            "Total": display(r.total),
            "Scores in": f"{r.scores_in}/{len(snap.panel)}",
            "Status": p.status.value if p else "",
        }
        if per_judge:
            by_judge = snap.scores_for(r.performer_id)
            for email in snap.panel:
                sc = by_judge.get(email)
                row[judges.get(email, email.split("@")[0])] = display(sc.total) if sc else ""
        rows.append(row)
    return pd.DataFrame(rows)


def ranking_table(snap: Snapshot, per_judge: bool) -> None:
    """The ranking as an HTML table (large on a projector, readable in the DOM); every cell escaped,
    since st.table renders Markdown."""
    df = ranking_frame(snap, per_judge)
    if df.empty:
        st.info("No performers yet.")
        return
    st.table(df.map(text), hide_index=True)


def podium(snap: Snapshot) -> None:
    top = [r for r in snap.results if r.rank is not None and r.rank <= 3]
    if not top:
        st.info("No performer has a complete score.")
        return
    medals = {1: "🥇", 2: "🥈", 3: "🥉"}
    cols = st.columns(len(top))
    for col, r in zip(cols, top, strict=False):
        col.metric(
            f"{medals.get(r.rank, '')} Place {r.rank}",
            snap.performer_name(r.performer_id),
            display(r.total),
            delta_color="off",
            delta_arrow="off",
        )
