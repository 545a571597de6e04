"""What the desk, the results, `vote status` and `status --json` show of the audience vote: each window
with its state and tally, the people's choice and the combined ranking. Built from what was read; pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from engine.domain import tallies
from engine.domain.model import VoteMode, VoteSettings
from engine.domain.tallies import AudiencePlace, CombinedPlace, Tally
from engine.domain.votes import FINAL, VoteWindow


@dataclass(frozen=True)
class WindowLine:
    key: str
    name: str  # the performer's, or "Final vote"
    open: bool
    opened_at: float
    closes_at: float | None
    tally: Tally
    flags: tuple[dict, ...] = ()  # addresses flagged when it closed (engine/domain/tallies.flags)


@dataclass(frozen=True)
class Audience:
    mode: VoteMode
    revealed: bool
    windows: tuple[WindowLine, ...]
    places: tuple[AudiencePlace, ...]
    combined: tuple[CombinedPlace, ...]  # empty without a combined ranking
    jury_percent: int | None
    names: Mapping[str, str]

    def as_json(self, public: bool = False) -> dict:
        """The `audience` field of `status --json` (public: nothing of the tally before the reveal)."""
        hidden = public and not self.revealed
        out = {
            "mode": self.mode.value,
            "revealed": self.revealed,
            "windows": [
                {
                    "window": w.key,
                    "name": w.name,
                    "state": "open" if w.open else "closed",
                    "opened_at": w.opened_at,
                    "closes_at": w.closes_at,
                    **({} if hidden else {"votes": w.tally.votes}),
                }
                for w in self.windows
            ],
        }
        if hidden:
            return out
        out["performers"] = [
            {
                "performer_id": p.performer_id,
                "name": self.names.get(p.performer_id, p.performer_id),
                "votes": p.votes,
                **(
                    {"points": p.votes}
                    if self.mode is VoteMode.FINAL
                    else {"stars": p.stars, "mean": _num(p.mean)}
                ),
                "rank": p.rank,
            }
            for p in self.places
        ]
        if self.combined:
            out["combined"] = {
                "jury_percent": self.jury_percent,
                "places": [
                    {"performer_id": c.performer_id, "points": _num(c.points), "rank": c.rank}
                    for c in self.combined
                ],
            }
        return out


def _num(value) -> str | None:
    return None if value is None else str(value)


def _points(p: AudiencePlace) -> dict:
    return {"points": p.votes}


def _stars(p: AudiencePlace) -> dict:
    return {"stars": p.stars, "mean": _num(p.mean)}


def _line(w: VoteWindow, names: Mapping[str, str], counted: Mapping[str, Tally], now: float) -> WindowLine:
    name = "Final vote" if w.key == FINAL else names.get(w.key, w.key)
    tally = counted.get(w.key, Tally())
    return WindowLine(w.key, name, w.open_at(now), w.opened_at, w.closes_at, tally, w.flags)


def build(
    settings: VoteSettings,
    windows: Mapping[str, VoteWindow],
    counted: Mapping[str, Tally],
    names: Mapping[str, str],
    order: Sequence[str],
    jury_ranks: Mapping[str, int | None],
    revealed: bool,
    now: float,
) -> Audience:
    lines = tuple(_line(w, names, counted, now) for w in sorted(windows.values(), key=lambda w: w.opened_at))
    per_act = {k: t for k, t in counted.items() if k != FINAL}
    places = tuple(tallies.peoples_choice(settings, per_act, counted.get(FINAL), order))
    combined: tuple[CombinedPlace, ...] = ()
    if settings.jury_percent is not None and any(p.rank for p in places):
        audience = {p.performer_id: p.rank for p in places}
        combined = tuple(
            tallies.combined({pid: jury_ranks.get(pid) for pid in order}, audience, settings.jury_percent)
        )
    return Audience(settings.mode, revealed, lines, places, combined, settings.jury_percent, dict(names))
