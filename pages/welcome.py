import streamlit as st

from ui.auth import current

st.title("🎤 Stagescore")
st.write("Live scoring for talent shows, dance and music competitions and pitch contests.")
session = current()
c1, c2, c3 = st.columns(3)
c1.page_link("pages/leaderboard.py", label="Live board", icon="📺")
c2.page_link("pages/results.py", label="Results", icon="🏆")
if session is None:
    c3.page_link("pages/login.py", label="Judges and admin: log in", icon="🔑")
elif session.role.value == "judge":
    c3.page_link("pages/judge.py", label="Score", icon="📝")
else:
    c3.page_link("pages/admin_control.py", label="Control desk", icon="🎛️")
