"""The audience vote's counting: a window's tally from its counter shards, the people's choice, the
combined ranking with the jury's, and the addresses the desk flags. Pure."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from engine.domain.model import VoteMode, VoteSettings

POINTS = (12, 10, 8, 7, 6, 5, 4, 3, 2, 1)  # rank points for the combined ranking, as Eurovision's


@dataclass(frozen=True)
class Tally:
    votes: int = 0
    stars: int = 0  # per act: the stars added up
    by_performer: dict[str, int] = field(default_factory=dict)  # final: votes per performer


def tally_of(shards: Iterable[Mapping[str, object]]) -> Tally:
    """A window's tally from its counter shards (a revision adds its difference to some shard)."""
    votes = stars = 0
    by: dict[str, int] = {}
    for s in shards:
        votes += int(s.get("n", 0))
        stars += int(s.get("stars", 0))
        for name, count in s.items():
            if name.startswith("c_"):
                by[name[2:]] = by.get(name[2:], 0) + int(count)
    return Tally(votes, stars, {k: v for k, v in by.items() if v})


@dataclass(frozen=True)
class AudiencePlace:
    performer_id: str
    votes: int
    stars: int = 0
    mean: Decimal | None = None  # per act: mean stars, to two places
    rank: int | None = None


def _ranked(places: list[AudiencePlace], key) -> list[AudiencePlace]:
    voted = sorted((p for p in places if p.votes), key=key, reverse=True)
    out, last, rank = [], None, 0
    for i, p in enumerate(voted):
        if key(p) != last:
            rank, last = i + 1, key(p)
        out.append(AudiencePlace(p.performer_id, p.votes, p.stars, p.mean, rank))
    return out + [p for p in places if not p.votes]


def peoples_choice(
    settings: VoteSettings,
    per_act: Mapping[str, Tally],
    final: Tally | None,
    performers: Sequence[str] = (),
) -> list[AudiencePlace]:
    """The audience's ranking: per act by mean stars then votes; final by votes. Equal shares a rank;
    a performer without a vote is unranked."""
    if settings.mode is VoteMode.FINAL:
        counts = (final or Tally()).by_performer
        ids = list(performers) or list(counts)
        return _ranked([AudiencePlace(p, counts.get(p, 0)) for p in ids], lambda p: p.votes)
    places = []
    for pid in list(performers) or list(per_act):
        t = per_act.get(pid, Tally())
        mean = (Decimal(t.stars) / t.votes).quantize(Decimal("0.01")) if t.votes else None
        places.append(AudiencePlace(pid, t.votes, t.stars, mean))
    return _ranked(places, lambda p: (p.mean, p.votes))


@dataclass(frozen=True)
class CombinedPlace:
    performer_id: str
    points: Decimal
    rank: int


def _plain(points: Decimal) -> Decimal:
    """10.0 -> 10 (not normalize()'s 1E+1, which str() shows in the exports), 8.40 -> 8.4."""
    return points.quantize(Decimal(1)) if points == points.to_integral_value() else points.normalize()


def rank_points(rank: int | None) -> int:
    return POINTS[rank - 1] if rank is not None and 1 <= rank <= len(POINTS) else 0


def combined(
    jury: Mapping[str, int | None], audience: Mapping[str, int | None], jury_percent: int
) -> list[CombinedPlace]:
    """Jury rank points and audience rank points (12, 10, 8, 7 … 1), weighted jury_percent to the rest;
    equal points go to the better jury rank, then share a place."""
    share = Decimal(jury_percent) / 100
    ids = list(dict.fromkeys([*jury, *audience]))
    scored = [
        (pid, share * rank_points(jury.get(pid)) + (1 - share) * rank_points(audience.get(pid)))
        for pid in ids
    ]

    def key(item):
        pid, points = item
        return (-points, jury.get(pid) or math.inf)

    scored.sort(key=key)
    out, last, rank = [], None, 0
    for i, item in enumerate(scored):
        if key(item) != last:
            rank, last = i + 1, key(item)
        out.append(CombinedPlace(item[0], _plain(item[1]), rank))
    return out


# What the desk flags in a window, per address (a whole venue shares one, so nothing is refused for it):
FLAG_NEW_DEVICES = 25  # votes from devices first seen during this window
FLAG_PER_SECOND = 20  # votes within one second


@dataclass(frozen=True)
class Flag:
    address: str  # hashed: the desk tells addresses apart without showing them
    votes: int
    new_devices: int
    peak_per_second: int

    def as_dict(self) -> dict:
        return {
            "address": self.address,
            "votes": self.votes,
            "new_devices": self.new_devices,
            "peak_per_second": self.peak_per_second,
        }


def _peak(times: list[float]) -> int:
    times.sort()
    peak, first = 0, 0
    for last, t in enumerate(times):
        while t - times[first] >= 1.0:
            first += 1
        peak = max(peak, last - first + 1)
    return peak


def flags(ballots: Iterable[Mapping[str, object]]) -> list[Flag]:
    """Addresses with a burst of votes or many new devices in one window, most votes first: for the admin
    to look at (and void the new devices' surplus), never refused on their own."""
    by: dict[str, list[Mapping[str, object]]] = {}
    for b in ballots:
        by.setdefault(str(b.get("addr", "")), []).append(b)
    out = []
    for address, own in by.items():
        new = sum(1 for b in own if b.get("new"))
        peak = _peak([float(b["at"]) for b in own])
        if new >= FLAG_NEW_DEVICES or peak >= FLAG_PER_SECOND:
            out.append(Flag(address, len(own), new, peak))
    return sorted(out, key=lambda f: (-f.votes, f.address))
