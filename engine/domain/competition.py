"""Rounds with advancement: who goes through to the next round, in what running order, carrying what.

Pure: built from a finished round's results; every bad input raises InvalidInput with one sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from engine.domain.messages import N_, Said
from engine.domain.model import InvalidInput
from engine.domain.ranking import PerformerResult
from engine.domain.roster import clean_text

MAX_ROUND_NAME = 60
MAX_CARRY_WEIGHT = Decimal(10)
MAX_ROUNDS = 99


@dataclass(frozen=True)
class Advancement:
    advanced: tuple[str, ...]  # performer ids, by group then rank
    order: tuple[str, ...]  # the next round's running order
    notes: tuple[str, ...] = ()  # what the admin must be told (ties at the cut)


def _whole(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidInput(N_("The number of performers to advance must be a whole number of at least 1."))
    return n


def advance_top(groups: Mapping[str, Sequence[PerformerResult]], n: object) -> Advancement:
    """The top `n` of each group (a category, or "" for the overall ranking). Ranks already carry the
    tie-breaks; performers still sharing the rank at the cut all go through, and a note says so."""
    n = _whole(n)
    advanced, order, notes = [], [], []
    for name, results in groups.items():
        ranked = [r for r in results if r.rank is not None]
        if n > len(ranked):
            template = (
                N_("{label} has only {count} ranked performer; advance at most {count}.")
                if len(ranked) == 1
                else N_("{label} has only {count} ranked performers; advance at most {count}.")
            )
            raise InvalidInput(template, label=name or Said(N_("The ranking")), count=len(ranked))
        through = [r for r in ranked if r.rank <= n]
        if len(through) > n:
            at_cut = through[-1].rank
            tied = sum(1 for r in through if r.rank == at_cut)
            notes.append(  # a Said: the desk says it in the reader's language
                Said(
                    N_(
                        "{group}: {tied} performers tied at place {place} and all go through "
                        "({through} instead of {n})."
                    ),
                    group=name or Said(N_("Overall")),
                    tied=tied,
                    place=at_cut,
                    through=len(through),
                    n=n,
                )
            )
        advanced += [r.performer_id for r in through]
        # The best performs last: the reverse of the ranking, one group's block after another.
        order += [r.performer_id for r in reversed(through)]
    return Advancement(tuple(advanced), tuple(order), tuple(notes))


def advance_chosen(results: Sequence[PerformerResult], chosen: Sequence[str]) -> Advancement:
    """A list the admin picked (performer ids), run in the order listed."""
    known = {r.performer_id for r in results}
    if not chosen:
        raise InvalidInput(N_("Choose at least one performer to advance."))
    if len(set(chosen)) != len(chosen):
        raise InvalidInput(N_("A performer is listed twice; list each performer once."))
    unknown = [pid for pid in chosen if pid not in known]
    if unknown:
        raise InvalidInput(N_("{performer} did not take part in this round."), performer=unknown[0])
    return Advancement(tuple(chosen), tuple(chosen))


def carried(
    results: Sequence[PerformerResult], advanced: Sequence[str], weight: Decimal
) -> dict[str, Decimal]:
    """What each advanced performer takes into the next round: weight × this round's total."""
    if not weight:
        return {}
    totals = {r.performer_id: r.total for r in results}
    return {pid: weight * totals[pid] for pid in advanced if totals.get(pid) is not None}


def round_name(name: object, number: int) -> str:
    """The name given (trimmed), or "Round N" when none was."""
    if name is None:
        return f"Round {number}"
    text = str(name).strip()
    if not text or len(text) > MAX_ROUND_NAME:
        raise InvalidInput(
            N_("A round name is 1 to {MAX_ROUND_NAME} characters."), MAX_ROUND_NAME=MAX_ROUND_NAME
        )
    return clean_text(text, "round name", MAX_ROUND_NAME, required=True)


def carry_weight(raw: object) -> Decimal:
    try:
        w = Decimal(str(raw if raw is not None else 0).strip())
    except InvalidOperation:
        w = Decimal("NaN")
    if not w.is_finite() or not 0 <= w <= MAX_CARRY_WEIGHT:
        raise InvalidInput(
            N_("The carry-over weight must be a number from 0 to {MAX_CARRY_WEIGHT}."),
            MAX_CARRY_WEIGHT=MAX_CARRY_WEIGHT,
        )
    return w


@dataclass(frozen=True)
class RoundInfo:
    """Which competition an event belongs to, as which round; an event never advanced from is round 1
    of its own competition (named after its event id)."""

    competition_id: str
    number: int
    name: str
    event_id: str
    carry_weight: Decimal = Decimal(0)
    carried: Mapping[str, Decimal] | None = None  # performer_id -> added to their total

    @classmethod
    def first(cls, event_id: str) -> RoundInfo:
        return cls(event_id, 1, "Round 1", event_id)
