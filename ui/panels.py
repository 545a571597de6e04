"""What pages show of judging as the sports do it: Setup's panels section (sub-panels are the criteria
table's "judges" column; shadow judges, the head judge, criteria added up, the deduction catalogue), the
head judge's (or an admin's) deduction form, and a calibration card. Text only; every write goes through
`svc.panels` (engine/service/panels.py)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.domain import calibration, deductions, overtime
from engine.domain.messages import N_
from engine.domain.model import Session, Settings, StagescoreError, TimeRule
from engine.domain.scoring import display
from engine.domain.snapshot import Snapshot
from ui import data, i18n, widgets
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
        edited = _catalogue(settings)
        timing = _time_fields(settings.time_rule, started)
        saved = st.form_submit_button(_("Save panels and deductions"))
    if saved:

        def apply():
            kinds = deductions.parse_catalogue(edited.to_dict("records"))
            changes = {"head_judge": "" if head == heads[0] else head, "deductions": kinds}
            if not started:
                changes |= {
                    "criteria_sum": summed,
                    "shadows": tuple(shadows),
                    "time_rule": overtime.parse(*timing),
                }
            svc.update_settings(session.token, settings.with_changes(**changes))

        report(apply, _("Panels and deductions saved."))


def _catalogue(settings: Settings) -> pd.DataFrame:
    st.caption(
        _("Deductions the head judge can enter, each with its points and an optional cap per performer.")
    )
    rows = [
        {"name": k.name, "points": str(k.points), "cap": "" if k.cap is None else str(k.cap)}
        for k in settings.deductions
    ]
    table = pd.DataFrame(rows or [{"name": "", "points": "", "cap": ""}], dtype=str)
    return st.data_editor(
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


def _time_fields(rule: TimeRule, started: bool) -> tuple:
    """The time limit and its penalty (locked once started): over the limit by any amount, points off;
    plus points per full step of seconds beyond it; at most a cap. What overtime.parse takes."""
    st.caption(
        _("Time limit (0: none), timed from the performance's start to the admin's Performance done: over "
          "it, the points below; plus points per full step of seconds beyond it; at most the cap.")
    )  # fmt: skip
    c = st.columns(5)
    limit = c[0].number_input(_("Time limit (s)"), 0, overtime.MAX_LIMIT, rule.limit, 1, disabled=started)
    points = c[1].text_input(_("Over it: points"), str(rule.points or ""), max_chars=10, disabled=started)
    step_points = c[2].text_input(
        _("Plus points per step"), str(rule.step_points or ""), max_chars=10, disabled=started
    )
    step = c[3].number_input(_("Step (s)"), 0, 3600, rule.step_seconds, 1, disabled=started)
    cap = c[4].text_input(
        _("At most"), "" if rule.cap is None else str(rule.cap), max_chars=10, disabled=started
    )
    return limit, points, step_points, step, cap


def deduction_form(svc, session: Session, snap: Snapshot) -> None:
    """Enter a deduction or a penalty for the performer on stage (or one who has performed), or withdraw one
    entered by mistake, until the results are official; then each performer's deductions so far."""
    if not deductions.may_enter(snap.settings, session.email, session.role):
        return
    st.subheader(_("Deductions and penalties"))
    done = [p for p in snap.performers if p.status in deductions.PERFORMED]
    if not done:
        st.caption(_("Deductions open once the first performer is on stage."))
        return
    _enter(svc, session, snap, done)
    _withdraw(svc, session, snap)
    for p in done:
        lines = deductions.lines(snap.settings, snap.deductions, p.performer_id)
        if p.performed_seconds is not None:
            lines.insert(0, _("Time {clock}").format(clock=overtime.clock(p.performed_seconds)))
        if lines:
            st.caption(f"{widgets.text(p.name)}: " + " · ".join(widgets.text(i18n.text(x)) for x in lines))


def _enter(svc, session: Session, snap: Snapshot, done: list) -> None:
    names = {p.performer_id: p.name for p in done}
    ids, on_stage = list(names), snap.state.performer_id
    kinds = [k.name for k in snap.settings.deductions]
    timed = [_("Time penalty (the time measured at Done)")] if snap.settings.time_rule.limit else []
    with st.form("deduction", clear_on_submit=True):
        pid = st.selectbox(
            _("Performer"),
            ids,
            ids.index(on_stage) if on_stage in ids else len(ids) - 1,
            format_func=names.get,
        )
        kind = st.selectbox(_("Deduction"), [*kinds, *timed, _("Penalty (points and a reason)")])
        c1, c2 = st.columns(2)
        count = c1.number_input(_("How many"), 1, deductions.MAX_COUNT, 1, 1)
        points = c2.text_input(_("Penalty points"), max_chars=10)
        reason = st.text_input(_("Penalty reason"), max_chars=200)
        entered = st.form_submit_button(_("Enter deduction"), type="primary")
    if not entered:
        return
    try:
        if kind in kinds:
            d = svc.panels.deduct(session.token, pid, kind, count)
        elif kind in timed:
            d = svc.panels.deduct(session.token, pid, timed=True)
        else:
            d = svc.panels.deduct(session.token, pid, None, points=points, reason=reason)
    except StagescoreError as e:
        st.error(i18n.error_text(e))
        return
    if d is None:  # a time penalty within the limit, or entered already
        st.info(_("No time penalty entered for {name}: within the limit, or entered already.").format(
            name=widgets.text(names[pid])))  # fmt: skip
        return
    st.success(_("Deducted {points} from {name} ({reason}).").format(
        points=d.points, name=widgets.text(names[pid]), reason=widgets.text(d.reason)))  # fmt: skip
    data.refresh()


def _withdraw(svc, session: Session, snap: Snapshot) -> None:
    """A deduction entered by mistake, withdrawn: it no longer comes off; the log keeps it and the
    withdrawal."""
    if not snap.deductions:
        return
    entries = {e.entry_id: e for e in sorted(snap.deductions, key=lambda e: (e.at, e.entry_id))}
    with st.form("withdraw_deduction"):
        chosen = st.selectbox(  # the latest entered by default: the likeliest mistake
            _("Deduction entered by mistake"),
            list(entries),
            len(entries) - 1,
            format_func=lambda i: i18n.text(
                deductions.label(entries[i], snap.performer_name(entries[i].performer_id))
            ),
        )
        withdrawn = st.form_submit_button(_("Withdraw deduction"))
    if withdrawn:
        try:
            d = svc.panels.withdraw(session.token, chosen)
        except StagescoreError as e:
            st.error(i18n.error_text(e))
        else:
            st.success(_("Withdrawn: {points} from {name} ({reason}).").format(
                points=d.points, name=widgets.text(snap.performer_name(d.performer_id)),
                reason=widgets.text(d.reason)))  # fmt: skip
            data.refresh()


def card(svc, session: Session, judge: str | None = None) -> None:
    """A calibration card: the viewer's own, or `judge`'s (the head judge's or an admin's choice); one
    sentence when it may not be opened (yet)."""
    try:
        c = svc.panels.card(session.token, judge)
    except StagescoreError as e:
        st.info(i18n.error_text(e))
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
