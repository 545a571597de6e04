"""What pages show of judging as the sports do it: Setup's panels section (sub-panels are the criteria
table's "judges" column; shadow judges, the head judge, criteria added up, the deduction catalogue), the
head judge's (or an admin's) deduction form, and a calibration card. Text only; every write goes through
`svc.panels` (engine/service/panels.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.domain import calibration, deductions
from engine.domain.messages import N_
from engine.domain.model import Session, Settings, StagescoreError
from engine.domain.scoring import display
from engine.domain.snapshot import Snapshot
from ui import data, widgets
from ui.admin import report
from ui.i18n import _

SUB_PANELS = N_(
    "Criteria: each has a range, a step and a weight; a judge's score is their weighted mean (or sum, "
    "below). A sub-panel's judges: their emails, comma-separated (blank: every judge scores it); each "
    "criterion is then totalled over its own panel by the rule."
)


def setup(svc, session: Session, settings: Settings, emails: list[str], started: bool) -> None:
    """Setup's section: shadow judges and criteria added up (locked once started), the head judge and
    the deduction catalogue."""
    st.header(_("Panels and deductions"))
    with st.form("panels"):
        summed = st.checkbox(
            _("Add the criteria up (weighted) instead of averaging them"),
            settings.criteria_sum,
            disabled=started,
        )
        known = sorted({*emails, *settings.shadows})
        shadows = st.multiselect(
            _("Shadow judges (score like the panel, never counted nor shown)"),
            known,
            list(settings.shadows),
            disabled=started,
        )
        heads = [
            _("(none: admins only)"),
            *sorted({*emails, *([settings.head_judge] if settings.head_judge else [])}),
        ]
        head = st.selectbox(
            _("Head judge (enters deductions, sees every calibration card)"),
            heads,
            heads.index(settings.head_judge) if settings.head_judge in heads else 0,
        )
        st.caption(
            _("Deductions the head judge can enter, each with its points and an optional cap per performer.")
        )
        rows = [
            {"name": k.name, "points": str(k.points), "cap": "" if k.cap is None else str(k.cap)}
            for k in settings.deductions
        ]
        table = pd.DataFrame(rows or [{"name": "", "points": "", "cap": ""}], dtype=str)
        edited = st.data_editor(
            table,
            num_rows="dynamic",
            key="deduction_catalogue",
            hide_index=True,
            column_config={  # the fields keep their names (parse_catalogue reads them)
                "name": st.column_config.TextColumn(_("Deduction")),
                "points": st.column_config.TextColumn(_("Points")),
                "cap": st.column_config.TextColumn(_("At most, per performer")),
            },
        )
        saved = st.form_submit_button(_("Save panels and deductions"))
    if saved:

        def apply():
            kinds = deductions.parse_catalogue(edited.to_dict("records"))
            changes = {"head_judge": "" if head == heads[0] else head, "deductions": kinds}
            if not started:
                changes |= {"criteria_sum": summed, "shadows": tuple(shadows)}
            svc.update_settings(session.token, settings.with_changes(**changes))

        report(apply, _("Panels and deductions saved."))


def deduction_form(svc, session: Session, snap: Snapshot) -> None:
    """Enter a deduction or a penalty for the performer on stage (or one who has performed), until the
    results are official; then each performer's deductions so far."""
    if not deductions.may_enter(snap.settings, session.email, session.role):
        return
    st.subheader(_("Deductions and penalties"))
    done = [p for p in snap.performers if p.status in deductions.PERFORMED]
    if not done:
        st.caption(_("Deductions open once the first performer is on stage."))
        return
    on_stage = snap.state.performer_id
    names = {p.performer_id: p.name for p in done}
    ids = list(names)
    kinds = [k.name for k in snap.settings.deductions]
    with st.form("deduction", clear_on_submit=True):
        pid = st.selectbox(
            _("Performer"),
            ids,
            ids.index(on_stage) if on_stage in ids else len(ids) - 1,
            format_func=names.get,
        )
        kind = st.selectbox(_("Deduction"), [*kinds, _("Penalty (points and a reason)")])
        c1, c2 = st.columns(2)
        count = c1.number_input(_("How many"), 1, deductions.MAX_COUNT, 1, 1)
        points = c2.text_input(_("Penalty points"), max_chars=10)
        reason = st.text_input(_("Penalty reason"), max_chars=200)
        entered = st.form_submit_button(_("Enter deduction"), type="primary")
    if entered:
        try:
            if kind in kinds:
                d = svc.panels.deduct(session.token, pid, kind, count)
            else:
                d = svc.panels.deduct(session.token, pid, None, points=points, reason=reason)
        except StagescoreError as e:
            st.error(str(e))
        else:
            st.success(f"Deducted {d.points} from {names[pid]} ({d.reason}).")
            data.refresh()
    for p in done:
        lines = deductions.lines(snap.settings, snap.deductions, p.performer_id)
        if lines:
            st.caption(f"{widgets.text(p.name)}: " + " · ".join(widgets.text(x) for x in lines))


def card(svc, session: Session, judge: str | None = None) -> None:
    """A calibration card: the viewer's own, or `judge`'s (the head judge's or an admin's choice); one
    sentence when it may not be opened (yet)."""
    try:
        c = svc.panels.card(session.token, judge)
    except StagescoreError as e:
        st.info(_(str(e)))
        return
    st.subheader(_("Calibration card: {judge}").format(judge=widgets.text(c.judge)))
    if not c.rows:
        st.caption(_("No marks to compare."))
        return
    frame = pd.DataFrame(
        [
            {_("Performer"): r.performer, _("Criterion"): r.criterion, _("Mark"): display(r.mark),
             _("Panel median"): display(r.median), _("Deviation"): display(r.deviation)}
            for r in c.rows
        ]
    )  # fmt: skip
    st.table(frame.map(widgets.text), hide_index=True)
    for criterion, rho in c.rho.items():
        shown = "—" if rho is None else f"{rho:.2f}"
        line = _("{criterion}: rank correlation (Spearman) with the panel {rho}")
        st.caption(line.format(criterion=widgets.text(criterion), rho=shown))


def card_picker(svc, session: Session, snap: Snapshot) -> None:
    """The head judge's or an admin's view of any judge's card."""
    if not calibration.may_open(snap.settings, session.email, session.role, ""):
        return
    judges = [*snap.panel, *snap.settings.shadows]
    if judges:
        card(svc, session, st.selectbox(_("Calibration card of"), judges, key="card_of"))
