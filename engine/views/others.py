"""What a judge may see of the other judges' scores (their document's "others"): the rule, and the rows
the live feed keeps between its builds. Pure: a Snapshot in, no I/O."""

from __future__ import annotations

from engine.domain.snapshot import Snapshot
from engine.views.documents import encode, shown


def others_for(snap: Snapshot, judge: str) -> list[dict]:
    """What a judge may see of the others (domain.snapshot.visible_to_judge's rule: only performers this
    judge has scored), judges by display name and the judge as "You"."""
    names = {j.email: j.name for j in snap.judges}
    out = []
    for performer in snap.performers:
        scores = snap.by_performer.get(performer.performer_id, {})
        if judge in scores:
            out.append(others_row(performer.name, scores, names, judge))
    return out


def others_row(name: str, scores: dict, names: dict[str, str], judge: str) -> dict:
    """One performer's row of others_for: every judge's total, `judge` as "You"."""
    return {
        "performer": name,
        "scores": [
            {"judge": "You" if j == judge else names.get(j, "Judge"), "total": shown(s.total)}
            for j, s in sorted(scores.items())
        ],
    }


class Others:
    """What each judge may see of the others (others_for) and how many times it moved (their
    document's change key), kept between builds: a row is made (and encoded) again only when its
    performer's scores moved (the feed keeps a score's object until it changes), so a score costs each
    judge who has scored that performer one row, not their whole list, and moves nobody else's document."""

    def __init__(self) -> None:
        self._names: dict[str, str] | None = None
        # judge -> performer -> (what the row was made of, the row, its JSON)
        self._rows: dict[str, dict[str, tuple[tuple, dict, str]]] = {}
        self._last: dict[str, tuple[list[dict], int]] = {}
        self._texts: dict[str, list[str]] = {}  # judge -> their rows in JSON

    def encoded(self, judge: str) -> str:
        """The judge's list (as `of` last made it) in JSON, from its rows' JSON."""
        return "[" + ",".join(self._texts[judge]) + "]"

    def of(self, snap: Snapshot, judges: list[str]) -> dict[str, tuple[list[dict], int]]:
        names = {j.email: j.name for j in snap.judges}
        if names != self._names:
            self._names, self._rows = names, {}
        table = snap.by_performer
        what = {pid: tuple(scores.values()) for pid, scores in table.items()}
        out = {}
        for judge in judges:
            rows = self._rows.setdefault(judge, {})
            mine, texts, fresh = [], [], False
            for p in snap.performers:
                scores = table.get(p.performer_id)
                if not scores or judge not in scores:
                    continue
                made = rows.get(p.performer_id)
                key = (p.name, what[p.performer_id])
                if made is None or made[0] != key:
                    row = others_row(p.name, scores, names, judge)
                    made = rows[p.performer_id] = (key, row, encode(row))
                    fresh = True
                mine.append(made[1])
                texts.append(made[2])
            last, moves = self._last.get(judge, (None, 0))
            if last is None or fresh or mine != last:
                moves += 1
            out[judge] = self._last[judge] = (mine, moves)
            self._texts[judge] = texts
        for gone in set(self._rows) - set(judges):
            self._rows.pop(gone)
            self._last.pop(gone, None)
            self._texts.pop(gone, None)
        return out
