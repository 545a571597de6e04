"""Stages: a festival runs several at once, each with its own current event, clock, lease, panel and board.

A deployment that never names a stage has one, `main` ("Main"), stored under the keys it always used, so
its data needs no migration. A judge belongs to one stage (an account without one belongs to `main`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from engine.domain.messages import N_
from engine.domain.model import Account, InvalidInput

MAIN = "main"
MAIN_NAME = "Main"
_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")


@dataclass(frozen=True)
class Stage:
    stage_id: str
    name: str
    order: int = 0


def check_id(stage_id: object) -> str:
    """A stage id as it appears in URLs and keys: 1-32 lower-case letters, digits and hyphens."""
    if not isinstance(stage_id, str) or not _ID.fullmatch(stage_id):
        raise InvalidInput(
            N_(
                "A stage id is 1 to 32 lower-case letters, digits and hyphens, starting with a letter or "
                "digit."
            )
        )
    return stage_id


def slug(name: str) -> str:
    """An id made from a stage's name ("Stage 2" -> "stage-2"); the caller checks it is free."""
    made = re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")[:32].strip("-")
    return made or "stage"


def listed(stored: Iterable[Stage]) -> list[Stage]:
    """The deployment's stages in their order: the stored ones, or the one implicit main stage."""
    stages = sorted(stored, key=lambda s: (s.order, s.stage_id))
    return stages or [Stage(MAIN, MAIN_NAME)]


def choose(stages: list[Stage], wanted: str | None) -> Stage:
    """The stage a command acts on: the one named, or the only one there is."""
    if wanted is not None:
        for s in stages:
            if s.stage_id == wanted:
                return s
        names = ", ".join(s.stage_id for s in stages)
        raise InvalidInput(f"There is no stage {wanted!r}; the stages are: {names}.")
    if len(stages) == 1:
        return stages[0]
    names = ", ".join(s.stage_id for s in stages)
    raise InvalidInput(f"There are {len(stages)} stages ({names}); say which with --stage ID.")


def of_judge(stage_id: str | None) -> str:
    """The stage a judge account belongs to (an account from before stages belongs to main)."""
    return stage_id or MAIN


def panel(judges: Iterable[Account], stage: str) -> list[Account]:
    """The judges assigned to `stage`: its panel."""
    return [j for j in judges if of_judge(j.stage) == stage]
