"""ui/i18n.py: which language a person gets, what a message, an engine refusal, a number and a time say in
it, and that the catalogues stay in step with the code (`make messages`)."""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from starlette.applications import Starlette
from starlette.testclient import TestClient

from engine.domain.messages import N_
from engine.domain.model import InvalidInput
from tests.support import pseudo
from ui import i18n, i18n_browser, language, page_head

ROOT = Path(__file__).resolve().parents[2]
BLANK = re.compile(r"\{(\w*)\}")


@pytest.fixture
def pseudo_xx():
    pseudo.install()
    yield
    pseudo.uninstall()


def test_accept_language_picks_the_best_language_stagescore_speaks():
    assert i18n.from_accept_language("fr-CH, fr;q=0.9, en;q=0.8") == "fr"
    assert i18n.from_accept_language("pt-BR, de;q=0.5, ar;q=0.7") == "ar"  # by quality, not by order
    assert i18n.from_accept_language("es-MX") == "es"
    assert i18n.from_accept_language("pt, it;q=0.9") is None
    assert i18n.from_accept_language("de;q=0, en;q=0.1") == "en"  # q=0: not wanted
    assert i18n.from_accept_language("ar;q=abc, es") == "es"  # a malformed quality is skipped
    assert i18n.from_accept_language(None) is None


def test_the_cookie_beats_the_browser_which_beats_the_deployment(monkeypatch):
    monkeypatch.setenv("STAGESCORE_LANGUAGE", "de")
    assert i18n.choose("ar", "es") == "ar"
    assert i18n.choose(None, "es") == "es"
    assert i18n.choose("klingon", "pt") == "de"
    monkeypatch.setenv("STAGESCORE_LANGUAGE", "xx-unknown")
    assert i18n.choose(None, None) == "en"
    monkeypatch.delenv("STAGESCORE_LANGUAGE")
    assert i18n.choose(None, None) == "en"


def test_arabic_is_right_to_left_and_the_others_left_to_right():
    assert [i18n.direction(c) for c in ("ar", "en", "es", "fr", "de")] == ["rtl", "ltr", "ltr", "ltr", "ltr"]


def test_an_engine_refusal_is_said_in_the_readers_language_with_its_blanks_filled(pseudo_xx):
    error = InvalidInput(N_("There is no judge with the email {shown}."), shown="x@y.z")
    assert str(error) == "There is no judge with the email x@y.z."  # the engine's own sentence is English
    with i18n.using("xx"):
        assert i18n.error_text(error) == "⟦There is no judge with the email x@y.z.⟧"
        assert i18n.error_text(InvalidInput("An unmarked sentence.")) == "An unmarked sentence."
        assert i18n.gettext("") == ""  # never the catalogue's header


def test_spanish_and_french_say_the_pages_words_and_keep_user_data():
    with i18n.using("es"):
        assert i18n._("Results") == "Resultados"
        assert i18n._("Judging as {name}").format(name="Results") == "Juzgando como Results"
        assert i18n.error_text(InvalidInput(N_("There is no judge {email}."), email="x@y.z")) == (
            "No existe el juez x@y.z."
        )
    with i18n.using("fr"):
        assert i18n.ngettext("{n} link created.", "{n} links created.", 2).format(n=2) == "2 liens créés."


def test_numbers_and_times_are_written_as_the_reader_writes_them():
    noon = datetime.datetime(2026, 12, 5, 21, 40).timestamp()
    with i18n.using("en"):
        assert (i18n.number(Decimal("1234.5"), 2), i18n.clock(noon)) == ("1234.50", "21:40")
    with i18n.using("es"):
        assert i18n.number(Decimal("8.5"), 2) == "8,50"
    with i18n.using("de"):
        assert i18n.number("7.25") == "7,25"
    with i18n.using("ar"):
        assert i18n.number(Decimal("8.5"), 2) == "8.50"  # Latin digits, as on the projector


def test_a_plain_page_gets_its_marks_translated_and_escaped(pseudo_xx):
    with i18n.using("xx"):
        assert i18n_browser.fill_marks("<h1>[[Audience vote]]</h1>") == "<h1>⟦Audience vote⟧</h1>"
    with i18n.using("en"):
        assert i18n_browser.fill_marks("<p>[[a < b]]</p>") == "<p>a &lt; b</p>"


def test_streamlits_page_is_right_to_left_in_arabic_before_any_script_runs():
    from streamlit import file_util

    page = (Path(file_util.get_static_dir()) / "index.html").read_bytes()
    assert b'<html lang="ar" dir="rtl">' in page_head.with_head(page, "ar")
    assert b'<html lang="en" dir="ltr">' in page_head.with_head(page)


def test_the_language_route_remembers_a_known_language_and_returns_to_a_plain_page_only():
    client = TestClient(Starlette(routes=language.ROUTES), base_url="https://testserver")
    r = client.get("/language?to=ar&next=/vote", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/vote"
    assert "stagescore_language=ar" in r.headers["set-cookie"] and "HttpOnly" not in r.headers["set-cookie"]
    r = client.get("/language?to=es&next=/leaderboard%3Fstage%3Ds1", follow_redirects=False)
    assert r.headers["location"] == "/leaderboard?stage=s1"  # the crowd's board, back to its stage
    r = client.get("/language?to=klingon&next=https://evil.example/", follow_redirects=False)
    assert r.headers["location"] == "/" and "set-cookie" not in r.headers
    for elsewhere in ("//evil.example/", "/leaderboard?stage=s1&next=//x", "/leaderboard?stage=S1", "/admin"):
        r = client.get("/language", params={"to": "es", "next": elsewhere}, follow_redirects=False)
        assert r.headers["location"] == "/", elsewhere


def _catalogue(path: Path):
    with path.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def code_messages(tmp_path_factory):
    """The messages of the code as `make messages` extracts them (babel.cfg), read from a fresh template."""
    out = tmp_path_factory.mktemp("extracted") / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", "-k", "lazy", "-k", "t", "-o", str(out), "."],
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},  # the vote page's extractor (ui/i18n_extract.py)
    )
    return [m for m in _catalogue(out) if m.id]


def test_the_template_holds_every_message_of_the_code(code_messages):
    """`make messages` was run after the last change of a message (else translators never see it)."""
    fresh = {m.id for m in code_messages}
    kept = {m.id for m in _catalogue(i18n.LOCALES / "messages.pot") if m.id}
    new, gone = sorted(map(str, fresh - kept))[:5], sorted(map(str, kept - fresh))[:5]
    assert fresh == kept, f"run `make messages`: new {new}, gone {gone}"


def untranslated(catalogue, messages) -> list:
    """The messages that `catalogue` says in English: absent, fuzzy, or with an empty (plural) form."""
    found = []
    for m in messages:
        t = catalogue.get(m.id)
        forms = () if t is None else (tuple(t.string) if isinstance(t.string, list | tuple) else (t.string,))
        wanted = catalogue.num_plurals if isinstance(m.id, tuple) else 1
        if t is None or t.fuzzy or len(forms) != wanted or not all(forms):
            found.append(m.id)
    return found


def test_the_completeness_check_sees_a_missing_an_empty_and_a_fuzzy_translation():
    from babel.messages.catalog import Catalog

    catalogue = Catalog(locale="ar")
    catalogue.add("Said", "قيل")
    catalogue.add("Empty", "")
    catalogue.add("Unsure", "غير مؤكد", flags=["fuzzy"])
    catalogue.add(("{n} link", "{n} links"), ("", "رابط", "رابطان", "", "", ""))
    wanted = [Catalog().add(i) for i in ("Said", "Empty", "Unsure", "Absent", ("{n} link", "{n} links"))]
    assert untranslated(catalogue, wanted) == ["Empty", "Unsure", "Absent", ("{n} link", "{n} links")]


@pytest.mark.parametrize("code", ["es", "fr", "de", "ar"])
def test_every_message_of_the_code_is_translated(code, code_messages):
    """Translations are complete (issue 25): each catalogue says every message of the code, none fuzzy, every
    plural form filled. After `make messages`, translate each empty msgstr of locales/*/LC_MESSAGES."""
    missing = untranslated(_catalogue(i18n.LOCALES / code / "LC_MESSAGES" / "messages.po"), code_messages)
    assert not missing, f"{len(missing)} messages without a {code} translation, such as {missing[:5]}"


@pytest.mark.parametrize("code", ["es", "fr", "de", "ar"])
def test_every_translation_keeps_its_messages_blanks(code):
    """A translation with a blank its message lacks would fail when filled; one that drops a blank would
    lose the user data in it (a plural form may drop the count: "one minute")."""
    for m in _catalogue(i18n.LOCALES / code / "LC_MESSAGES" / "messages.po"):
        if isinstance(m.id, tuple):
            wanted = set(BLANK.findall(m.id[0])) | set(BLANK.findall(m.id[1]))
            assert all(set(BLANK.findall(s)) <= wanted for s in m.string if s), (code, m.id, m.string)
        elif m.string:
            assert set(BLANK.findall(m.string)) == set(BLANK.findall(m.id)), (code, m.id, m.string)
