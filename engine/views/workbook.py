"""The Excel export (.xlsx, written with openpyxl): one sheet of results per category (rank, performer,
total, each judge's total), one of every score with its revisions' count, and the judges' comments.

An admin's document: it holds every score and comment. Every cell is a value, never a formula: a text
that a spreadsheet would run (= + - @ first) is written as a string cell with Excel's quote prefix, so it
stays text even when someone edits the cell; numbers are written as numbers. Pure: built from a Snapshot
(and the audience vote's results, when the event has a vote)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from engine.domain.snapshot import Snapshot, ranking_rows
from engine.views import exports
from engine.views.votes import Audience

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_RISKY = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would take for the start of a formula
_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")  # characters Excel refuses in a sheet's name
_MAX_TEXT = 32767  # Excel's limit for one cell
_AUDIENCE = {
    "audience_votes": "Audience votes",
    "audience_stars": "Audience stars",
    "audience_mean": "Audience mean",
    "audience_points": "Audience points",
    "audience_rank": "Audience rank",
    "combined_points": "Combined points",
    "combined_rank": "Combined rank",
}


def to_xlsx(snap: Snapshot, audience: Audience | None = None) -> bytes:
    """The workbook's bytes: results per category, then Scores, then Comments."""
    book = Workbook()
    book.remove(book.active)
    titles: set[str] = set()
    for title, results in _result_groups(snap):
        _results_sheet(book.create_sheet(_title(title, titles)), snap, results, audience)
    _scores_sheet(book.create_sheet(_title("Scores", titles)), snap)
    _comments_sheet(book.create_sheet(_title("Comments", titles)), snap)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def file_name(snap: Snapshot) -> str:
    return f"{snap.event_id}.xlsx"


def _result_groups(snap: Snapshot) -> list[tuple[str, list]]:
    """(sheet title, ranked results): each category ranked on its own; the overall ranking first when
    several categories are also ranked together."""
    groups = snap.by_category
    if len(groups) <= 1:
        return [("Results", snap.results)]
    named = [(name or "No category", results) for name, results in groups.items()]
    return ([("Overall", snap.results)] if snap.shows_overall else []) + named


def _results_sheet(ws: Worksheet, snap: Snapshot, results: list, audience: Audience | None) -> None:
    judges = _judge_names(snap)
    extra = exports.audience_columns(audience)
    audience_keys = [k for k in _AUDIENCE if any(k in row for row in extra.values())]
    _header(ws, ["Rank", "Performer", "Total", *judges.values(), *(_AUDIENCE[k] for k in audience_keys)])
    for row in ranking_rows(snap, per_judge=True, results=results):
        recused = set(row.result.recused)
        by_judge = [
            "recused" if j in recused else (row.by_judge[j].total if j in row.by_judge else None)
            for j in judges
        ]
        voted = [_number(extra.get(row.result.performer_id, {}).get(k)) for k in audience_keys]
        name = row.performer.name if row.performer else row.result.performer_id
        _append(ws, [row.result.rank, name, row.result.total, *by_judge, *voted])
    _finish(ws)


def _scores_sheet(ws: Worksheet, snap: Snapshot) -> None:
    criteria = sorted({k for s in snap.scores for k in s.values})
    names = {p.performer_id: p.name for p in snap.performers}
    judges = _judge_names(snap)
    _header(ws, ["Performer", "Judge", "Judge's email", *criteria, "Total", "Revisions", "Submitted (UTC)"])
    for s in sorted(snap.scores, key=lambda s: (s.performer_id, s.judge)):
        values = [s.values.get(c) for c in criteria]
        when = datetime.fromtimestamp(s.submitted_at, UTC).replace(tzinfo=None)
        _append(ws, [names.get(s.performer_id, s.performer_id), judges.get(s.judge, s.judge), s.judge,
                     *values, s.total, s.revision, when])  # fmt: skip
    _finish(ws)


def _comments_sheet(ws: Worksheet, snap: Snapshot) -> None:
    names = {p.performer_id: p.name for p in snap.performers}
    judges = _judge_names(snap)
    _header(ws, ["Performer", "Judge", "Comment"])
    for s in sorted(snap.scores, key=lambda s: (s.performer_id, s.judge)):
        if s.comment:
            _append(ws, [names.get(s.performer_id, s.performer_id), judges.get(s.judge, s.judge), s.comment])
    _finish(ws, widest=80)


def _judge_names(snap: Snapshot) -> dict[str, str]:
    """judge email -> the column's heading: the judge's name (their email when two share a name or the
    account is gone), in the panel's order."""
    named = {j.email: j.name or j.email for j in snap.judges}
    taken = [named.get(e) for e in snap.panel]
    return {e: (named[e] if e in named and taken.count(named[e]) == 1 else e) for e in snap.panel}


def _header(ws: Worksheet, titles: list[str]) -> None:
    _append(ws, titles)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"


def _append(ws: Worksheet, values: list) -> None:
    """One row of values: numbers as numbers, text as text that no spreadsheet runs."""
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for col, value in enumerate(values, start=1):
        _put(ws.cell(row, col), value)


def _number(value: object) -> object:
    """The exports' decimal strings (a mean, combined points) as numbers."""
    return Decimal(value) if isinstance(value, str) else value


def _put(cell: Cell, value: object) -> None:
    if isinstance(value, bool | int | float | Decimal | datetime) or value is None:
        cell.value = value
        if isinstance(value, datetime):
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        return
    text = str(value)[:_MAX_TEXT]
    cell.value = text
    # openpyxl takes a text starting with "=" for a formula: it is a string here, whatever it starts with,
    # and the quote prefix keeps Excel from reading it as one when the cell is edited.
    cell.data_type = "s"
    if text.startswith(_RISKY):
        cell.quotePrefix = True


def _finish(ws: Worksheet, widest: int = 40) -> None:
    """Each column as wide as its longest value (within bounds)."""
    for col in ws.iter_cols():
        longest = max((len(str(c.value)) for c in col if c.value is not None), default=0)
        ws.column_dimensions[get_column_letter(col[0].column)].width = min(max(longest + 2, 8), widest)


def _title(wanted: str, taken: set[str]) -> str:
    """A sheet's name Excel accepts: no []:*?/\\, at most 31 characters, not used before."""
    base = _TITLE_BAD.sub("_", wanted).strip("'") or "Sheet"
    title, n = base[:31], 1
    while title.casefold() in {t.casefold() for t in taken}:
        n += 1
        title = f"{base[: 31 - len(str(n)) - 1]} {n}"
    taken.add(title)
    return title
