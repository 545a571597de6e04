"""Widgets the pages share. User text goes through `text()`: shown as text, never as markup."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from engine.domain.scoring import display
from engine.domain.snapshot import PHASE_LABEL, Snapshot, countdown, ranking_rows
from ui import data, i18n, words
from ui.i18n import _

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>~<&$:])")


def total(value) -> str:
    """A total as the reader writes numbers ("8.50", "8,50"); "—" when there is none."""
    shown = display(value)
    try:
        return i18n.number(shown, 2)
    except ArithmeticError:  # "—"
        return shown


def text(value: object) -> str:
    """Escape Markdown so a name like **x** or <b> shows exactly as typed."""
    return _MD_SPECIAL.sub(r"\\\1", str(value))


def ltr(value: object) -> str:
    """An address or a code isolated left to right (Unicode's LRI … PDI): in an Arabic sentence
    "127.0.0.1:8501/vote" keeps its order instead of reading "vote/127.0.0.1:8501"."""
    return f"\u2066{value}\u2069"


def code(value: object) -> str:
    """As a Markdown code span: shown as typed, never made a link (an email address in a label would
    become a mailto link, a control inside the label's own). Backticks cannot close it early."""
    return "`" + str(value).replace("`", "'") + "`"


def seconds_left(snapshot: Snapshot, now: float | None = None) -> int | None:
    """Whole seconds left in the window as this viewer last saw it (domain.snapshot.countdown's rule)."""
    remaining = snapshot.state.remaining(data.service().clock() if now is None else now)
    if remaining is None:
        return None
    window = (snapshot.event_id, snapshot.state.window_id, snapshot.state.version)
    shown = countdown(remaining, window, st.session_state.get("_countdown"))
    st.session_state["_countdown"] = (window, shown)
    return shown


def status_header(snapshot: Snapshot, large: bool = False) -> None:
    state = snapshot.state
    current = snapshot.current
    left = seconds_left(snapshot)
    cols = st.columns([3, 2, 1])
    with cols[0]:
        if current:
            (st.title if large else st.subheader)(text(current.name))
            if current.category:
                st.caption(text(current.category))
        else:
            (st.title if large else st.subheader)(text(snapshot.settings.event_name))
    paused = " — " + _("paused") if state.paused else ""
    cols[1].metric(_("Phase"), _(PHASE_LABEL[state.phase]) + paused)
    cols[2].metric(_("Seconds left"), "—" if left is None else left)
    if left is not None and state.window_started_at is not None:
        total = (state.deadline - state.window_started_at) if state.deadline else (left or 1)
        st.progress(max(0.0, min(1.0, left / total)) if total > 0 else 0.0)


def ranking_frame(snapshot: Snapshot, per_judge: bool, results=None) -> pd.DataFrame:
    """`results`: one category's ranking instead of the overall one."""
    judges = {j.email: j.name for j in snapshot.judges}
    panel = snapshot.panel
    rows = []
    for line in ranking_rows(snapshot, per_judge, results):
        result, performer = line.result, line.performer
        row = {
            _("Rank"): result.rank if result.rank is not None else "—",
            _("Performer"): performer.name if performer else result.performer_id,
            _("Total"): total(result.total),
            _("Scores in"): f"{result.scores_in}/{len(panel)}",
            _("Status"): words.status(performer.status.value) if performer else "",
        }
        if per_judge:
            for email in panel:
                score = line.by_judge.get(email)
                shown = _("recused") if email in result.recused else total(score.total) if score else ""
                row[judges.get(email, email.split("@")[0])] = shown
        rows.append(row)
    return pd.DataFrame(rows)


def ranking_table(snap: Snapshot, per_judge: bool, results=None) -> None:
    """The ranking as an HTML table (large on a projector, readable in the DOM); every cell escaped,
    since st.table renders Markdown."""
    df = ranking_frame(snap, per_judge, results)
    if df.empty:
        st.info(_("No performers yet."))
        return
    st.table(df.map(text), hide_index=True)


def podium(snap: Snapshot, results=None) -> None:
    top = [r for r in (snap.results if results is None else results) if r.rank is not None and r.rank <= 3]
    if not top:
        st.info(_("No performer has a complete score."))
        return
    cols = st.columns(len(top))
    for col, r in zip(cols, top, strict=False):
        col.metric(
            _("Place {rank}").format(rank=r.rank),
            snap.performer_name(r.performer_id),
            total(r.total),
            delta_color="off",
            delta_arrow="off",
        )
