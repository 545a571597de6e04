"""Take-home PDFs with fpdf2: a score sheet per performer and the results of the whole round.
No Streamlit; built from a Snapshot and the results item (see results_view for what they hold).

A score sheet's words are Said phrases (engine/domain/messages.py): a Wording puts each in the sheet's
language (the ui hands in ui.i18n's); without one the sheet is in English. User data is never looked up.
A right-to-left language (Arabic) mirrors the page: lines aligned right, table columns in reverse order;
fpdf2 joins its letters and orders each line (numbers and Latin names left to right inside it) with its
text shaping, which needs uharfbuzz and a font with the letters (DejaVu Sans): without them the sheet is
in English, as it would otherwise be drawn as unjoined letters in the wrong order or as question marks."""

from __future__ import annotations

import re
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.errors import FPDFException

from engine.domain import release
from engine.domain.messages import ENGLISH, N_, Said, Wording
from engine.domain.model import VoteMode
from engine.domain.release import Release
from engine.domain.scoring import display
from engine.domain.snapshot import Snapshot, ranking_rows
from engine.views import bidi, calculation, results
from engine.views.exports import audience_shown
from engine.views.votes import Audience

# A Unicode font when the system has one (Debian: fonts-dejavu-core); otherwise the PDF core font, which
# holds Latin-1 only, so other characters are replaced rather than failing the whole sheet.
_DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
_NEXT = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
_MIRROR = {"L": "R", "R": "L", "C": "C"}


class _Doc(FPDF):
    def __init__(self, wording: Wording = ENGLISH) -> None:
        super().__init__(format="A4")
        self.set_auto_page_break(True, margin=15)
        self.set_title("Stagescore")
        self.unicode = (_DEJAVU / "DejaVuSans.ttf").exists() and (_DEJAVU / "DejaVuSans-Bold.ttf").exists()
        if self.unicode:
            self.add_font("Sheet", "", str(_DEJAVU / "DejaVuSans.ttf"))
            self.add_font("Sheet", "B", str(_DEJAVU / "DejaVuSans-Bold.ttf"))
        self.family = "Sheet" if self.unicode else "Helvetica"
        self.rtl = wording.rtl and self.unicode and self._shaping()
        self.say = wording.say if self.rtl or not wording.rtl else ENGLISH.say

    def _shaping(self) -> bool:
        """Every line laid right to left, its letters joined: fpdf2's text shaping (uharfbuzz). Each run's
        script is guessed from its letters (a Latin name in an Arabic line is shaped as Latin)."""
        try:
            self.set_text_shaping(use_shaping_engine=True, direction="rtl")
        except FPDFException:  # uharfbuzz is not installed
            return False
        return True

    def text_of(self, text: object) -> str:
        if self.rtl:
            return bidi.numbers_left_to_right(self.say(bidi.blanks_isolated(text)))
        text = self.say(text)
        return text if self.unicode else text.encode("latin-1", "replace").decode("latin-1")

    def apart(self, text: object) -> str:
        """User data (a name, a comment) said as it is, in its own direction on a mirrored page."""
        return bidi.isolated(self.say(text)) if self.rtl else self.say(text)

    def line(self, text: object, size: float = 11, bold: bool = False, height: float = 7) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, height, self.text_of(text), align="R" if self.rtl else "J", **_NEXT)

    def row(self, widths: list[float], cells: list, aligns: list[str], height: float) -> None:
        """One row of a grid, from the right on a mirrored page: the columns in reverse order, each cell's
        alignment mirrored."""
        columns = list(zip(widths, cells, aligns, strict=True))
        for w, cell, align in reversed(columns) if self.rtl else columns:
            align = _MIRROR[align] if self.rtl else align
            self.cell(w, height, self.text_of(self.apart(cell)), border=1, align=align)
        self.ln(height)

    def table(self, header: list, rows: list[list[str]], first: float = 0.28) -> None:
        """A plain grid: the first column wider (names), the others equal with numbers to the right."""
        width = self.epw
        widths = [width * first] + [width * (1 - first) / max(1, len(header) - 1)] * (len(header) - 1)
        for r, cells in enumerate([header, *rows]):
            self.set_font(self.family, "B" if r == 0 else "", 9 if r == 0 else 10)
            self.row(widths, cells, ["L" if i == 0 or r == 0 else "R" for i in range(len(cells))], 7)

    def grid(self, header: tuple[str, ...], rows: tuple[tuple[str, ...], ...], size: float = 8) -> None:
        """A calculation's table: each column as wide as its longest cell, scaled down to the page."""
        self.set_font(self.family, "B", size)
        widths = [
            max(self.get_string_width(self.text_of(str(c))) for c in col) + 2
            for col in zip(header, *rows, strict=True)
        ]
        scale = min(1.0, self.epw / sum(widths))
        for r, cells in enumerate([header, *rows]):
            self.set_font(self.family, "B" if r == 0 else "", size)
            aligns = ["L" if i == 0 else "C" for i in range(len(cells))]
            self.row([w * scale for w in widths], [str(c) for c in cells], aligns, 5)


MAX_CALCULATION_COLUMNS = 30  # wider than a page can show: the desk and `engine tabulate` show it whole


def _calculation(doc: _Doc, snap: Snapshot, named: bool) -> None:
    """The calculation behind a field rule's ranking (the skating system's majorities …), or why the
    rule ranks nobody yet."""
    refused, tables = calculation.tables(snap, named)
    if refused is None and not tables:
        return
    doc.ln(5)
    doc.line("The calculation", 13, True)
    if refused:
        doc.line(refused, 9, height=5)
    for t in tables:
        doc.ln(2)
        doc.line(t.title, 10, True, 6)
        if len(t.columns) > MAX_CALCULATION_COLUMNS:
            doc.line(
                f"{len(t.columns)} columns: too wide for a page; the results desk shows it.", 9, height=5
            )
        else:
            doc.grid(t.columns, t.rows)


def _heading(doc: _Doc, title: str, snap: Snapshot, rel: Release) -> None:
    doc.add_page()
    doc.line(title, 18, True, 10)
    doc.line(doc.apart(snap.settings.event_name), 13, True)
    doc.line(Said(N_("Round: {round}"), round=snap.event_id), 10)
    label = release.LABEL[release.status(snap.state, rel)]
    if label:
        doc.line(Said(label), 10, True)


def _sheet_page(doc: _Doc, snap: Snapshot, rel: Release, performer_id: str) -> None:
    s = results.sheet(snap, rel, performer_id)
    _heading(doc, Said(N_("Score sheet")), snap, rel)
    doc.ln(2)
    doc.line(Said(N_("Performer: {name}"), name=s.performer), 14, True)
    if s.category:
        doc.line(Said(N_("Category: {category}"), category=s.category))
    doc.line(Said(N_("Rank: {rank}    Total: {total}"), rank=s.rank, total=s.total), 12, True)
    doc.ln(3)
    if s.rows:
        header = [Said(N_("Judge")), *s.criteria, Said(N_("Judge total"))]
        doc.table(header, [[j, *vals, t] for j, vals, t in s.rows])
    else:
        doc.line(Said(N_("No scores were given.")))
    if s.deductions:
        doc.ln(3)
        doc.line(Said(N_("Deductions and penalties (after the judges' total)")), 12, True)
        for text in s.deductions:
            doc.line(text, 10, height=6)
    doc.ln(4)
    doc.line(Said(N_("Judges' comments")), 12, True)
    for judge, comment in s.comments or (("", Said(N_("No comments."))),):
        doc.line(f"{doc.apart(judge)}: {doc.apart(comment)}" if judge else comment, 10, height=6)
    if s.signed_off:
        doc.ln(4)
        doc.line(s.signed_off, 8, height=5)


def performer_pdf(snap: Snapshot, rel: Release, performer_id: str, wording: Wording = ENGLISH) -> bytes:
    """One performer's score sheet, and nothing about the others but their number of places; its words
    in `wording`'s language."""
    doc = _Doc(wording)
    _sheet_page(doc, snap, rel, performer_id)
    return bytes(doc.output())


def all_sheets_pdf(snap: Snapshot, rel: Release, wording: Wording = ENGLISH) -> bytes:
    """Every performer's sheet, one page each, in running order: for printing."""
    doc = _Doc(wording)
    for p in snap.performers:
        _sheet_page(doc, snap, rel, p.performer_id)
    return bytes(doc.output())


def _place(rank: int | None) -> str:
    return "—" if rank is None else str(rank)


def _peoples_choice(doc: _Doc, aud: Audience) -> None:
    doc.ln(5)
    doc.line("People's choice (audience vote)", 13, True)
    if not aud.revealed:
        doc.line("Not yet revealed to the public.", 9, height=5)
    if aud.mode is VoteMode.FINAL:
        header = ["Performer", "Points", "Rank"]
        rows = [[aud.names.get(p.performer_id, ""), str(p.votes), _place(p.rank)] for p in aud.places]
    else:
        header = ["Performer", "Votes", "Stars", "Mean stars", "Rank"]
        rows = [
            [aud.names.get(p.performer_id, ""), str(p.votes), str(p.stars), display(p.mean), _place(p.rank)]
            for p in aud.places
        ]
    doc.table(header, rows, first=0.4)


def _combined(doc: _Doc, snap: Snapshot, aud: Audience) -> None:
    jury_percent = aud.jury_percent or 0
    doc.ln(5)
    doc.line(f"Combined ranking (jury {jury_percent} %, audience {100 - jury_percent} %)", 13, True)
    jury = {row.result.performer_id: row.result.rank for row in ranking_rows(snap)}
    audience = {p.performer_id: p.rank for p in aud.places}
    rows = [
        [
            aud.names.get(c.performer_id, ""),
            _place(jury.get(c.performer_id)),
            _place(audience.get(c.performer_id)),
            str(c.points),
            str(c.rank),
        ]
        for c in aud.combined
    ]
    doc.table(["Performer", "Jury rank", "Audience rank", "Points", "Rank"], rows, first=0.4)


def _deducted_cell(snap: Snapshot, performer_id: str) -> list[str]:
    """The results table's "Deducted" cell: only when the round has deductions at all."""
    if not snap.deducted:
        return []
    off = snap.deducted.get(performer_id)
    return [f"−{display(off)}" if off else ""]


def results_pdf(
    snap: Snapshot, rel: Release, audience: Audience | None = None, public: bool = False
) -> bytes:
    """The whole round's ranking; with `audience` (svc.votes.audience) the audience's results beside it,
    which a `public` PDF shows only once the admin has revealed them."""
    doc = _Doc()
    _heading(doc, "Results", snap, rel)
    doc.ln(3)
    rows = [
        [
            row.performer.name if row.performer else row.result.performer_id,
            "—" if row.result.rank is None else str(row.result.rank),
            row.performer.category if row.performer else "",
            display(row.result.total),
            str(row.result.scores_in),
            *_deducted_cell(snap, row.result.performer_id),
        ]
        for row in ranking_rows(snap)
    ]
    header = ["Performer", "Rank", "Category", "Total", "Scores", *(["Deducted"] if snap.deducted else [])]
    doc.table(header, rows, first=0.4)
    _calculation(doc, snap, rel.settings.judge_names_on_sheets)
    shown = audience_shown(audience, public)
    if shown is not None:
        _peoples_choice(doc, shown)
        if shown.combined:
            _combined(doc, snap, shown)
    if rel.official:
        doc.ln(4)
        doc.line(f"Signed off by {rel.signed_off_by} · results hash {rel.results_hash}", 8, height=5)
    return bytes(doc.output())


def file_name(snap: Snapshot, performer_id: str | None = None) -> str:
    """A safe file name: event id, and the performer's name when it is one sheet."""
    name = snap.performer_name(performer_id) if performer_id else "results"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower() or "sheet"
    return f"{snap.event_id}-{slug}.pdf"
