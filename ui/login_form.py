"""The login form and the "Log out" button: browser components that talk to the /auth routes.

Why not st.form: the password must reach a route (ui/routes_auth.py), which sets the HttpOnly cookie and
sees the client's address for throttling; a Streamlit widget's value only reaches the script.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from engine.domain.messages import N_
from ui import cookies, i18n_browser

_HERE = Path(__file__).resolve().parent
_CSS = (_HERE / "login_form.css").read_text()
_FORM = """
<form class="login" method="post" novalidate>
  <label><span data-t="Email">Email</span>
    <input name="email" type="email" autocomplete="username" maxlength="254" required></label>
  <label><span data-t="Password">Password</span>
    <input name="password" type="password" autocomplete="current-password" maxlength="256" required>
  </label>
  <button type="submit" data-t="Log in">Log in</button>
  <p class="message" role="alert" aria-live="polite"></p>
</form>
"""
_login = st.components.v2.component(
    "stagescore_login_form", html=_FORM, css=_CSS, js=(_HERE / "login_form.js").read_text()
)
# A plain form POST: the browser leaves for /auth/logout, which clears the cookie and returns to "/".
_LOGOUT_JS = """
export default function ({ data, parentElement }) {
  parentElement.querySelector("form").setAttribute("action", data.action);
  const button = parentElement.querySelector("button");
  button.textContent = (data.words || {})[button.dataset.t] || button.dataset.t;
}
"""
# The forms' own words (their HTML above); the script's are its t("…") messages.
_FORM_WORDS = (N_("Email"), N_("Password"), N_("Log in"), N_("Log out"))
_logout = st.components.v2.component(
    "stagescore_logout",
    html='<form class="logout" method="post"><button type="submit" data-t="Log out">Log out</button></form>',
    css=_CSS,
    js=_LOGOUT_JS,
)


def _path(tail: str) -> str:
    return cookies.base_path().rstrip("/") + "/" + tail


def login_form(next_path: str) -> None:
    """The form; after a login the browser opens `next_path` (a path of this app)."""
    scripts = i18n_browser.script_messages(_HERE / "login_form.js")
    words = i18n_browser.messages((*_FORM_WORDS, *scripts))
    _login(data={"action": _path("auth/login"), "next": next_path, "words": words}, key="login-form")


def logout_button() -> None:
    _logout(data={"action": _path("auth/logout"), "words": i18n_browser.messages(_FORM_WORDS)}, key="logout")


def next_path(page: object) -> str:
    """The path of the page the login was asked for (st.Page's url_path), or "" for the role's home."""
    url = getattr(page, "url_path", "")
    return _path(url) if isinstance(url, str) and url else ""
