"""Accounts and an event the tests seed, and a clock the tests move."""

from __future__ import annotations

from engine.domain import accounts
from engine.domain.model import Account, Role, Settings
from engine.domain.roster import build_roster
from engine.service.core import Service

PASSWORD = "correct-horse-9"
_HASH = accounts.hash_password(PASSWORD)


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
