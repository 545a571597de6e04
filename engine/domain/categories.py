"""Categories: each one ranked on its own (its own ranks, podium and tie-breaks). Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from engine.domain.model import Performer, Settings, TieBreak
from engine.domain.ranking import PerformerResult, assign_ranks


def names(performers: Iterable[Performer]) -> list[str]:
    """The categories in the order they first appear in the roster ("" for performers without one)."""
    return list(dict.fromkeys(p.category for p in performers))


def shows_overall(settings: Settings, performers: Iterable[Performer]) -> bool:
    """With one category the overall ranking is the category's; with several it is shown when asked."""
    return len(names(performers)) <= 1 or settings.rank_overall


def by_category(
    results: Sequence[PerformerResult], performers: Iterable[Performer], tie_breaks: Sequence[TieBreak]
) -> dict[str, list[PerformerResult]]:
    """category -> its results, ranked among themselves first, then the unranked in roster order.

    Only results the overall ranking ranked take part: skipped, no-show and incomplete stay unranked."""
    performers = list(performers)
    category = {p.performer_id: p.category for p in performers}
    groups: dict[str, list[PerformerResult]] = {c: [] for c in names(performers)}
    for r in results:
        groups.setdefault(category.get(r.performer_id, ""), []).append(r)
    out = {}
    for name, members in groups.items():
        ranked = assign_ranks([r for r in members if r.rank is not None], tie_breaks)
        out[name] = ranked + [r for r in members if r.rank is None]
    return out


def category_ranks(groups: dict[str, list[PerformerResult]]) -> dict[str, int | None]:
    """performer_id -> rank within their own category."""
    return {r.performer_id: r.rank for members in groups.values() for r in members}


def podiums(groups: dict[str, list[PerformerResult]], places: int = 3) -> dict[str, list[PerformerResult]]:
    """The top `places` ranks of each category (more than three names when tied)."""
    return {
        c: [r for r in members if r.rank is not None and r.rank <= places] for c, members in groups.items()
    }
