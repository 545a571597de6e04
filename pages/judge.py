import streamlit as st

from engine.domain.model import Role, StagescoreError
from ui import data, nav, widgets
from ui.auth import require
from ui.components.judge import judge_screen

# Runs once: the live screen below follows the event in the browser (ui/components/judge.js), the admin's
# "Please check your score" requests included. Only the judge's own clicks on the two buttons re-run it.
session = require(Role.JUDGE, nav.JUDGE_PAGE)
st.title("📝 Score")
st.caption(f"Judging as {widgets.text(session.name)}")
judge_screen(session)

st.divider()
col1, col2 = st.columns(2)
if col1.button("🙋 Call the admin", width="stretch"):
    try:
        data.of_judge(session.email).raise_flag(session.token, True)
        st.toast("The admin has been called.", icon="🙋")
    except StagescoreError as e:
        st.error(str(e))
if col2.button("Cancel the call", width="stretch"):
    try:
        data.of_judge(session.email).raise_flag(session.token, False)
        st.toast("Call cancelled.")
    except StagescoreError as e:
        st.error(str(e))
