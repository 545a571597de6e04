"""Languages: each person reads Stagescore in their own, from the message catalogues in locales/ (gettext,
Babel).

Which language: the one a person chose from the menu (a cookie, ui/language.py), else the first of their
browser's Accept-Language that Stagescore speaks, else STAGESCORE_LANGUAGE (default en). English is the
source text: a message without a translation is said in English.

    from ui.i18n import _, ngettext
    st.title(_("Results"))
    st.caption(_("Judging as {name}").format(name=widgets.text(session.name)))

Pages read their language from the session (set by Home.py each run, ui/language.py); a route passes the
request's (`for_request`) or runs under `using(code)`. User data (names, comments, categories) is never
looked up: only literal messages are. Dates, times and numbers are formatted for the language with Babel.
The words of our own pages and scripts (the vote page, the overlays, the components): ui/i18n_browser.py.
"""

from __future__ import annotations

import contextlib
import functools
import gettext as _gettext
import io
import os
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.support import LazyProxy, Translations

from engine.domain.messages import N_, Said, Wording

LOCALES = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
DEFAULT = "en"
# Each language in its own words: the menu shows these, never translated.
LANGUAGES = {"en": "English", "es": "Español", "fr": "Français", "de": "Deutsch", "ar": "العربية"}
RIGHT_TO_LEFT = frozenset({"ar"})
SESSION_KEY = "_stagescore_language"  # the language of a Streamlit session's pages (ui/language.py)

_extra: dict[
    str, _gettext.NullTranslations
] = {}  # catalogues registered at run time (the tests' pseudo-locale)
_active: ContextVar[str | None] = ContextVar("stagescore_language", default=None)

__all__ = ["N_", "_", "gettext", "ngettext", "lazy"]


def known() -> tuple[str, ...]:
    return (*LANGUAGES, *_extra)


def register(code: str, translations: _gettext.NullTranslations) -> None:
    """A catalogue that is not in locales/ (tests/support/pseudo.py's `xx`)."""
    _extra[code] = translations


def unregister(code: str) -> None:
    _extra.pop(code, None)


def normalize(tag: object) -> str | None:
    """The language Stagescore speaks for a tag ("es", "es-MX", "de_AT"), or None."""
    if not isinstance(tag, str) or not 1 < len(tag) <= 35:
        return None
    base = tag.strip().replace("_", "-").split("-")[0].lower()
    return base if base in known() else None


def from_accept_language(header: str | None) -> str | None:
    """The first language of an Accept-Language header, by quality, that Stagescore speaks."""
    wanted: list[tuple[float, int, str]] = []
    for i, part in enumerate((header or "")[:500].split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                continue
        if quality > 0 and (code := normalize(tag)):
            wanted.append((-quality, i, code))
    return min(wanted)[2] if wanted else None


def default(env: Mapping[str, str] = os.environ) -> str:
    """STAGESCORE_LANGUAGE when Stagescore speaks it, else English."""
    return normalize(env.get("STAGESCORE_LANGUAGE", "")) or DEFAULT


def choose(cookie: str | None, accept_language: str | None) -> str:
    """A person's language: their cookie's, else their browser's, else the deployment's."""
    return normalize(cookie) or from_accept_language(accept_language) or default()


def cookie_name() -> str:
    from ui import cookies

    return cookies.language_name()


def for_request(request) -> str:
    """The language of a Starlette request (its cookie, then its Accept-Language)."""
    return choose(request.cookies.get(cookie_name()), request.headers.get("accept-language"))


def direction(code: str) -> str:
    return "rtl" if code in RIGHT_TO_LEFT else "ltr"


@functools.cache
def _catalogue(code: str) -> _gettext.NullTranslations:
    """The compiled catalogue (`make locales`); read from its .po when the .mo is missing or older."""
    if code == DEFAULT:
        return _gettext.NullTranslations()
    po = LOCALES / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as f:
            return Translations(f, domain=DOMAIN)
    if not po.exists():
        return _gettext.NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with po.open("rb") as f:
        catalog = read_po(f, locale=code, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def catalogue(code: str) -> _gettext.NullTranslations:
    return _extra.get(code) or _catalogue(code)


def current() -> str:
    """The language of what is being drawn: a route's `using`, else the Streamlit session's, else the
    deployment's."""
    code = _active.get()
    if code:
        return code
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None:
        code = _session_language(ctx)
    return code if code in known() else default()


def _session_language(ctx) -> str | None:
    try:
        return ctx.session_state[SESSION_KEY]
    except KeyError:
        return None


@contextlib.contextmanager
def using(code: str) -> Iterator[None]:
    """Translate in `code` within the block (a route drawing a page or a sentence)."""
    token = _active.set(code)
    try:
        yield
    finally:
        _active.reset(token)


def gettext(message: str) -> str:
    if not message:  # gettext("") is the catalogue's header, never a message
        return message
    return catalogue(current()).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalogue(current()).ngettext(singular, plural, n)


def lazy(message: str) -> LazyProxy:
    """A module-level constant translated where it is used, in that person's language."""
    return LazyProxy(gettext, message, enable_cache=False)


def error_text(error: BaseException) -> str:
    """An engine refusal in the reader's language: its template looked up, its blanks filled after."""
    template = getattr(error, "template", None)
    if not isinstance(template, str) or not template:
        return str(error)
    return _filled(template, getattr(error, "blanks", {}) or {}, str(error))


def text(value: object) -> str:
    """An engine phrase (engine/domain/messages.Said: a phase's name, a score's range, a deduction's line)
    in the reader's language; any other value as it is (user data is never looked up)."""
    if not isinstance(value, Said):
        return str(value)
    return _filled(value.template, value.blanks, str(value))


def sheet_wording(code: str) -> Wording:
    """A PDF sheet's language for a reader of `code`: `text` in it wherever it is called (a worker thread:
    engine/views/sheets.py), and whether it reads right to left (the sheet mirrors its page then, or says
    itself in English where it cannot draw Arabic: no Unicode font, no text shaping)."""

    def say(value: object) -> str:
        with using(code):
            return text(value)

    return Wording(say, code in RIGHT_TO_LEFT)


def _filled(template: str, blanks: Mapping[str, object], english: str) -> str:
    translated = gettext(template)
    try:  # a blank that is itself a phrase is said in the reader's language too
        return translated.format(**{k: text(v) for k, v in blanks.items()}) if blanks else translated
    except (KeyError, IndexError, ValueError):  # a translation that lost a blank: say it in English
        return english


# Dates, times and numbers: Babel's patterns for the language, with Latin digits everywhere (a score reads
# the same on the judge's phone and the projector).
@functools.cache
def _locale(code: str) -> Locale:
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(DEFAULT)


def number(value: Decimal | float | int | str, places: int | None = None) -> str:
    """A number as the reader writes it ("8.50", "8,50"); `places` fixes the decimals shown."""
    value = Decimal(str(value))
    pattern = None if places is None else "0" + ("." + "0" * places if places else "")
    return babel_numbers.format_decimal(
        value, format=pattern, locale=_locale(current()), numbering_system="latn"
    )


def clock(ts: float | None) -> str:
    """A time of day on the 24-hour clock ("21:40"), in the server's time zone, as the reader writes one."""
    if ts is None:
        return "—"
    return babel_dates.format_skeleton("Hm", datetime.fromtimestamp(ts), locale=_locale(current()))


def moment(ts: float | None) -> str:
    """A date and time, short, as the reader writes one."""
    if ts is None:
        return "—"
    return babel_dates.format_datetime(datetime.fromtimestamp(ts), format="short", locale=_locale(current()))


def said(request, message: str) -> str:
    """A route's sentence (a constant) in the language of the request."""
    with using(for_request(request)):
        return gettext(message)


def refusal(request, error: BaseException) -> str:
    """An engine refusal in the language of the request."""
    with using(for_request(request)):
        return error_text(error)
