import streamlit as st

from engine.model import Role, StagescoreError
from ui import data, nav, results_desk, widgets
from ui.auth import require
from ui.components.judge import judge_screen

# Runs once: the live screen below follows the event in the browser (ui/components/judge.js). Only the
# judge's own clicks on the two buttons re-run this page.
session = require(Role.JUDGE, nav.JUDGE_PAGE)
st.title("📝 Score")
st.caption(f"Judging as {widgets.text(session.name)}")
# A check request from the admin (issue 11) shows when the page runs: at the start and after any click.
results_desk.judge_check(session)
judge_screen(session)

st.divider()
col1, col2 = st.columns(2)
if col1.button("🙋 Call the admin", width="stretch"):
    try:
        data.service().raise_flag(session.token, True)
        st.toast("The admin has been called.", icon="🙋")
    except StagescoreError as e:
        st.error(str(e))
if col2.button("Cancel the call", width="stretch"):
    try:
        data.service().raise_flag(session.token, False)
        st.toast("Call cancelled.")
    except StagescoreError as e:
        st.error(str(e))
