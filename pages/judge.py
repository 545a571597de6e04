import streamlit as st

from engine.domain.model import Role, StagescoreError
from ui import data, nav, panels, widgets
from ui.auth import require
from ui.components.judge import judge_screen
from ui.i18n import _, error_text

# Runs once: the live screen below follows the event in the browser (ui/components/judge.js), the admin's
# "Please check your score" requests included. Only the judge's own clicks on the two buttons re-run it.
session = require(Role.JUDGE, nav.JUDGE_PAGE)
st.title(_("Score"))
st.caption(_("Judging as {name}").format(name=widgets.text(session.name)))
judge_screen(session)

st.divider()
col1, col2 = st.columns(2)
if col1.button(_("Call the admin"), width="stretch"):
    try:
        data.of_judge(session.email).raise_flag(session.token, True)
        st.toast(_("The admin has been called."))
    except StagescoreError as e:
        st.error(error_text(e))
if col2.button(_("Cancel the call"), width="stretch"):
    try:
        data.of_judge(session.email).raise_flag(session.token, False)
        st.toast(_("Call cancelled."))
    except StagescoreError as e:
        st.error(error_text(e))

# The head judge's deductions (a fragment: the performer on stage moves on); each judge's calibration card
# once the results are official (`?card=EMAIL`: another judge's, which only the head judge may open).
svc = data.of_judge(session.email)


@data.live(2)
def deductions() -> None:
    snap = data.snapshot(stage_id=svc.stage_id())
    if snap is not None:
        panels.deduction_form(svc, session, snap)


snap = data.snapshot(stage_id=svc.stage_id())
if snap is not None and snap.settings.head_judge == session.email:
    deductions()
asked = st.query_params.get("card")
if snap is not None and (asked or (snap.release and snap.release.official)):
    st.divider()
    panels.card(svc, session, asked)
    if snap.settings.head_judge == session.email:
        panels.card_picker(svc, session, snap)
