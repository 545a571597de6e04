"""The demo event: three judges, an admin, five performers; or a festival of N stages, each with its own."""

from __future__ import annotations

from decimal import Decimal

from engine.domain import accounts
from engine.domain.model import Account, Conflict, Role, Settings
from engine.domain.roster import build_roster
from engine.domain.stages import MAIN
from engine.service.core import Service

NAME = "Stagescore demo night"
DEMO_PERFORMERS = [
    ("The Quicksteps", "Dance"),
    ("Mira Solano", "Music"),
    ("Brass Knuckle Band", "Music"),
    ("Lumen Robotics", "Pitch"),
    ("Juno & the Echoes", "Music"),
    ("Kai Okafor", "Comedy"),
    ("Stilt Theory", "Circus"),
    ("Ada Byte", "Pitch"),
]
# The original system weighted its three judges 0.5 / 0.25 / 0.25.
DEMO_WEIGHTS = [Decimal("2"), Decimal("1"), Decimal("1")]


def seed(
    svc: Service,
    judges: int = 3,
    performers: int = 5,
    perform_seconds: float = 10.0,
    score_seconds: float = 30.0,
    password: str | None = None,
    first_judge: int = 1,
) -> dict[str, str]:
    """Create (or refresh) the demo accounts and a new demo event in the lobby on the service's stage (its
    judges numbered from `first_judge` and assigned to it); returns the logins."""
    if not 1 <= judges <= 50 or not 1 <= performers <= 1000:
        raise ValueError("the demo takes 1 to 50 judges and 1 to 1000 performers")
    logins: dict[str, str] = {}
    people = [
        (
            f"judge{i}@demo.local",
            f"Judge {i}",
            Role.JUDGE,
            DEMO_WEIGHTS[i - 1] if i <= len(DEMO_WEIGHTS) else Decimal(1),
        )
        for i in range(first_judge, first_judge + judges)
    ]
    stage = svc.stage_id()
    people.append(("admin@demo.local", "Admin", Role.ADMIN, Decimal(1)))
    for email, name, role, weight in people:
        pw = password or accounts.new_password()
        acc = Account(email, name, role, weight, True, stage if role is Role.JUDGE else None)
        try:
            svc.store.accounts.put(acc, accounts.hash_password(pw), create_only=True)
        except Conflict:
            svc.store.accounts.put(acc, accounts.hash_password(pw))
        logins[email] = pw
    rows = []
    for i in range(performers):
        name, cat = DEMO_PERFORMERS[i % len(DEMO_PERFORMERS)]
        if i >= len(DEMO_PERFORMERS):
            name = f"{name} {i // len(DEMO_PERFORMERS) + 1}"
        rows.append({"name": name, "order": i + 1, "category": cat})
    settings = Settings(
        event_name="Stagescore demo night"
        if stage == MAIN
        else f"Stagescore demo night: {svc.stages.get(stage).name}",
        perform_seconds=perform_seconds,
        score_seconds=score_seconds,
        required_judges=min(3, judges),
        # A talent show's mixed acts (one of each kind) compete for one podium; each category keeps its own.
        rank_overall=True,
    )
    svc.create_event(settings, build_roster(rows), open_lobby=True)
    return logins


def festival(svc: Service, stages: int, judges: int, **options) -> dict[str, str]:
    """Stages s1 … sN ("Stage 1" …), each with its own demo event and panel: judge1-3 on s1, judge4-6 on
    s2 … (with three judges a stage). A stage that exists already is reused."""
    if not 1 <= stages <= 20 or stages * judges > 50:
        raise ValueError("the festival demo takes 1 to 20 stages and at most 50 judges in all")
    known = {s.stage_id for s in svc.store.stages.stored()}
    logins: dict[str, str] = {}
    for n in range(1, stages + 1):
        if f"s{n}" not in known:
            svc.stages.add(None, f"Stage {n}", f"s{n}")
        logins |= seed(svc.on(f"s{n}"), judges=judges, first_judge=(n - 1) * judges + 1, **options)
    return logins
