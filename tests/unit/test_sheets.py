"""The PDFs' content, read back with pypdf and compared with a recomputation from the raw scores."""

from __future__ import annotations

import io
import sys
from dataclasses import replace
from decimal import Decimal as D

import pypdf

from engine.domain.deductions import Deduction
from engine.domain.model import DeductionKind, VoteMode
from engine.domain.release import Release, ResultsSettings
from engine.domain.scoring import display
from engine.domain.snapshot import Snapshot, compute_results
from engine.views import bidi, sheets
from tests.unit.snapshots import make_snapshot
from ui import i18n

RAW = {
    "p1": {"ann@x": "7", "bob@x": "8", "cy@x": "7.5"},
    "p2": {"ann@x": "9", "bob@x": "9.5", "cy@x": "8"},
    "p3": {"ann@x": "5", "bob@x": "6"},
}
NAMES = {"ann@x": "Ann Judge", "bob@x": "Bob Judge", "cy@x": "Cy Judge"}
COMMENTS = {("p1", "bob@x"): "Strong opening; watch the tempo.", ("p2", "ann@x"): "Très bien ✓"}


def snapshot() -> Snapshot:
    snap = make_snapshot(RAW, NAMES, names={"p1": "Ada", "p2": "Bea", "p3": "Cleo"})
    scores = [replace(s, comment=COMMENTS.get((s.performer_id, s.judge), "")) for s in snap.scores]
    performers = [replace(p, category="Solo" if p.performer_id != "p3" else "") for p in snap.performers]
    return replace(snap, scores=scores, performers=performers)


def text_of(pdf: bytes) -> str:
    """The text as a reader copies it: left to right as laid on the page, a right-to-left run in its own
    order, without the marks that keep a run's direction (engine/views/bidi.py)."""
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    return "".join(c for c in text if c not in bidi.MARKS)


def placed(pdf: bytes) -> dict[str, float]:
    """Where each run of text starts on the first page, from its left edge (points): {text: x}."""
    runs: dict[str, float] = {}

    def seen(text, _cm, tm, _font, _size) -> None:
        text = "".join(c for c in text if c not in bidi.MARKS).strip()
        if text:
            runs.setdefault(text, tm[4])

    pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=seen)
    return runs


def expected_totals() -> dict[str, D]:
    """The default rule (weighted mean, every weight 1) recomputed by hand: the mean of judge totals."""
    return {p: sum(D(v) for v in js.values()) / len(js) for p, js in RAW.items()}


def test_a_performer_sheet_holds_rank_total_every_judges_score_and_their_comments():
    snap = snapshot()
    signed = Release("e1", signed_off_by="head@x", signed_off_at=1.0, results_hash="ab" * 32)
    text = text_of(sheets.performer_pdf(snap, signed, "p1"))
    totals = expected_totals()
    rank = sorted(totals, key=totals.get, reverse=True).index("p1") + 1
    assert "Score sheet" in text and "Stagescore event" in text and "Round: e1" in text
    assert "Performer: Ada" in text and "Category: Solo" in text and "Official results" in text
    assert f"Rank: {rank}    Total: {display(totals['p1'])}" in text
    for judge, value in RAW["p1"].items():
        assert f"{NAMES[judge]} {display(D(value))} {display(D(value))}" in text
    assert "Bob Judge: Strong opening; watch the tempo." in text
    assert "Signed off by head@x" in text


def test_a_sheet_shows_that_performer_alone():
    text = text_of(sheets.performer_pdf(snapshot(), Release("e1"), "p1"))
    assert "Bea" not in text and "Cleo" not in text and "Très bien" not in text
    assert "Provisional results" in text


def test_judges_can_be_named_judge_a_b_c_the_same_on_every_sheet():
    anonymous = Release("e1", ResultsSettings(judge_names_on_sheets=False))
    one = text_of(sheets.performer_pdf(snapshot(), anonymous, "p1"))
    two = text_of(sheets.performer_pdf(snapshot(), anonymous, "p2"))
    assert "Ann Judge" not in one + two and "Bob Judge" not in one + two
    assert "Judge B: Strong opening" in one and "Judge A: Très bien ✓" in two
    assert "Judge C 7.50 7.50" in one and "Judge C 8.00 8.00" in two


def test_a_score_sheet_is_in_the_language_asked_for_its_deductions_too_and_user_data_as_typed():
    snap = snapshot()
    fall = DeductionKind("Fall", D("0.25"), D("0.25"))  # capped at one fall
    snap = replace(
        snap,
        settings=replace(snap.settings, deductions=(fall,)),
        deductions=[
            Deduction("1", "p1", "Fall", D("0.50"), "Fall", "head@x", 1.0, 2),
            Deduction("2", "p1", "", D("0.5"), "late", "", 2.0),
        ],
    )
    letters = Release("e1", ResultsSettings(judge_names_on_sheets=False))
    english = text_of(sheets.performer_pdf(snap, letters, "p1"))
    assert "Penalty (late): −0.5" in english and "(capped: −0.75 in all)" in english
    spanish = text_of(sheets.performer_pdf(snap, letters, "p1", i18n.sheet_wording("es")))
    assert "Penalización (late): −0.5" in spanish and "(limitado: −0.75 en total)" in spanish
    assert "Fall ×2: −0.50" in spanish  # the event's own name for a deduction, as typed
    assert "Hoja de puntuación" in spanish and "Participante: Ada" in spanish and "Categoría: Solo" in spanish
    assert "Deducciones y penalizaciones" in spanish and "Resultados provisionales" in spanish
    assert "Juez B: Strong opening; watch the tempo." in spanish and "Penalty" not in spanish
    german = text_of(sheets.all_sheets_pdf(snap, letters, i18n.sheet_wording("de")))
    assert "Strafe (late): −0.5" in german and "(gedeckelt: insgesamt −0.75)" in german
    assert "Wertungsbogen" in german and "Kommentare der Jury" in german and "Keine Kommentare." in german
    arabic = text_of(sheets.performer_pdf(snap, letters, "p1", i18n.sheet_wording("ar")))
    assert "ورقة الدرجات" in arabic and "Score sheet" not in arabic and "Penalty" not in arabic
    assert "Fall" in arabic and "late" in arabic and "Strong opening; watch the tempo." in arabic


def late_penalty(snap: Snapshot) -> Snapshot:
    return replace(snap, deductions=[Deduction("2", "p1", "", D("0.5"), "late", "", 2.0)])


def test_an_arabic_score_sheet_is_in_arabic_laid_from_the_right_with_numbers_left_to_right():
    snap, signed = (
        late_penalty(snapshot()),
        Release("e1", signed_off_by="head@x", signed_off_at=1.0, results_hash="ab" * 32),
    )
    pdf = sheets.performer_pdf(snap, signed, "p1", i18n.sheet_wording("ar"))
    text, at = text_of(pdf), placed(pdf)
    assert "ورقة الدرجات" in text and "تعليقات الحكام" in text and "النتائج الرسمية" in text
    assert "Score sheet" not in text and "Judges' comments" not in text and "Penalty" not in text
    assert "Ada" in text and "Bob Judge" in text and "head@x" in text  # user data as typed
    assert "−0.5" in text and "0.5−" not in text  # the minus before its number, as in English
    middle = float(pypdf.PdfReader(io.BytesIO(pdf)).pages[0].mediabox.width) / 2
    assert at["ورقة الدرجات"] > middle and at["تعليقات الحكام"] > middle  # aligned right
    # the table's columns from the right: Judge, the criterion, Judge total
    assert at["الحَكَم"] > at["Score"] > middle > at["مجموع الحَكَم"]
    assert at["Ann Judge"] > middle > at["7.00"]
    english = placed(sheets.performer_pdf(snap, signed, "p1"))
    assert english["Score sheet"] < middle and english["Judge"] < english["Score"] < english["Judge total"]


def test_without_the_font_or_text_shaping_an_arabic_reader_gets_the_sheet_in_english(monkeypatch, tmp_path):
    arabic = i18n.sheet_wording("ar")
    monkeypatch.setitem(sys.modules, "uharfbuzz", None)  # import uharfbuzz fails: fpdf2 cannot shape
    unshaped = text_of(sheets.performer_pdf(late_penalty(snapshot()), Release("e1"), "p1", arabic))
    assert "Score sheet" in unshaped and "Penalty (late): −0.5" in unshaped and "ورقة" not in unshaped
    monkeypatch.undo()
    monkeypatch.setattr(sheets, "_DEJAVU", tmp_path)  # no DejaVu: the core font has no Arabic letters
    latin = text_of(sheets.performer_pdf(late_penalty(snapshot()), Release("e1"), "p1", arabic))
    assert "Score sheet" in latin and "Penalty (late): -0.5" not in latin and "ورقة" not in latin


def test_the_round_results_pdf_lists_every_performer_in_rank_order_with_their_totals():
    snap = snapshot()
    text = text_of(sheets.results_pdf(snap, Release("e1")))
    totals = expected_totals()
    order = sorted(totals, key=totals.get, reverse=True)
    names = {"p1": "Ada", "p2": "Bea", "p3": "Cleo"}
    lines = [line for line in text.splitlines() if line.split(" ")[0] in names.values()]
    assert [line.split(" ")[0] for line in lines] == [names[p] for p in order]
    for i, p in enumerate(order, 1):
        assert any(line.startswith(f"{names[p]} {i} ") and display(totals[p]) in line for line in lines)
    # the recomputation agrees with the scoring rules the app uses
    results = compute_results(snap.settings, snap.performers, snap.scores, snap.judges)
    assert {r.performer_id: r.total for r in results} == totals


def test_all_sheets_has_one_page_per_performer_and_file_names_are_safe():
    snap = snapshot()
    assert len(pypdf.PdfReader(io.BytesIO(sheets.all_sheets_pdf(snap, Release("e1")))).pages) == 3
    snap = replace(snap, performers=[replace(snap.performers[0], name="../../etc/Ada & Co")])
    assert sheets.file_name(snap, "p1") == "e1-etc-ada-co.pdf"
    assert sheets.file_name(snap) == "e1-results.pdf"


def test_the_results_pdf_adds_the_peoples_choice_and_the_combined_ranking():
    from tests.unit.test_exports import audience

    aud = audience(VoteMode.FINAL, revealed=False, jury_percent=50)
    text = text_of(sheets.results_pdf(snapshot(), Release("e1"), aud))  # the admin's: before the reveal
    assert "People's choice (audience vote)" in text and "Not yet revealed to the public." in text
    assert "Performer Points Rank" in text and "Combined ranking (jury 50 %, audience 50 %)" in text
    names = {p.performer_id: p.name for p in snapshot().performers}
    for p in aud.places:
        assert f"{names[p.performer_id]} {p.votes} {'—' if p.rank is None else p.rank}" in text
    jury = {r.performer_id: r.rank for r in snapshot().results}
    audience_rank = {p.performer_id: p.rank for p in aud.places}
    for c in aud.combined:
        heard = "—" if audience_rank[c.performer_id] is None else audience_rank[c.performer_id]
        row = f"{names[c.performer_id]} {jury[c.performer_id]} {heard} {c.points} {c.rank}"
        assert row in text


def test_a_public_results_pdf_shows_the_audience_only_once_revealed():
    from tests.unit.test_exports import audience

    hidden = text_of(sheets.results_pdf(snapshot(), Release("e1"), audience(VoteMode.PER_ACT), public=True))
    assert "People's choice" not in hidden
    shown = audience(VoteMode.PER_ACT, revealed=True)
    text = text_of(sheets.results_pdf(snapshot(), Release("e1"), shown, public=True))
    assert "Performer Votes Stars Mean stars Rank" in text and "Not yet revealed" not in text
    assert "Combined ranking" not in text  # none configured
    assert text_of(sheets.results_pdf(snapshot(), Release("e1"))).count("People's choice") == 0
