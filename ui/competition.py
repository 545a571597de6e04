"""The Setup page's competition sections: running order (live changes), conflicts of interest, rounds.

Streamlit only lays out what service/competition.py decides; every user text is shown through widgets.text.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from engine.domain import schedule
from engine.domain.model import PerformerStatus, Phase, Session
from engine.domain.snapshot import Snapshot
from engine.service.competition import Competition
from ui import widgets

Report = Callable[[Callable[[], object], str], None]


def _position(snap: Snapshot, performer_id: str) -> int | None:
    """1-based place of a waiting performer in the running order (after whoever is on stage)."""
    state = snap.state
    first = 0 if state.phase in (Phase.SETUP, Phase.LOBBY) else state.index + 1
    tail = state.order[first:]
    return first + tail.index(performer_id) + 1 if performer_id in tail else None


def running_order(snap: Snapshot, competition: Competition, session: Session, report: Report) -> None:
    st.header("Running order")
    slots = schedule.expected_starts(snap.state, snap.settings, snap.performers, snap.at)
    frame = pd.DataFrame(
        [
            {
                "Performer": s.name,
                "Category": s.category,
                "Status": s.status.value,
                "Expected": schedule.clock_time(s.expected_start) if s.expected_start else "—",
            }
            for s in slots
        ]
    )
    if not frame.empty:
        st.table(frame.map(widgets.text), hide_index=True)
    behind = schedule.behind_plan(snap.state, snap.settings, snap.performers, snap.at)
    if behind:
        st.caption(f"{'Behind' if behind > 0 else 'Ahead of'} plan by {abs(behind):.0f} s.")
    names = {p.name: p for p in snap.performers}
    if not names:
        return
    who = st.selectbox("Performer", list(names), key="order_who")
    p = names[who]
    pos = _position(snap, p.performer_id)
    cols = st.columns(5)
    if cols[0].button("Move up", disabled=pos is None):
        report(lambda: competition.move(session.token, who, position=max(1, pos - 1)), f"{who} moved up.")
    if cols[1].button("Move down", disabled=pos is None):
        report(
            lambda: competition.move(session.token, who, position=min(len(snap.state.order), pos + 1)),
            f"{who} moved down.",
        )
    if cols[2].button("Send to the end (not ready)", disabled=pos is None):
        report(lambda: competition.move(session.token, who, last=True), f"{who} goes last.")
    if cols[3].button("No-show", disabled=p.status is not PerformerStatus.WAITING):
        report(lambda: competition.no_show(session.token, who), f"{who} is marked no-show.")
    back = p.status in (PerformerStatus.SKIPPED, PerformerStatus.NO_SHOW)
    if cols[4].button("Bring back", disabled=not back):
        report(lambda: competition.bring_back(session.token, who), f"{who} will perform later in the round.")


def conflicts(snap: Snapshot, competition: Competition, session: Session, report: Report) -> None:
    st.header("Conflicts of interest")
    judges = {j.name: j.email for j in snap.judges}
    declared = [
        {"Judge": j, "Performer": snap.performer_name(pid)} for pid, js in snap.conflicts.items() for j in js
    ]
    if declared:
        st.table(pd.DataFrame(declared).map(widgets.text), hide_index=True)
    else:
        st.caption("No conflicts declared.")
    if not judges or not snap.performers:
        return
    with st.form("conflict"):
        c1, c2 = st.columns(2)
        judge = c1.selectbox("Judge", list(judges))
        performer = c2.selectbox("Performer", [p.name for p in snap.performers])
        c1, c2 = st.columns(2)
        add = c1.form_submit_button("Declare conflict")
        remove = c2.form_submit_button("Remove conflict")
    if add:
        report(
            lambda: competition.add_conflict(session.token, judges[judge], performer),
            f"{judge} steps aside for {performer}.",
        )
    if remove:
        report(
            lambda: competition.remove_conflict(session.token, judges[judge], performer), "Conflict removed."
        )


def rounds(snap: Snapshot, competition: Competition, session: Session, report: Report) -> None:
    st.header("Rounds")
    listing = competition.rounds()
    st.table(
        pd.DataFrame(
            [
                {
                    "Round": r["number"],
                    "Name": r["name"],
                    "Phase": r["phase"],
                    "Current": "yes" if r["current"] else "",
                }
                for r in listing
            ]  # fmt: skip
        ).map(widgets.text),
        hide_index=True,
    )
    with st.form("round_name"):
        title = st.text_input("This round's name", snap.round.name if snap.round else "Round 1", max_chars=60)
        if st.form_submit_button("Rename round"):
            report(lambda: competition.name_round(session.token, title), "Round renamed.")
    finished = snap.state.phase is Phase.FINISHED
    if not finished:
        st.caption("When this round has finished, advance performers to the next round here.")
    with st.form("next_round"):
        c1, c2, c3, c4 = st.columns(4)
        top = c1.number_input("Advance the top", min_value=1, value=1, step=1, disabled=not finished)
        scope = c2.radio("Of", ["each category", "the overall ranking"], disabled=not finished)
        name = c3.text_input("Next round's name", "", max_chars=60, disabled=not finished)
        carry = c4.text_input("Carry-over weight", "0", max_chars=6, disabled=not finished)
        chosen = st.multiselect("…or advance exactly these, in this order", [p.name for p in snap.performers])
        go = st.form_submit_button("Advance to the next round", type="primary", disabled=not finished)
    if go:

        def advance():
            _, adv = competition.next_round(
                session.token,
                top=int(top),
                per_category=scope == "each category",
                chosen=chosen or None,
                name=name.strip() or None,
                carry_weight=carry,
            )
            for note in adv.notes:
                st.warning(note)

        report(advance, "The next round is ready: check its settings, then start it from Control.")
