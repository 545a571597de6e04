"""The Setup page's competition sections: running order (live changes), conflicts of interest, rounds.

Streamlit only lays out what service/competition.py decides; every user text is shown through widgets.text.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from engine.domain import schedule
from engine.domain.model import PerformerStatus, Phase, Session
from engine.domain.snapshot import PHASE_LABEL, Snapshot
from engine.service.competition import Competition
from ui import i18n, widgets, words
from ui.i18n import _

Report = Callable[[Callable[[], object], str], None]


def _position(snap: Snapshot, performer_id: str) -> int | None:
    """1-based place of a waiting performer in the running order (after whoever is on stage)."""
    state = snap.state
    first = 0 if state.phase in (Phase.SETUP, Phase.LOBBY) else state.index + 1
    tail = state.order[first:]
    return first + tail.index(performer_id) + 1 if performer_id in tail else None


def running_order(snap: Snapshot, competition: Competition, session: Session, report: Report) -> None:
    st.header(_("Running order"))
    slots = schedule.expected_starts(snap.state, snap.settings, snap.performers, snap.at)
    frame = pd.DataFrame(
        [
            {
                _("Performer"): s.name,
                _("Category"): s.category,
                _("Status"): words.status(s.status.value),
                _("Expected"): i18n.clock(s.expected_start),
            }
            for s in slots
        ]
    )
    if not frame.empty:
        st.table(frame.map(widgets.text), hide_index=True)
    behind = schedule.behind_plan(snap.state, snap.settings, snap.performers, snap.at)
    if behind:
        late = _("Behind plan by {seconds} s.") if behind > 0 else _("Ahead of plan by {seconds} s.")
        st.caption(late.format(seconds=f"{abs(behind):.0f}"))
    names = {p.name: p for p in snap.performers}
    if not names:
        return
    who = st.selectbox(_("Performer"), list(names), key="order_who")
    p = names[who]
    pos = _position(snap, p.performer_id)
    cols = st.columns(5)
    if cols[0].button(_("Move up"), disabled=pos is None):
        report(
            lambda: competition.move(session.token, who, position=max(1, pos - 1)),
            _("{name} moved up.").format(name=who),
        )
    if cols[1].button(_("Move down"), disabled=pos is None):
        report(
            lambda: competition.move(session.token, who, position=min(len(snap.state.order), pos + 1)),
            _("{name} moved down.").format(name=who),
        )
    if cols[2].button(_("Send to the end (not ready)"), disabled=pos is None):
        report(
            lambda: competition.move(session.token, who, last=True), _("{name} goes last.").format(name=who)
        )
    if cols[3].button(_("No-show"), disabled=p.status is not PerformerStatus.WAITING):
        report(
            lambda: competition.no_show(session.token, who), _("{name} is marked no-show.").format(name=who)
        )
    back = p.status in (PerformerStatus.SKIPPED, PerformerStatus.NO_SHOW)
    if cols[4].button(_("Bring back"), disabled=not back):
        report(
            lambda: competition.bring_back(session.token, who),
            _("{name} will perform later in the round.").format(name=who),
        )


def conflicts(snap: Snapshot, competition: Competition, session: Session, report: Report) -> None:
    st.header(_("Conflicts of interest"))
    judges = {j.name: j.email for j in snap.judges}
    declared = [
        {_("Judge"): j, _("Performer"): snap.performer_name(pid)}
        for pid, js in snap.conflicts.items()
        for j in js
    ]
    if declared:
        st.table(pd.DataFrame(declared).map(widgets.text), hide_index=True)
    else:
        st.caption(_("No conflicts declared."))
    if not judges or not snap.performers:
        return
    with st.form("conflict"):
        c1, c2 = st.columns(2)
        judge = c1.selectbox(_("Judge"), list(judges))
        performer = c2.selectbox(_("Performer"), [p.name for p in snap.performers])
        c1, c2 = st.columns(2)
        add = c1.form_submit_button(_("Declare conflict"))
        remove = c2.form_submit_button(_("Remove conflict"))
    if add:
        report(
            lambda: competition.add_conflict(session.token, judges[judge], performer),
            _("{judge} steps aside for {performer}.").format(judge=judge, performer=performer),
        )
    if remove:
        report(
            lambda: competition.remove_conflict(session.token, judges[judge], performer),
            _("Conflict removed."),
        )


def rounds(snap: Snapshot, competition: Competition, session: Session, report: Report) -> None:
    st.header(_("Rounds"))
    listing = competition.rounds()
    st.table(
        pd.DataFrame(
            [
                {
                    _("Round"): r["number"],
                    _("Name"): r["name"],
                    _("Phase"): _(PHASE_LABEL[Phase(r["phase"])]) if r["phase"] in set(Phase) else r["phase"],
                    _("Current"): _("yes") if r["current"] else "",
                }
                for r in listing
            ]  # fmt: skip
        ).map(widgets.text),
        hide_index=True,
    )
    with st.form("round_name"):
        title = st.text_input(
            _("This round's name"), snap.round.name if snap.round else "Round 1", max_chars=60
        )
        if st.form_submit_button(_("Rename round")):
            report(lambda: competition.name_round(session.token, title), _("Round renamed."))
    finished = snap.state.phase is Phase.FINISHED
    if not finished:
        st.caption(_("When this round has finished, advance performers to the next round here."))
    with st.form("next_round"):
        c1, c2, c3, c4 = st.columns(4)
        top = c1.number_input(_("Advance the top"), min_value=1, value=1, step=1, disabled=not finished)
        scopes = {"each category": _("each category"), "the overall ranking": _("the overall ranking")}
        scope = c2.radio(_("Of"), list(scopes), format_func=scopes.get, disabled=not finished)
        name = c3.text_input(_("Next round's name"), "", max_chars=60, disabled=not finished)
        carry = c4.text_input(_("Carry-over weight"), "0", max_chars=6, disabled=not finished)
        chosen = st.multiselect(
            _("…or advance exactly these, in this order"), [p.name for p in snap.performers]
        )
        go = st.form_submit_button(_("Advance to the next round"), type="primary", disabled=not finished)
    if go:

        def advance():
            _next, adv = competition.next_round(
                session.token,
                top=int(top),
                per_category=scope == "each category",
                chosen=chosen or None,
                name=name.strip() or None,
                carry_weight=carry,
            )
            for note in adv.notes:
                st.warning(widgets.text(i18n.text(note)))  # a category name shown as typed

        report(advance, _("The next round is ready: check its settings, then start it from Control."))
