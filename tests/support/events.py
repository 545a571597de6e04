"""Accounts and an event the tests seed, and a clock the tests move."""

from __future__ import annotations

from argon2 import PasswordHasher

from engine.domain import rules
from engine.domain.model import Account, Command, CommandKind, EventState, Phase, Role, Settings
from engine.domain.roster import build_roster
from engine.service.core import Service
from engine.store import Store

PASSWORD = "correct-horse-9"
# The seeded accounts' argon2id hash, made with the lowest cost argon2 allows: a login verifies against the
# cost written in the hash, and the suite logs in thousands of times (the product's cost, m=19 MiB t=2,
# made seed_event's logins about 40 s of make test's CPU). The login path is the product's all the same;
# accounts made through it (the CLI, the demo, tests/unit's hashing) keep the product's cost.
_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def seed_event(
    svc: Service, judges: int = 3, performers: int = 3, settings: Settings | None = None, lobby: bool = True
) -> dict[str, str]:
    """Accounts (judge1.. and admin) and an event; returns email -> session token."""
    for i in range(1, judges + 1):
        svc.store.accounts.put(Account(f"judge{i}@test.local", f"Judge {i}", Role.JUDGE), _HASH)
    svc.store.accounts.put(Account("admin@test.local", "Admin", Role.ADMIN), _HASH)
    roster = build_roster([{"name": f"Performer {i}", "order": i} for i in range(1, performers + 1)])
    svc.create_event(settings or Settings(perform_seconds=10, score_seconds=30), roster, open_lobby=lobby)
    emails = [f"judge{i}@test.local" for i in range(1, judges + 1)] + ["admin@test.local"]
    return {e: svc.logins.login(e, PASSWORD).token for e in emails}


def two_stages(svc: Service, settings: Settings | None = None) -> dict[str, str]:
    """A festival of two stages: s1 "Stage 1" (judge1, judge2) and s2 "Stage 2" (judge3), each with its own
    event of three performers; the tokens of seed_event (admin and the three judges)."""
    svc.stages.add(None, "Stage 1", "s1")
    svc.stages.add(None, "Stage 2", "s2")
    tokens = seed_event(svc.on("s1"), judges=3, settings=settings)
    seed_event(svc.on("s2"), judges=0, settings=settings)
    for email, stage in (("judge1", "s1"), ("judge2", "s1"), ("judge3", "s2")):
        svc.stages.assign(None, f"{email}@test.local", stage)
    return tokens


def festival(
    svc: Service, stages: int = 2, judges: int = 2, performers: int = 3, settings: Settings | None = None
) -> dict[str, dict[str, str]]:
    """A festival of `stages` stages s1, s2, ... ("Stage 1", ...), each with its own event of `performers`
    (the same performer ids on every stage) and `judges` judges of its own (judge1.. in stage order);
    stage id -> {judge email -> session token}."""
    ids = [f"s{i}" for i in range(1, stages + 1)]
    for n, sid in enumerate(ids, start=1):
        svc.stages.add(None, f"Stage {n}", sid)
    tokens = seed_event(svc.on(ids[0]), judges=stages * judges, performers=performers, settings=settings)
    for sid in ids[1:]:
        seed_event(svc.on(sid), judges=0, performers=performers, settings=settings)
    out: dict[str, dict[str, str]] = {sid: {} for sid in ids}
    for i in range(stages * judges):
        email, sid = f"judge{i + 1}@test.local", ids[i // judges]
        svc.stages.assign(None, email, sid)
        out[sid][email] = tokens[email]
    return out


def seed_lobby(
    svc: Service, performers: int, perform: float, score: float, judges: int = 3
) -> dict[str, str]:
    """Judge accounts and an event in the lobby for the process and fault tests; judge email -> token.
    No auto-start: the judges' streams make them present, and the engine starting the event on quorum
    would race the test's own Start ("The event has already started")."""
    settings = Settings(
        perform_seconds=perform, score_seconds=score, required_judges=judges, auto_start=False
    )
    tokens = seed_event(svc, judges=judges, performers=performers, settings=settings)
    return {e: t for e, t in tokens.items() if e.startswith("judge")}


def start_event(svc: Service) -> EventState:
    """The operator's Start, without the full panel."""
    return svc.command(None, Command(CommandKind.START, force=True))


def finished(store: Store, event_id: str) -> bool:
    s = store.events.state(event_id)
    return s is not None and s.phase is Phase.FINISHED


def open_scoring(svc: Service, admin_token: str | None) -> EventState:
    """Start the event without the full panel and write the transition into the first scoring window,
    as the engine would at the performance's deadline (for tests that run no engine)."""
    svc.command(admin_token, Command(CommandKind.START, force=True))
    b = svc.bundle()
    (step,) = rules.due_steps(b.state, b.settings, b.state.deadline, 0)
    svc.store.events.write_step(b.state.version, step, "test", step.at)
    return step.state
