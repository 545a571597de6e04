"""A benchmark's event: judges and their sessions, an event with short timers, and the changes the
public board shows matched to what a viewer saw."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from engine.domain import accounts
from engine.domain.model import Account, Command, CommandKind, Role, Settings
from engine.domain.roster import build_roster
from engine.service.core import Service

PASSWORD = "bench-Password-42"
_HASH: list[str] = []


def add_judges(svc: Service, n: int, weight: Decimal = Decimal(1)) -> list[str]:
    """n judge accounts sharing one password (hashed once: argon2 is slow on purpose)."""
    if not _HASH:
        _HASH.append(accounts.hash_password(PASSWORD))
    emails = [f"judge{i:03d}@bench.local" for i in range(1, n + 1)]
    for i, email in enumerate(emails, start=1):
        svc.store.accounts.put(Account(email, f"Judge {i}", Role.JUDGE, weight, True), _HASH[0])
    return emails


def login_all(svc: Service, emails: Sequence[str]) -> dict[str, str]:
    """email -> session token, each through service.logins.login as a judge's page does."""
    return {e: svc.logins.login(e, PASSWORD).token for e in emails}


def create_event(
    svc: Service,
    performers: int,
    perform_seconds: float,
    score_seconds: float,
    required_judges: int = 1,
    **settings,
):
    """A new current event in SETUP (not started). Timers may be shorter than the UI allows."""
    rows = [{"name": f"Performer {i:04d}", "order": i, "category": "Bench"} for i in range(1, performers + 1)]
    s = Settings(
        event_name="Stagescore benchmark",
        perform_seconds=perform_seconds,
        score_seconds=score_seconds,
        required_judges=required_judges,
        **settings,
    )
    return svc.create_event(s, build_roster(rows))


def start_event(svc: Service):
    """The admin's Start (forced: no quorum needed)."""
    return svc.command(None, Command(CommandKind.START, force=True))


def transitions(svc: Service, event_id: str, kinds: Iterable[str] | None = None) -> list[dict]:
    """State-change log entries (they carry `version` and `written_at`), oldest first."""
    wanted = set(kinds) if kinds else None
    entries, _ = svc.store.log.entries(event_id)
    out = []
    for e in entries:
        if wanted is not None and e.kind not in wanted:
            continue
        data = e.payload()
        if "written_at" not in data:
            continue
        out.append({"kind": e.kind, "ts": e.ts, "version": int(data["version"]), **data})
    return sorted(out, key=lambda d: d["version"])


def board_changes(svc: Service, event_id: str) -> list[tuple[float, str, int]]:
    """Every change the public board shows, as (written at, "version" | "scores", value):
    each state change (its log entry's written_at, the state version it wrote), and the k-th score
    stored (its submitted_at; the board's "scores in" column then sums to k)."""
    out = [(t["written_at"], "version", t["version"]) for t in transitions(svc, event_id)]
    scores = sorted(svc.store.scores.list(event_id, consistent=True), key=lambda s: s.first_submitted_at)
    out += [(s.first_submitted_at, "scores", k) for k, s in enumerate(scores, start=1)]
    return sorted(out)


def seen_latencies(
    changes: Sequence[tuple[float, str, int]],
    observations: Sequence[tuple[float, int, int]],
    since: float = 0.0,
    until: float = float("inf"),
) -> list[float]:
    """For one viewer: seconds from each change (written in [since, until]) to the first observation
    (seen at, state version, scores in) that shows it. Changes before the viewer's first observation
    are skipped (it was not watching yet); a change never seen is reported as infinity."""
    import bisect

    if not observations:
        return []
    times = [o[0] for o in observations]
    # Running maxima, so that both sequences are sorted for bisect.
    versions, scores, v, n = [], [], -1, -1
    for _, ver, cnt in observations:
        v, n = max(v, ver), max(n, cnt)
        versions.append(v)
        scores.append(n)
    out = []
    for written, kind, value in changes:
        if written < since or written > until or written < times[0]:
            continue
        seq = versions if kind == "version" else scores
        i = bisect.bisect_left(seq, value)
        out.append(times[i] - written if i < len(seq) else float("inf"))
    return out
