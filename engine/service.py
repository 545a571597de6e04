"""The use cases: what pages and the CLI call. Every write checks the session token and role here."""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal

from engine import accounts, eventlog, roster, rules, scoring
from engine.model import (
    LOCKED_SETTINGS,
    Account,
    Command,
    CommandKind,
    CommandRefused,
    Conflict,
    EventState,
    InvalidInput,
    NotAllowed,
    Performer,
    PerformerStatus,
    Phase,
    Role,
    Score,
    ScoreRefused,
    Settings,
    StagescoreError,
    Step,
)
from engine.store import RETRY, EventBundle, Store

OPERATOR = "operator"  # the shell: whoever can run the CLI already holds the database credentials


@dataclass(frozen=True)
class Session:
    token: str
    email: str
    role: Role
    name: str


@dataclass(frozen=True)
class Snapshot:
    """One consistent-enough view of the current event, shared by every viewer of a page."""

    at: float
    state: EventState
    settings: Settings
    performers: list[Performer]
    scores: list[Score]
    judges: list[Account]
    present: list[str]
    flags: dict[str, float]
    results: list[scoring.PerformerResult]

    @property
    def event_id(self) -> str:
        return self.state.event_id

    @property
    def current(self) -> Performer | None:
        pid = self.state.performer_id
        return next((p for p in self.performers if p.performer_id == pid), None)

    def performer_name(self, pid: str | None) -> str:
        return next((p.name for p in self.performers if p.performer_id == pid), "")

    def scores_for(self, performer_id: str) -> dict[str, Score]:
        return {s.judge: s for s in self.scores if s.performer_id == performer_id}

    @property
    def panel(self) -> list[str]:
        return panel_of(self.judges, self.scores)


def panel_of(judges: Iterable[Account], scores: Iterable[Score]) -> list[str]:
    return sorted({j.email for j in judges if j.active} | {s.judge for s in scores})


def compute_results(
    settings: Settings,
    performers: list[Performer],
    scores: list[Score],
    judges: list[Account],
    rule=None,
) -> list[scoring.PerformerResult]:
    table: dict[str, dict[str, Decimal]] = {}
    for s in scores:
        table.setdefault(s.performer_id, {})[s.judge] = s.total
    weights = {j.email: j.weight for j in judges}
    excluded = [p.performer_id for p in performers if p.status in (PerformerStatus.SKIPPED,)]
    chosen = settings if rule is None else settings.with_changes(rule=rule)
    return scoring.rank_performers(
        [p.performer_id for p in performers], table, panel_of(judges, scores), weights, chosen, excluded
    )


@dataclass
class Service:
    store: Store
    clock: Callable[[], float] = time.time
    _panel_cache: dict = field(default_factory=dict)

    # ---- sessions -------------------------------------------------------------------------------
    def login(self, email: str, password: str) -> Session:
        email = accounts.normalise_email(email)
        if not password:
            raise InvalidInput("Enter your password.")
        if len(password) > accounts.MAX_PASSWORD:
            raise InvalidInput("Wrong email or password.")
        now = self.clock()
        stored = self.store.accounts.get(email)
        if stored and stored.locked_until > now:
            wait = int(stored.locked_until - now) + 1
            raise NotAllowed(f"Too many wrong passwords: this account is locked for {wait} more seconds.")
        ok = accounts.verify_password(stored.password_hash if stored else None, password)
        if not stored or not ok:
            if stored:
                failed, lock_count, until = accounts.after_failure(stored.failed, stored.lock_count, now)
                self.store.accounts.update(
                    email, failed=failed, lock_count=lock_count, locked_until=Decimal(f"{until:.3f}")
                )
                if until:
                    raise NotAllowed(
                        f"Too many wrong passwords: this account is locked for {int(until - now)} seconds."
                    )
            raise NotAllowed("Wrong email or password.")
        if not stored.account.active:
            raise NotAllowed("This account is disabled; ask the organiser.")
        if stored.failed:
            self.store.accounts.update(email, failed=0)
        token, digest = accounts.new_token()
        expires = now + self.store.config.session_hours * 3600
        self.store.sessions.put(digest, email, stored.account.role, expires)
        return Session(token, email, stored.account.role, stored.account.name)

    def logout(self, token: str) -> None:
        if token:
            self.store.sessions.delete(accounts.token_hash(token))

    def whoami(self, token: str | None, role: Role | None = None) -> Session:
        """The session behind a token, checked against the database on every call."""
        if not token or not isinstance(token, str) or len(token) > 200:
            raise NotAllowed("Please log in.")
        item = self.store.sessions.get(accounts.token_hash(token))
        if not item or float(item["expires_at"]) <= self.clock():
            raise NotAllowed("Your session has ended; please log in again.")
        stored = self.store.accounts.get(item["email"])
        if not stored or not stored.account.active:
            raise NotAllowed("This account is disabled; ask the organiser.")
        session = Session(token, stored.account.email, stored.account.role, stored.account.name)
        if role is not None and session.role is not role:
            raise NotAllowed(f"Only {'an admin' if role is Role.ADMIN else 'a judge'} can do that.")
        return session

    def _actor(self, token: str | None, role: Role) -> str:
        return OPERATOR if token is None else self.whoami(token, role).email

    # ---- reading --------------------------------------------------------------------------------
    def event_id(self) -> str:
        eid = self.store.events.current_id()
        if eid is None:
            raise StagescoreError(
                "There is no event yet: run `python -m engine demo` or create one in Setup."
            )
        return eid

    def bundle(self, event_id: str | None = None) -> EventBundle:
        eid = event_id or self.event_id()
        b = self.store.events.load(eid)
        if b is None:
            raise StagescoreError(f"There is no event {eid}.")
        return b

    def snapshot(self, event_id: str | None = None) -> Snapshot:
        b = self.bundle(event_id)
        eid = b.state.event_id
        performers = self.store.performers.list(eid)
        scores = self.store.scores.list(eid)
        judges = self.store.accounts.list(Role.JUDGE)
        now = self.clock()
        return Snapshot(
            at=now,
            state=b.state,
            settings=b.settings,
            performers=performers,
            scores=scores,
            judges=judges,
            present=b.present(now, self.store.config.presence_seconds),
            flags=b.flags,
            results=compute_results(b.settings, performers, scores, judges),
        )

    # ---- judges ---------------------------------------------------------------------------------
    def heartbeat(self, token: str) -> None:
        s = self.whoami(token, Role.JUDGE)
        self.store.presence.heartbeat(self.event_id(), s.email, self.clock())

    def raise_flag(self, token: str, raised: bool = True) -> None:
        s = self.whoami(token)
        eid = self.event_id()
        self.store.presence.set_flag(eid, s.email, self.clock(), raised)
        self.store.log.append(
            eid, f"judge:{s.email}", self.clock(), s.email, "help_requested" if raised else "help_cleared", {}
        )

    def submit_score(
        self, token: str, performer_id: str, raw_values: Mapping[str, object], request_id: str | None = None
    ) -> tuple[Score, bool]:
        """Validate and store a judge's score; returns (score, replayed)."""
        judge = self.whoami(token, Role.JUDGE)
        b = self.bundle()
        values = scoring.validate_values(raw_values, b.settings.criteria)
        state = b.state
        if state.performer_id != performer_id or not state.scoring_open(self.clock()):
            if state.phase is Phase.PERFORMING and state.performer_id == performer_id:
                raise ScoreRefused("Scoring has not opened yet for this performer.")
            raise ScoreRefused("Scoring for this performer is closed.")
        total = scoring.judge_total(values, b.settings.criteria)
        rid = (request_id or uuid.uuid4().hex)[:64]
        for _ in RETRY.tries():
            try:
                return self.store.scores.submit(
                    state.event_id,
                    performer_id,
                    judge.email,
                    values,
                    total,
                    state.window_id,
                    rid,
                    self.clock(),
                )
            except Conflict:
                continue  # another write of this score landed first: read it again
        raise Conflict("Too many submissions at once for this score; please submit again.")

    # ---- admin ----------------------------------------------------------------------------------
    def command(self, token: str | None, command: Command) -> EventState:
        """Apply an admin command with the same pure rule the engine uses, conditional on the version."""
        actor = self._actor(token, Role.ADMIN)
        if command.kind is CommandKind.RESET:
            return self.reset(token)
        for _ in RETRY.tries():
            b = self.bundle()
            now = self.clock()
            present = len(b.present(now, self.store.config.presence_seconds))
            step = rules.apply_command(b.state, b.settings, command, now, present)
            try:
                self.store.events.write_step(b.state.version, step, actor, now)
                return step.state
            except Conflict:
                continue
        raise Conflict("The event is changing too fast to apply that command; try again.")

    def reset(self, token: str | None) -> EventState:
        """Start a new event with the same settings and roster; the old one stays readable."""
        actor = self._actor(token, Role.ADMIN)
        b = self.bundle()
        performers = [
            Performer(p.performer_id, p.name, p.order, p.category)
            for p in self.store.performers.list(b.state.event_id)
        ]
        new = EventState(event_id=new_event_id(self.clock()), order=tuple(p.performer_id for p in performers))
        self.store.events.create(new, b.settings, performers, self.clock(), actor, previous=b.state)
        return new

    def create_event(
        self, settings: Settings, performers: list[Performer], actor: str = OPERATOR, open_lobby: bool = False
    ) -> EventState:
        previous = None
        eid = self.store.events.current_id()
        if eid:
            previous = self.store.events.state(eid)
        state = EventState(
            event_id=new_event_id(self.clock()),
            phase=Phase.LOBBY if open_lobby else Phase.SETUP,
            order=tuple(p.performer_id for p in performers),
        )
        self.store.events.create(state, settings, performers, self.clock(), actor, previous=previous)
        return state

    def update_settings(self, token: str | None, settings: Settings) -> Settings:
        actor = self._actor(token, Role.ADMIN)
        b = self.bundle()
        validate_settings(settings, judges=len([j for j in self.store.accounts.list(Role.JUDGE) if j.active]))
        if b.state.phase not in (Phase.SETUP, Phase.LOBBY):
            changed = [k for k in LOCKED_SETTINGS if getattr(settings, k) != getattr(b.settings, k)]
            if changed:
                raise CommandRefused(
                    f"{', '.join(sorted(changed))} cannot change once the event has started: "
                    "it would change results."
                )
        self.store.events.save_settings(b.state.event_id, settings, actor, self.clock())
        return settings

    def set_roster(self, token: str | None, rows: Iterable[Mapping[str, object]]) -> list[Performer]:
        actor = self._actor(token, Role.ADMIN)
        b = self.bundle()
        if b.state.phase not in (Phase.SETUP, Phase.LOBBY):
            raise CommandRefused("The roster is locked once the event has started.")
        current = self.store.performers.list(b.state.event_id)
        performers = roster.build_roster(rows, {p.name: p.performer_id for p in current})
        new_state = rules_replace_order(b.state, tuple(p.performer_id for p in performers))
        now = self.clock()
        step = Step(new_state, now, "roster_changed", {"performers": len(performers)})
        try:
            self.store.events.write_roster(b.state.version, step, actor, now, current, performers)
        except Conflict:
            raise Conflict("The event changed while saving the roster; reload and try again.") from None
        return performers

    def import_roster_csv(self, token: str | None, data: bytes | str) -> list[Performer]:
        return self.set_roster(token, roster.parse_csv(data))

    def add_account(
        self,
        token: str | None,
        email: str,
        name: str,
        password: str,
        role: Role = Role.JUDGE,
        weight: Decimal | str | float = Decimal(1),
    ) -> Account:
        actor = self._actor(token, Role.ADMIN)
        account = Account(
            accounts.normalise_email(email),
            roster.clean_text(name, "name", 80, True) if name else email.split("@")[0],
            role,
            validate_weight(weight),
            True,
        )
        self.store.accounts.put(account, accounts.hash_password(password), create_only=True)
        self._log_admin(actor, "account_added", {"email": account.email, "role": role.value})
        return account

    def set_account(
        self,
        token: str | None,
        email: str,
        *,
        active: bool | None = None,
        weight: Decimal | str | float | None = None,
        password: str | None = None,
    ) -> None:
        actor = self._actor(token, Role.ADMIN)
        email = accounts.normalise_email(email)
        fields: dict = {}
        if active is not None:
            fields["active"] = bool(active)
        if weight is not None:
            fields["weight"] = validate_weight(weight)
        if password is not None:
            fields.update(
                password_hash=accounts.hash_password(password),
                failed=0,
                lock_count=0,
                locked_until=Decimal(0),
            )
        if fields:
            self.store.accounts.update(email, **fields)
            self._log_admin(actor, "account_changed", {"email": email, "fields": sorted(fields)})

    def _log_admin(self, actor: str, kind: str, data: dict) -> None:
        eid = self.store.events.current_id()
        if eid:
            self.store.log.append(eid, f"admin:{actor}", self.clock(), actor, kind, data)

    def accounts(self, role: Role | None = None) -> list[Account]:
        return self.store.accounts.list(role)

    def log_entries(self, event_id: str | None = None) -> list[eventlog.LogEntry]:
        return self.store.log.entries(event_id or self.event_id())[0]

    def recent_log(self, event_id: str | None = None, limit: int = 200) -> list[eventlog.LogEntry]:
        return self.store.log.recent(event_id or self.event_id(), limit)

    def events(self) -> list[dict]:
        return self.store.events.all()

    def verify_log(self, event_id: str | None = None) -> list[str]:
        entries, heads = self.store.log.entries(event_id or self.event_id())
        return eventlog.verify(entries, heads)


def rules_replace_order(state: EventState, order: tuple[str, ...]) -> EventState:
    return replace(state, order=order, version=state.version + 1)


def new_event_id(now: float) -> str:
    return time.strftime("ev-%Y%m%d-%H%M%S", time.gmtime(now)) + "-" + uuid.uuid4().hex[:4]


def validate_weight(weight) -> Decimal:
    try:
        w = Decimal(str(weight).strip())
    except Exception:
        raise InvalidInput("A judge's weight must be a number from 0 to 100.") from None
    if not w.is_finite() or not Decimal(0) <= w <= Decimal(100):
        raise InvalidInput("A judge's weight must be a number from 0 to 100.")
    return w


def validate_settings(s: Settings, judges: int | None = None) -> None:
    for name in ("perform_seconds", "score_seconds"):
        v = getattr(s, name)
        if not isinstance(v, (int, float)) or not math.isfinite(v) or not 1 <= v <= 3600:
            raise InvalidInput(f"{name.replace('_', ' ').capitalize()} must be from 1 to 3600.")
    if not 1 <= s.required_judges <= 100:
        raise InvalidInput("Required judges must be from 1 to 100.")
    if judges is not None and s.required_judges > judges:
        raise InvalidInput(f"Required judges ({s.required_judges}) is more than the {judges} active judges.")
    if not 1 <= s.min_scores <= 100 or not 2 <= s.trim_min <= 100:
        raise InvalidInput("Minimum scores must be from 1 and the trim threshold from 2, both at most 100.")
    name = (s.event_name or "").strip()
    if not name or len(name) > 120:
        raise InvalidInput("The event name must be 1 to 120 characters.")
    if not s.criteria or len(s.criteria) > 10:
        raise InvalidInput("An event has 1 to 10 criteria.")
    names = set()
    for c in s.criteria:
        if not c.name.strip() or len(c.name) > 40 or c.name in names:
            raise InvalidInput("Each criterion needs a distinct name of at most 40 characters.")
        names.add(c.name)
        if not (c.min.is_finite() and c.max.is_finite() and c.step.is_finite() and c.weight.is_finite()):
            raise InvalidInput(f"{c.name}: range, step and weight must be finite numbers.")
        if c.min >= c.max or c.step <= 0 or c.step > c.max - c.min or c.weight < 0:
            raise InvalidInput(
                f"{c.name}: needs min < max, a step from above 0 to the range, and a weight ≥ 0."
            )
    if sum(c.weight for c in s.criteria) <= 0:
        raise InvalidInput("At least one criterion needs a weight above 0.")
