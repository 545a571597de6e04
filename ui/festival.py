"""The festival desk's parts (pages/admin_festival.py): every stage at a glance, the clashes, adding a
stage and putting judges on stages."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from engine.domain.model import Session
from engine.views import festival
from ui import data, nav, widgets
from ui.admin import report
from ui.i18n import _


def _said(row: dict) -> dict:
    """A festival desk line (engine/views/festival.py) in the reader's language; the stage's name as typed."""
    said = {}
    for key, value in row.items():
        if key in ("stage", "Stage", "On stage") or not isinstance(value, str):
            said[key if key == "stage" else _(key)] = value
            continue
        if value.endswith(" (paused)"):
            value = _(value.removesuffix(" (paused)")) + " (" + _("paused") + ")"
        elif minutes := re.fullmatch(r"(\d+) min", value):
            value = _("{n} min").format(n=minutes.group(1))
        else:
            value = _(value)
        said[_(key)] = value
    return said


def overview() -> None:
    """One line per stage (what is on, phase, time left, behind plan, scores in, engine) and a link to
    each stage's own control desk."""
    svc = data.service()
    views = svc.stages.overview(svc)
    now = svc.clock()
    rows = [_said(festival.desk_row(v, now)) for v in views]
    frame = pd.DataFrame(rows).drop(columns="stage").map(widgets.text)
    st.table(frame, hide_index=True)  # text in the page (a reader and a test can read it), a row a stage
    links = st.columns(min(len(views), 4))
    for i, view in enumerate(views):
        links[i % len(links)].page_link(
            nav.CONTROL_PAGE,
            label=_("{stage}: control desk").format(stage=view.stage.name),
            icon=":material/tune:",
            query_params={"stage": view.stage.stage_id},
        )
    found = svc.stages.clashes(svc)
    if not found:
        st.caption(_("No clashes between the stages."))
    for clash in found:
        st.warning(widgets.text(clash.sentence), icon=":material/warning:")


def add_stage(session: Session) -> None:
    with st.form("add-stage", clear_on_submit=True):
        st.subheader(_("Add a stage"))
        name = st.text_input(_("Name"), max_chars=60, placeholder=_("Ballroom B"))
        stage_id = st.text_input(
            _("Id (optional)"),
            max_chars=32,
            help=_("Lower-case letters, digits and hyphens; made from the name if empty."),
        )
        if st.form_submit_button(_("Add the stage")):
            report(
                lambda: data.service().stages.add(session.token, name, stage_id.strip() or None),
                _("Stage {name} added: create its event in Setup with the stage chosen in the menu.").format(
                    name=name.strip()
                ),
                toast=True,
            )


def judges(session: Session) -> None:
    """Each judge's stage, changed with a choice per judge (the judge's screen follows within seconds)."""
    svc = data.service()
    listed = data.stages()
    names = {s.stage_id: s.name for s in listed}
    st.subheader(_("Judges and their stages"))
    for account, stage_id in svc.stages.judges(session.token):
        c1, c2 = st.columns([3, 2])
        c1.write(widgets.text(f"{account.name} ({account.email})"))
        options = list(names) if stage_id in names else [stage_id, *names]
        chosen = c2.selectbox(
            _("Stage"),
            options,
            index=options.index(stage_id),
            format_func=lambda s: names.get(s, s),
            key=f"judge-stage-{account.email}",
            label_visibility="collapsed",
        )
        if chosen != stage_id:
            report(
                lambda e=account.email, c=chosen: svc.stages.assign(session.token, e, c),
                _("{name} now judges on {stage}.").format(name=account.name, stage=names.get(chosen, chosen)),
                toast=True,
            )
