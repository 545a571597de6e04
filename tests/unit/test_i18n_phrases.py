"""Engine words filled into a translated sentence, or shown on their own, are said in the reader's language
too (engine/domain/messages.Said, ui.i18n.text): a phase's name, a score's range, a deduction's field and
lines, the desk's line about the timer engine. In the pseudo-locale `xx` each catalogue word shows as
⟦word⟧; the English (str) stays as it was."""

from __future__ import annotations

import pickle
from decimal import Decimal as D

import pytest

from engine.domain import competition, deductions, rules, scoring
from engine.domain.deductions import Deduction
from engine.domain.messages import N_, Said
from engine.domain.model import CommandRefused, Criterion, DeductionKind, InvalidInput, Phase, Settings
from engine.domain.ranking import PerformerResult
from engine.service.health import ENGINE_WORDS, EngineDesk, engine_parts, english_line
from tests.support import pseudo
from ui import i18n, words


@pytest.fixture
def pseudo_xx():
    pseudo.install()
    yield
    pseudo.uninstall()


def test_a_phrase_is_english_as_a_str_and_translated_with_its_blanks(pseudo_xx):
    inner = Said(N_("{name}: points"), name="Fall")
    outer = Said(N_("{what} must be a number."), what=inner)
    assert outer == "Fall: points must be a number." and pickle.loads(pickle.dumps(outer)).blanks == {
        "what": inner
    }
    with i18n.using("xx"):
        assert i18n.text(outer) == "⟦⟦Fall: points⟧ must be a number.⟧"
        assert i18n.text("user {data}") == "user {data}"  # never looked up


def test_a_scores_range_is_said_in_the_readers_language(pseudo_xx):
    criterion = Criterion("Skill", D(0), D(10), D("0.1"))
    with pytest.raises(InvalidInput) as refused:
        scoring.validate_value("11", criterion)
    assert str(refused.value) == "Skill must be a number from 0 to 10 in steps of 0.1."
    with i18n.using("xx"):
        assert i18n.error_text(refused.value) == "⟦Skill must be ⟦a number from 0 to 10 in steps of 0.1⟧.⟧"


def test_a_phases_name_is_said_in_the_readers_language(pseudo_xx):
    for phase in Phase:
        assert rules._word(phase).template in words.PHASE_WORD.values()
    error = CommandRefused(N_("Nothing is on stage: the event is {phase}."), phase=rules._word(Phase.LOBBY))
    assert str(error) == "Nothing is on stage: the event is lobby."
    with i18n.using("xx"):
        assert i18n.error_text(error) == "⟦Nothing is on stage: the event is ⟦lobby⟧.⟧"


def test_a_deductions_field_and_lines_are_said_in_the_readers_language(pseudo_xx):
    with pytest.raises(InvalidInput) as refused:
        deductions.parse_catalogue([{"name": "Fall", "points": "x"}])
    settings = Settings(deductions=(DeductionKind("Fall", D("0.25"), D("0.25")),), head_judge="head@x")
    entries = [
        Deduction("1", "p", "Fall", D("0.50"), "Fall", "head@x", 1.0, 2),
        Deduction("2", "p", "", D("0.5"), "late", "", 2.0),
    ]
    lines = deductions.lines(settings, entries, "p")
    assert lines == ["Fall ×2: −0.50", "Penalty (late): −0.5", "(capped: −0.75 in all)"]
    with i18n.using("xx"):
        assert i18n.error_text(refused.value) == "⟦⟦Fall: points⟧ must be a number.⟧"
        assert [i18n.text(x) for x in lines] == [
            "⟦⟦Fall ×2⟧: −0.50⟧",
            "⟦⟦Penalty (late)⟧: −0.5⟧",
            "⟦(capped: −0.75 in all)⟧",
        ]
        assert i18n.text(deductions.label(entries[1], "Ada")) == "⟦Ada — ⟦Penalty (late)⟧: −0.5 (⟦operator⟧)⟧"


def _ranked(*ranks: int | None) -> list[PerformerResult]:
    return [PerformerResult(f"p{i}", D(9), 1, True, r, None, None, None, None) for i, r in enumerate(ranks)]


def test_advancing_more_than_are_ranked_is_refused_in_the_readers_language():
    with pytest.raises(InvalidInput) as overall:
        competition.advance_top({"": _ranked(1, 2, None)}, 3)
    with pytest.raises(InvalidInput) as dance:
        competition.advance_top({"Dance": _ranked(1)}, 2)
    assert str(overall.value) == "The ranking has only 2 ranked performers; advance at most 2."
    assert str(dance.value) == "Dance has only 1 ranked performer; advance at most 1."
    with i18n.using("es"):
        assert i18n.error_text(overall.value) == (
            "La clasificación solo tiene 2 participantes clasificados; pueden pasar como mucho 2."
        )
    with i18n.using("de"):
        assert (
            i18n.error_text(dance.value)
            == "Dance hat nur 1 platzierten Act; höchstens 1 können weiterkommen."
        )


def test_a_tie_at_the_cut_is_told_in_the_readers_language():
    (note,) = competition.advance_top({"": _ranked(1, 2, 2, 4)}, 2).notes
    assert note == "Overall: 2 performers tied at place 2 and all go through (3 instead of 2)."
    with i18n.using("fr"):
        assert (
            i18n.text(note)
            == "Général : 2 candidats à égalité à la place 2 sont tous qualifiés (3 au lieu de 2)."
        )


def test_the_desks_engine_line_goes_to_the_browser_in_parts_it_can_translate(pseudo_xx):
    from engine.domain.health import SeenEngine, assess
    from engine.metrics import Summary
    from ui.components import words as component_words

    desk = EngineDesk(
        assess(None, None, 0.0), "web-1", [SeenEngine("b", "web-2", 2.0)], 12.0, Summary(0, None, None, None)
    )
    parts = engine_parts(desk, 0.0)
    assert {template for template, _ in parts} | {parts[2][1]["standbys"][0][0]} <= set(ENGINE_WORDS)
    assert english_line(engine_parts(desk, 0.0)) == (
        "Timer engine: none · lease renewed never · standby: b on web-2 (2 s ago)"
        " · last transition 12 ms after its deadline"
    )
    with i18n.using("xx"):
        said = component_words("desk.js")["words"]
    assert all(said[template] == f"⟦{template}⟧" for template in ENGINE_WORDS)


def test_an_overlay_is_in_the_language_its_address_or_its_browser_asks_for(pseudo_xx):
    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from ui.onair import overlays

    overlays._page.cache_clear()
    client = TestClient(Starlette(routes=overlays.routes()))
    page = client.get("/overlay/all?lang=xx&key=green").text
    assert '<html lang="xx" dir="ltr">' in page and '<div class="label">⟦Score⟧</div>' in page
    assert '"Rank {rank}": "⟦Rank {rank}⟧"' in page and '"Scoring": "⟦Scoring⟧"' in page
    arabic = client.get("/overlay/podium", headers={"Accept-Language": "ar"}).text
    assert '<html lang="ar" dir="rtl">' in arabic and "النتائج النهائية" in arabic
    english = client.get("/overlay/podium?lang=nope").text
    assert '<html lang="en" dir="ltr">' in english and ">Final results<" in english
    overlays._page.cache_clear()


def test_an_arabic_overlay_is_right_to_left_and_its_style_has_no_left_or_right_side():
    """Its frame mirrors by itself (dir="rtl" on <html>): every side in its CSS is logical (inline start or
    end), no `left:`, `right:`, `border-left`, `margin-right`, `text-align: left` …"""
    import re

    from starlette.applications import Starlette
    from starlette.testclient import TestClient

    from ui.onair import overlays

    overlays._page.cache_clear()
    page = TestClient(Starlette(routes=overlays.routes())).get("/overlay/all?lang=ar").text
    overlays._page.cache_clear()
    assert '<html lang="ar" dir="rtl">' in page
    style = re.sub(r"/\*.*?\*/", "", re.search(r"<style>(.*?)</style>", page, re.S).group(1), flags=re.S)
    assert "inset-inline-start" in style and "border-inline-start" in style and "text-align: end" in style
    physical = re.findall(r"[\w-]*\b(?:left|right)\b[\w-]*\s*:[^;}]*|:\s*(?:left|right)\b", style)
    assert physical == []
