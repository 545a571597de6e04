"""The performers roster: CSV parsing and validation, spreadsheet-safe export cells, the statuses a state
gives. Pure."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation

from engine.domain.messages import N_
from engine.domain.model import EventState, InvalidInput, Performer, PerformerStatus, Phase

MAX_PERFORMERS = 2000
MAX_NAME = 100
MAX_CATEGORY = 60
MAX_CSV_BYTES = 1_000_000
MAX_DIFFICULTY = Decimal(100)


_JOINERS = frozenset("\u200c\u200d")


def _hidden(text: str) -> str | None:
    """The first invisible formatting character of `text` that is not part of a word, or None.

    Format characters (Unicode's Cf: bidi overrides and marks, zero-width spaces, the BOM, soft hyphens)
    change how a name shows, or hide that two names differ. The only ones a name needs are the
    zero-width (non-)joiner inside a non-Latin word (Persian, Devanagari) or an emoji sequence."""
    for i, ch in enumerate(text):
        if unicodedata.category(ch) != "Cf":
            continue
        if ch in _JOINERS and 0 < i < len(text) - 1 and _joinable(text[i - 1]) and _joinable(text[i + 1]):
            continue
        return ch
    return None


def _joinable(ch: str) -> bool:
    return not ch.isascii() and unicodedata.category(ch)[0] in "LMS"


def clean_text(value: object, field: str, max_len: int, required: bool) -> str:
    text = "" if value is None else str(value)
    # Control characters never belong in a name; keep letters of every script, RTL included.
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cc").strip()
    if (ch := _hidden(text)) is not None:
        raise InvalidInput(
            f"A performer's {field} cannot hold invisible or direction-changing characters (U+{ord(ch):04X})."
        )
    if required and not text:
        raise InvalidInput(N_("Every performer needs a {field}."), field=field)
    if len(text) > max_len:
        raise InvalidInput(
            N_("A performer's {field} is at most {max_len} characters."), field=field, max_len=max_len
        )
    return text


def difficulty(raw: object, line: int) -> Decimal:
    """A performer's difficulty factor (blank: 1), a number above 0 and at most 100."""
    text = "" if raw is None else str(raw).strip()
    if text in ("", "nan", "None"):
        return Decimal(1)
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite() or not 0 < value <= MAX_DIFFICULTY:
        raise InvalidInput(
            N_("Row {line}: the difficulty must be a number above 0 and at most 100."), line=line
        )
    return value.normalize() if value != value.to_integral_value() else value.quantize(Decimal(1))


def build_roster(
    rows: Iterable[Mapping[str, object]], existing_ids: Mapping[str, str] | None = None
) -> list[Performer]:
    """Validate rows with name, optional order and category; returns performers sorted by order.

    `existing_ids` maps a name to the id it already has, so edits keep ids stable."""
    existing_ids = dict(existing_ids or {})
    parsed: list[tuple[float, int, str, str, Decimal]] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows, start=1):
        name = clean_text(row.get("name"), "name", MAX_NAME, required=True)
        category = clean_text(row.get("category"), "category", MAX_CATEGORY, required=False)
        raw_order = row.get("order")
        if raw_order is None or str(raw_order).strip() in ("", "nan", "None"):
            order = float(line)
        else:
            try:
                order = float(str(raw_order).strip())
            except ValueError:
                raise InvalidInput(N_("Row {line}: the order must be a whole number."), line=line) from None
            if not order.is_integer() or not 0 < order < 100000:
                raise InvalidInput(
                    N_("Row {line}: the order must be a whole number from 1 to 99999."), line=line
                )
        key = name.casefold()
        if key in seen:
            raise InvalidInput(
                N_("The name {name!r} appears twice (rows {first} and {line})."),
                name=name,
                first=seen[key],
                line=line,
            )
        seen[key] = line
        parsed.append((order, line, name, category, difficulty(row.get("difficulty"), line)))
        if len(parsed) > MAX_PERFORMERS:
            raise InvalidInput(
                N_("A roster holds at most {MAX_PERFORMERS} performers."), MAX_PERFORMERS=MAX_PERFORMERS
            )
    if not parsed:
        raise InvalidInput(N_("The roster is empty: add at least one performer."))
    parsed.sort()
    used = set(existing_ids.values())
    out = []
    next_id = 1
    for position, (_, _, name, category, factor) in enumerate(parsed, start=1):
        pid = existing_ids.get(name)
        if pid is None:
            while f"p{next_id:04d}" in used:
                next_id += 1
            pid = f"p{next_id:04d}"
            used.add(pid)
        out.append(Performer(pid, name, position, category=category, difficulty=factor))
    return out


def parse_csv(data: bytes | str) -> list[dict[str, str]]:
    """Rows of a roster CSV (columns: name, order, optional category and difficulty; header names
    are case-insensitive)."""
    if isinstance(data, bytes):
        if len(data) > MAX_CSV_BYTES:
            raise InvalidInput(N_("The CSV file is larger than 1 MB."))
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput(N_("The CSV file must be UTF-8 text.")) from None
    reader = csv.DictReader(io.StringIO(data))
    if not reader.fieldnames:
        raise InvalidInput(N_("The CSV file is empty: it needs a header row with name and order."))
    headers = {(h or "").strip().lower(): h for h in reader.fieldnames}
    missing = [c for c in ("name", "order") if c not in headers]
    if missing:
        raise InvalidInput(
            N_("The CSV file is missing the column(s): {columns}."), columns=", ".join(missing)
        )
    rows = []
    try:
        for row in reader:
            rows.append(
                {k: row.get(headers[k]) for k in ("name", "order", "category", "difficulty") if k in headers}
            )
    except csv.Error as e:
        raise InvalidInput(N_("The CSV file could not be read: {e}."), e=e) from None
    return rows


def safe_cell(value: object) -> object:
    """A cell that a spreadsheet will show as text, never run as a formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def on_stage_as_of(performers: list[Performer], state: EventState) -> list[Performer]:
    """The roster with the performer on stage in the status their phase gives them (performing or
    scoring), as the transaction of a window's flip writes it (engine/domain/rules.py)."""
    on_stage = state.performer_id
    status = PerformerStatus.SCORING if state.phase is Phase.SCORING else PerformerStatus.PERFORMING
    return [replace(p, status=status) if p.performer_id == on_stage else p for p in performers]
