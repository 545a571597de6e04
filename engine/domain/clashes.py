"""Clashes between a festival's stages, for the desk and `status --json`: a performer expected on two
stages within 15 minutes, a performer waiting in two stages' running orders while both run, one person
judging on two stages (two accounts of the same name: an account itself belongs to one stage). Pure.
A name is the same name whatever its case and surrounding spaces."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from engine.domain.model import Account, PerformerStatus, Phase
from engine.domain.schedule import Slot, clock_time

CLASH_SECONDS = 15 * 60
RUNNING = (Phase.LOBBY, Phase.PERFORMING, Phase.SCORING)
STILL_TO_COME = (PerformerStatus.WAITING, PerformerStatus.PERFORMING)


@dataclass(frozen=True)
class StageLineup:
    """What the clash rules need of one stage: its phase, its running order's slots and its panel."""

    stage: str
    name: str
    phase: Phase
    slots: tuple[Slot, ...]
    judges: tuple[Account, ...] = ()


@dataclass(frozen=True)
class Clash:
    kind: str  # performer_near | two_orders | judge_two_stages
    who: str
    stages: tuple[str, str]
    sentence: str

    def as_json(self) -> dict:
        return {"kind": self.kind, "who": self.who, "stages": list(self.stages), "sentence": self.sentence}


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def _to_come(lineup: StageLineup) -> dict[str, Slot]:
    return {_key(s.name): s for s in lineup.slots if s.status in STILL_TO_COME}


def find(lineups: Sequence[StageLineup]) -> list[Clash]:
    """Every clash between two of the stages, by kind, then in the stages' order."""
    pairs = list(combinations(lineups, 2))
    return [
        *(c for a, b in pairs for c in _near(a, b)),
        *(c for a, b in pairs for c in _two_orders(a, b)),
        *(c for a, b in pairs for c in _two_panels(a, b)),
    ]


def _near(a: StageLineup, b: StageLineup) -> Iterable[Clash]:
    theirs = _to_come(b)
    for key, mine in _to_come(a).items():
        other = theirs.get(key)
        if other is None or mine.expected_start is None or other.expected_start is None:
            continue
        if abs(mine.expected_start - other.expected_start) < CLASH_SECONDS:
            sentence = (
                f"{mine.name} is expected on {a.name} at {clock_time(mine.expected_start)} "
                f"and on {b.name} at {clock_time(other.expected_start)}."
            )
            yield Clash("performer_near", mine.name, (a.stage, b.stage), sentence)


def _two_orders(a: StageLineup, b: StageLineup) -> Iterable[Clash]:
    if a.phase not in RUNNING or b.phase not in RUNNING:
        return
    theirs = _to_come(b)
    for key, mine in _to_come(a).items():
        if key in theirs:
            sentence = f"{mine.name} is in the running orders of {a.name} and {b.name} at once."
            yield Clash("two_orders", mine.name, (a.stage, b.stage), sentence)


def _two_panels(a: StageLineup, b: StageLineup) -> Iterable[Clash]:
    theirs = {_key(j.name) for j in b.judges if j.active}
    for judge in a.judges:
        if judge.active and _key(judge.name) in theirs:
            sentence = f"{judge.name} judges on {a.name} and on {b.name} at once (two accounts)."
            yield Clash("judge_two_stages", judge.name, (a.stage, b.stage), sentence)
