"""Every page is always registered, so every URL works; the menu shows only the role's pages."""

from __future__ import annotations

import streamlit as st

from engine.model import Role
from ui.auth import current, logout

PUBLIC = [
    ("pages/welcome.py", "Stagescore", "🎤", "welcome", True),
    ("pages/leaderboard.py", "Live board", "📺", "leaderboard", False),
    ("pages/results.py", "Results", "🏆", "results", False),
]
JUDGE = [("pages/judge.py", "Score", "📝", "judge", False)]
ADMIN = [
    ("pages/admin_control.py", "Control", "🎛️", "admin", False),
    ("pages/admin_setup.py", "Setup", "🛠️", "admin-setup", False),
    ("pages/admin_scores.py", "Scores & analytics", "📊", "admin-scores", False),
    ("pages/admin_log.py", "Log & exports", "🧾", "admin-log", False),
]
LOGIN = ("pages/login.py", "Log in", "🔑", "login", False)


def build(kiosk: bool = False):
    session = current()
    role = session.role if session else None
    visible = {"public"}
    if role is Role.JUDGE:
        visible.add("judge")
    if role is Role.ADMIN:
        visible.add("admin")
    groups = {"public": PUBLIC, "judge": JUDGE, "admin": ADMIN}
    pages = []
    for group, entries in groups.items():
        for path, title, icon, url, default in entries:
            shown = group in visible and not kiosk
            pages.append(st.Page(path, title=title, icon=icon, url_path=url, default=default,
                                 visibility="visible" if shown else "hidden"))
    path, title, icon, url, default = LOGIN
    pages.append(st.Page(path, title=title, icon=icon, url_path=url,
                         visibility="hidden" if session or kiosk else "visible"))
    return st.navigation(pages, position="hidden" if kiosk else "sidebar")


def account_box() -> None:
    session = current()
    with st.sidebar:
        if session:
            st.caption(f"Logged in as {session.name} ({session.role.value})")
            if st.button("Log out", key="logout"):
                logout()
                st.switch_page("pages/welcome.py")
