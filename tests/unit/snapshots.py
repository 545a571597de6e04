"""Hand-made Snapshots for the analytics tests: performers, judges and scores without a database."""

from __future__ import annotations

import random
from decimal import Decimal as D

from engine.domain import eventlog
from engine.domain.model import Account, EventState, Performer, PerformerStatus, Phase, Role, Score, Settings
from engine.domain.snapshot import Snapshot, compute_results

T0 = 1_700_000_000.0
PERFORM, WINDOW = 10.0, 30.0


def make_snapshot(
    rows: dict[str, dict[str, object]],
    judges: dict[str, str] | None = None,
    *,
    names: dict[str, str] | None = None,
    status: dict[str, PerformerStatus] | None = None,
    settings: Settings | None = None,
    inactive: tuple[str, ...] = (),
    submitted: dict[tuple[str, str], tuple[float, float, int]] | None = None,
) -> Snapshot:
    """rows: performer id -> {judge email: score}, in running order; each performer performs from
    T0 + 100 * i, its window opens PERFORM seconds later and a judge submits 5 s into it unless
    `submitted` says (first, latest, revision) relative to the opening."""
    settings = settings or Settings(perform_seconds=PERFORM, score_seconds=WINDOW)
    judges = judges or {e: e.split("@")[0].upper() for js in rows.values() for e in js}
    accounts = [Account(e, n, Role.JUDGE, active=e not in inactive) for e, n in judges.items()]
    names = names or {}
    status = status or {}
    performers, scores = [], []
    for i, (pid, by_judge) in enumerate(rows.items()):
        start = T0 + 100 * i
        performers.append(
            Performer(pid, names.get(pid, pid.upper()), i + 1, status=status.get(pid, PerformerStatus.DONE),
                      started_at=start, ended_at=start + PERFORM + WINDOW)
        )  # fmt: skip
        opened = start + PERFORM
        for judge, value in by_judge.items():
            first, last, rev = (submitted or {}).get((pid, judge), (5.0, 5.0, 1))
            v = D(str(value))
            scores.append(
                Score("e1", pid, judge, {"Score": v}, v, rev, opened + last, opened + first, 2 * i + 2)
            )
    state = EventState("e1", Phase.FINISHED, tuple(rows), len(rows) - 1, version=7)
    return Snapshot(
        at=T0 + 100 * len(rows),
        state=state,
        settings=settings,
        performers=performers,
        scores=scores,
        judges=accounts,
        present=[],
        flags={},
        results=compute_results(settings, performers, scores, accounts),
    )


A, B, C = "a@x", "b@x", "c@x"


JUDGES = {A: "Ann", B: "Bob", C: "Cy"}


# Cy always scores 2 above Ann and Bob, who agree.
ROWS = {"p1": {A: 5, B: 5, C: 7}, "p2": {A: 6, B: 6, C: 8}, "p3": {A: 3, B: 3, C: 5}}


def log_openings(snap: Snapshot, late: float = 0.0) -> list[eventlog.LogEntry]:
    entries, head = [], eventlog.GENESIS
    for i, p in enumerate(snap.performers):
        e = eventlog.make_entry("e1", "engine", i, head, p.started_at + PERFORM + late, "engine",
                                "scoring_opened", {"performer_id": p.performer_id})  # fmt: skip
        entries.append(e)
        head = e.hash
    return entries


def large_snapshot(n: int = 1000, m: int = 20) -> Snapshot:
    rnd = random.Random(7)
    judges = {f"judge{j:02d}@x": f"Judge {j}" for j in range(m)}
    rows = {f"p{i:04d}": {e: D(rnd.randint(0, 100)) / 10 for e in judges} for i in range(n)}
    submitted = {
        (pid, e): (f := rnd.uniform(1, 25), f + rnd.choice([0, 0, 0, 3]), 1) for pid in rows for e in judges
    }
    return make_snapshot(rows, judges, submitted=submitted)
