"""Every page is always registered, so every URL works (a protected page runs its own gate);
the menu shows only the role's pages."""

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


def build():
    pages = []
    for entries in (PUBLIC, JUDGE, ADMIN):
        for path, title, icon, url, default in entries:
            pages.append(st.Page(path, title=title, icon=icon, url_path=url, default=default))
    path, title, icon, url, default = LOGIN
    pages.append(st.Page(path, title=title, icon=icon, url_path=url))
    # Our own menu (below) rather than Streamlit's: it lists exactly the role's pages, and
    # client.showSidebarNavigation = false keeps the pages/ folder's auto-discovered list away.
    return st.navigation(pages, position="hidden")


def menu() -> None:
    session = current()
    role = session.role if session else None
    entries = list(PUBLIC)
    if role is Role.JUDGE:
        entries += JUDGE
    elif role is Role.ADMIN:
        entries += ADMIN
    else:
        entries.append(LOGIN)
    with st.sidebar:
        for path, title, icon, _url, _default in entries:
            st.page_link(path, label=title, icon=icon)
        if session:
            st.caption(f"Logged in as {session.name} ({session.role.value})")
            if st.button("Log out", key="logout"):
                logout()
                st.switch_page("pages/welcome.py")
