"""Every page in the pseudo-locale `xx` (tests/support/pseudo.py: each message of the catalogue said as
⟦message⟧): whatever a page shows outside ⟦ ⟧ must be user data of the seeded event, a number or
punctuation. A string nobody marked for translation shows up here as plain English.

Pages are walked as tests/app/test_every_page.py walks them: for each role, in the lobby, while a
performer is being scored and once the event has finished."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pandas as pd
import pytest
from streamlit.testing.v1 import element_tree as et

from engine.domain.model import Command, CommandKind, Role
from tests.app.helpers import ADMIN, JUDGE, open_page, open_scoring_now, start
from tests.support import pseudo
from ui import nav

PAGES = [nav.path_of(name) for name in (*nav.PUBLIC, *nav.JUDGE, *nav.ADMIN, nav.LOGIN)]
OWNER = {nav.path_of(name): Role.JUDGE for name in nav.JUDGE} | {
    nav.path_of(name): Role.ADMIN for name in nav.ADMIN
}
# The seeded event's user data (tests/support/events.py), the product's name, emails, ids and hashes.
USER_DATA = re.compile(
    r"Judge \d+|Performer \d+|Admin|Stagescore event|Stagescore|\bScore\b|Round 1|\bMain\b|"
    r"[\w.+-]+@[\w.-]+|\b[0-9a-f]{8,}\b|\b[\w-]*\d[\w-]*\b"
)
# Pages whose tables are records (the event log: its kinds, actors and payloads as written): headings only.
RECORDS = {"pages/admin_log.py"}
MARKED = re.compile(r"⟦[^⟦⟧]*⟧")  # innermost first: a message may hold another (its blank)


@pytest.fixture
def pseudo_language(monkeypatch) -> Iterator[None]:
    pseudo.install()
    monkeypatch.setenv("STAGESCORE_LANGUAGE", pseudo.CODE)
    yield
    pseudo.uninstall()


def _frame_texts(
    frame: pd.DataFrame, labels: dict[str, str] | None = None, cells: bool = True
) -> Iterator[str]:
    """A table's headings (a column's configured label where it has one) and its text cells."""
    yield from ((labels or {}).get(str(c), str(c)) for c in frame.columns)
    for value in frame.to_numpy().ravel() if cells else ():
        if isinstance(value, str):
            yield value


def visible(node, cells: bool = True) -> Iterator[str]:
    """The text a person reads on `node` and inside it."""
    if isinstance(node, (et.Expander, et.Tab)):
        yield node.label
    if isinstance(node, (et.Block,)) and not isinstance(node, et.Element):
        for child in node.children.values():
            yield from visible(child, cells)
        return
    if isinstance(node, (et.Title, et.Header, et.Subheader, et.Caption, et.Markdown, et.Text, et.Toast)):
        yield str(node.value)
    elif isinstance(node, (et.Error, et.Info, et.Success, et.Warning)):
        yield str(node.value)
    elif isinstance(node, et.Dataframe):
        config = json.loads(node.proto.columns or "{}")  # st.column_config: keyed "name:COLUMN"
        labels = {k.removeprefix("name:"): v["label"] for k, v in config.items() if v.get("label")}
        yield from _frame_texts(node.value, labels, cells)
    elif isinstance(node, et.Table):
        yield from _frame_texts(node.value)
    elif isinstance(node, et.Metric):
        yield node.label
    elif isinstance(node, (et.Selectbox, et.Radio, et.Multiselect)):
        yield node.label
        yield from (str(o) for o in node.options)
    elif isinstance(node, et.Widget) and getattr(node, "label", None):
        yield node.label
    elif isinstance(node, et.UnknownElement) and node.type == "page_link":
        yield node.proto.label


def unmarked(text: str) -> str:
    """What is left of `text` once the catalogue's words, user data, numbers and punctuation are gone."""
    rest = text.replace("\\", "")
    while MARKED.search(rest):
        rest = MARKED.sub(" ", rest)
    rest = USER_DATA.sub(" ", rest)
    return " ".join(re.findall(r"[^\W\d_]{2,}", rest))


def walk(at, role: Role | None, stage: str) -> list[str]:
    problems = []
    for path in PAGES:
        owner = OWNER.get(path)
        if owner and owner is not role:
            continue  # the refusal and the login are drawn by the pages that own them
        at = open_page(at, path)
        assert not at.exception, (path, [e.message for e in at.exception])
        for root in (at.main, at.sidebar):
            for text in visible(root, cells=path not in RECORDS):
                if left := unmarked(text):
                    problems.append(f"{stage}, {path}: {left!r} in {text!r}")
    return problems


@pytest.mark.parametrize("role", [None, Role.JUDGE, Role.ADMIN], ids=["public", "judge", "admin"])
def test_every_page_says_only_catalogue_words_and_user_data(pseudo_language, svc, tokens, app, role):
    at = app(svc.logins.whoami(tokens[{Role.JUDGE: JUDGE, Role.ADMIN: ADMIN}[role]]) if role else None)
    problems = walk(at, role, "lobby")
    start(svc, tokens)
    state = open_scoring_now(svc)
    svc.submit_score(tokens[JUDGE], state.performer_id, {"Score": "7.5"})
    svc.submit_score(tokens["judge2@test.local"], state.performer_id, {"Score": "6"})
    problems += walk(at, role, "scoring")
    svc.command(tokens[ADMIN], Command(CommandKind.FINISH))
    problems += walk(at, role, "finished")
    assert not problems, "\n".join(dict.fromkeys(problems))


def test_the_pseudo_locale_marks_what_it_translates():
    """The check of the check: an English sentence is found, a marked one and user data are not."""
    assert unmarked("Results") == "Results"
    assert unmarked("⟦Judging as Judge 1⟧") == ""
    assert unmarked("Performer 2 — 7.50 · judge1@test.local") == ""
    assert unmarked("⟦Place 1⟧ Performer 1: scores after") == "scores after"
    assert unmarked("⟦⟦Provisional results⟧: they become official⟧") == ""
