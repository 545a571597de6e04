import streamlit as st

from engine.model import StagescoreError
from ui.auth import current, login
from ui.data import UNREACHABLE

HOME = {"judge": "pages/judge.py", "admin": "pages/admin_control.py"}

st.title("Log in")
if message := st.session_state.pop("login_message", None):
    st.warning(message)
if session := current():
    st.success(f"You are logged in as {session.name}.")
    st.page_link(HOME[session.role.value], label="Continue")
    st.stop()

with st.form("login"):
    email = st.text_input("Email", max_chars=254, autocomplete="username")
    password = st.text_input("Password", type="password", max_chars=256, autocomplete="current-password")
    submitted = st.form_submit_button("Log in", type="primary")

if submitted:
    try:
        session = login(email, password)
    except StagescoreError as e:
        st.error(str(e) if "unreachable" not in str(e) else UNREACHABLE)
    except Exception:
        st.error(UNREACHABLE)
    else:
        target = st.session_state.pop("next_page", None) or HOME[session.role.value]
        st.switch_page(target)
