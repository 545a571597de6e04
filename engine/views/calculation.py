"""The calculation behind a field rule's ranking (the skating system's table of majorities, the rank
points, the normalised marks) as the results desk and the results PDF show it: performers by name and
judges as the sheets name them. Pure: from a Snapshot (Snapshot.calculation, the ranking's own)."""

from __future__ import annotations

from collections.abc import Mapping

from engine.domain.placing import Table
from engine.domain.snapshot import Snapshot
from engine.views.results import judge_labels


def _named(text: str, names: Mapping[str, str]) -> str:
    """A cell or heading that starts with an id, with the id replaced by its name."""
    for key, name in names.items():
        if text == key or text.startswith(key + ":"):
            return name + text[len(key) :]
    return text


def _judges_named(sentence: str, judges: Mapping[str, str]) -> str:
    for key in sorted(judges, key=len, reverse=True):
        sentence = sentence.replace(key, judges[key])
    return sentence


def tables(snap: Snapshot, judges_named: bool = True) -> tuple[str | None, list[Table]]:
    """(the sentence refusing the rule, or None; the calculation's tables), or (None, []) under a rule
    of each performer's own marks."""
    calcs = snap.calculations  # one, or each category's when a field rule places them apart
    if not calcs:
        return None, []
    judges = judge_labels(snap, judges_named)
    refused = [(name, c.refused) for name, c in calcs.items() if c.refused]
    if refused:
        name, sentence = refused[0]
        return (f"{name}: " if name else "") + _judges_named(sentence, judges), []
    performers = {p.performer_id: p.name for p in snap.performers}
    out = []
    for name, calc in calcs.items():
        for t in calc.tables:
            heads = tuple(_named(h, judges) for h in t.columns)
            rows = tuple((_named(_named(r[0], performers), judges), *r[1:]) for r in t.rows)
            out.append(Table(f"{name}: {t.title}" if name else t.title, heads, rows))
    return None, out
