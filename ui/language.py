"""A person's language on the pages: chosen at the start of each run (Home.py), the menu that changes it,
the document's lang and dir, and GET /language for the plain pages (/vote, /leaderboard).

The menu's choice is remembered in a cookie (ui/cookies.language_name) written by the browser: a
Streamlit script cannot set one. Right to left (Arabic) is the document's dir: Streamlit's layout is
flexbox and follows it.
"""

from __future__ import annotations

import html

import streamlit as st
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from engine.domain import stages
from engine.domain.model import InvalidInput
from ui import cookies, i18n
from ui.i18n import _

_NEXT_PATHS = ("/", "/vote", "/leaderboard")  # the plain pages that link to GET /language


def _back_to(target: str) -> str:
    """Where GET /language returns: a plain page that links to it, the board with its stage (a valid stage
    id, engine/domain/stages.py), never another site; anything else goes home."""
    path, marked, query = target.partition("?")
    if path not in _NEXT_PATHS:
        return "/"
    if not marked:
        return path
    stage = query.removeprefix("stage=") if path == "/leaderboard" and query.startswith("stage=") else None
    try:
        return f"{path}?stage={stages.check_id(stage)}"
    except InvalidInput:
        return "/"


# The menu: a native <select> (no Streamlit widget: its chunk would add to a phone's first load). A choice
# writes the cookie (no secret in it) and reloads the page, which the next run draws in that language.
# It also keeps the document's lang and dir on the language the page was drawn in.
_JS = """
export default function ({ data, parentElement }) {
  const root = document.documentElement;
  if (root.lang !== data.lang) root.lang = data.lang;
  if (root.dir !== data.dir) root.dir = data.dir;
  const select = parentElement.querySelector("select");
  parentElement.querySelector(".label").textContent = data.label;
  if (!select.options.length) {
    for (const [code, name] of data.languages) {
      const option = document.createElement("option");
      option.value = code;
      option.lang = code;
      option.textContent = name;
      select.appendChild(option);
    }
  }
  select.value = data.lang;
  select.onchange = () => {
    const secure = location.protocol === "https:" ? "; secure" : "";
    const lasting = `path=${data.path}; max-age=${data.max_age}; samesite=lax${secure}`;
    document.cookie = `${data.cookie}=${select.value}; ${lasting}`;
    location.reload();
  };
}
"""
_CSS = """
label { display: flex; gap: 0.5rem; align-items: center; font-size: 0.875rem; }
select { font: inherit; padding: 0.25rem; border-radius: 0.25rem; }
"""


def _every_language_word() -> str:
    """ "Language" in every language Stagescore speaks: the menu's name from its first paint, before its
    script puts the reader's one (axe once found the Arabic Setup page's menu nameless in between)."""
    words = []
    for code in i18n.LANGUAGES:
        with i18n.using(code):
            words.append(_("Language"))
    return html.escape(" / ".join(dict.fromkeys(words)))


_NAMED = _every_language_word()
_component = st.components.v2.component(
    "stagescore_language",
    html=f"<label><span class='label'>{_NAMED}</span><select name='language'></select></label>",
    css=_CSS,
    js=_JS,
)


def settle() -> str:
    """This session's language: its cookie, else Accept-Language, else STAGESCORE_LANGUAGE. Home.py calls
    it before anything is drawn; the menu's choice arrives as the cookie of the reloaded page."""
    code = i18n.choose(
        st.context.cookies.get(cookies.language_name()), st.context.headers.get("accept-language")
    )
    st.session_state[i18n.SESSION_KEY] = code
    return code


def menu() -> None:
    """The language menu (in the sidebar) and the document's lang and dir."""
    code = i18n.current()
    shown = dict(i18n.LANGUAGES) if code in i18n.LANGUAGES else {**i18n.LANGUAGES, code: code}
    _component(
        data={
            "lang": code,
            "dir": i18n.direction(code),
            "label": _("Language"),
            "languages": list(shown.items()),
            "cookie": cookies.language_name(),
            "path": cookies.base_path(),
            "max_age": cookies.DEVICE_DAYS * 86400,
        },
        key="language",
    )


def html_attributes(code: str) -> str:
    """`lang="ar" dir="rtl"`: the <html> tag's attributes for a page in `code` (a known code only)."""
    return f'lang="{code}" dir="{i18n.direction(code)}"'


async def choose_route(request: Request) -> Response:
    """GET /language?to=es&next=/vote: remember the language, then back to the page (a plain page's menu)."""
    target = request.query_params.get("next", "/")
    path = _back_to(target)
    response = RedirectResponse(cookies.base_path().rstrip("/") + path, status_code=303)
    if code := i18n.normalize(request.query_params.get("to")):
        cookies.set_language(response, request, code)
    response.headers["Cache-Control"] = "no-store"
    return response


ROUTES = [Route("/language", choose_route)]
