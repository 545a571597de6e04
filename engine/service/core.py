"""The use cases: what pages and the CLI call. Every write checks the session token and role here."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from engine.domain import accounts, devices, roster, rules, stages
from engine.domain.messages import N_
from engine.domain.model import (
    Account,
    Command,
    CommandKind,
    CommandRefused,
    Conflict,
    EventState,
    Performer,
    Phase,
    Role,
    Score,
    Settings,
    StagescoreError,
    Step,
    new_event_id,
)
from engine.domain.settings import account_changes, validate_settings, validate_weight
from engine.domain.snapshot import Snapshot
from engine.service import reading
from engine.service.eventlog import LogReads
from engine.service.health import Health
from engine.service.logins import OPERATOR, Logins
from engine.service.panels import Panels
from engine.service.quorum import lobby_facts
from engine.service.results import Results
from engine.service.scoring import ScoreContext, Scorer
from engine.service.stages import StageUseCases
from engine.service.votes import AudienceVotes
from engine.store import RETRY, EventBundle, Store


@dataclass
class Service:
    """A process's use cases: features hung off it (`logins`, `votes` …), the event's own acts methods."""

    store: Store
    clock: Callable[[], float] = time.time
    stage: str | None = None  # the stage it acts on; None: the only one (engine/domain/stages.py)
    logins: Logins = field(init=False, repr=False)
    results: Results = field(init=False, repr=False)
    health: Health = field(init=False, repr=False)
    log: LogReads = field(init=False, repr=False)
    scorer: Scorer = field(init=False, repr=False)
    stages: StageUseCases = field(init=False, repr=False)
    votes: AudienceVotes = field(init=False, repr=False)
    panels: Panels = field(init=False, repr=False)

    def __post_init__(self) -> None:
        now = lambda: self.clock()  # noqa: E731 (a test may swap the service's clock later)
        self.logins = Logins(self.store, now)
        self.results = Results(self)
        self.health = Health(self.store, now, self.stage_id)
        self.log = LogReads(self)
        self.scorer = Scorer(self.store, now)
        self.stages = StageUseCases(self.store, self.logins)
        self.votes = AudienceVotes(self)
        self.panels = Panels(self)

    # ---- reading --------------------------------------------------------------------------------
    def on(self, stage: str | None) -> Service:
        """This service acting on `stage` (None: the only stage); the features and caches are shared."""
        return self if stage == self.stage else self.stages.bound(self, stage)

    def stage_id(self) -> str:
        """The stage this service acts on: the one it was bound to, or the deployment's only stage."""
        return self.stage or self.stages.only()

    def event_id(self) -> str:
        eid = self.store.events.current_id(self.stage_id())
        if eid is None:
            raise StagescoreError(
                N_("There is no event yet: run `python -m engine demo` or create one in Setup.")
            )
        return eid

    def bundle(self, event_id: str | None = None) -> EventBundle:
        eid = event_id or self.event_id()
        b = self.store.events.load(eid)
        if b is None:
            raise StagescoreError(N_("There is no event {eid}."), eid=eid)
        return b

    def snapshot(self, event_id: str | None = None) -> Snapshot:
        return reading.snapshot(self.store, self.bundle(event_id), self.clock())

    # ---- judges ---------------------------------------------------------------------------------
    def heartbeat(self, token: str) -> None:
        s = self.logins.whoami(token, Role.JUDGE)
        self.store.presence.heartbeat(self.event_id(), s.email, self.clock())

    def raise_flag(self, token: str, raised: bool = True) -> None:
        s = self.logins.whoami(token)
        eid = self.event_id()
        self.store.presence.set_flag(eid, s.email, self.clock(), raised)
        self.store.log.append(
            eid, f"judge:{s.email}", self.clock(), s.email, "help_requested" if raised else "help_cleared", {}
        )

    def submit_score(
        self,
        token: str,
        performer_id: str,
        raw_values: Mapping[str, object],
        request_id: str | None = None,
        comment: str | None = None,
    ) -> tuple[Score, bool]:
        """A judge's score and optional comment through the one commit the live route uses
        (engine/service/scoring.py); returns (score, replayed). The window id is the status item's now; the
        stored score is learnt from the commit's refusal when there is one (a revision costs two)."""
        b = self.bundle()
        context = ScoreContext(b.state.event_id, b.settings, _unknown_score, b.state.stage)
        stored = self.scorer.submit(
            token, context, performer_id, b.state.window_id, raw_values, request_id, comment
        )
        return self.results.after_score(*stored)

    # ---- admin ----------------------------------------------------------------------------------
    def command(self, token: str | None, command: Command) -> EventState:
        """Apply an admin command with the same pure rule the engine uses, conditional on the version."""
        actor = self.logins.actor(token, Role.ADMIN)
        if command.kind is CommandKind.RESET:
            return self.reset(token)
        for _ in RETRY.tries():
            b = self.bundle()
            now = self.clock()
            present, needed = len(b.present(now, self.store.config.presence_seconds)), None
            if command.kind is CommandKind.START and not command.force:
                # Only the judges who may score the first performer make the quorum.
                facts = lobby_facts(self.store, b.state)
                present, needed = facts.quorum(b.present(now, self.store.config.presence_seconds), b.settings)
            step = rules.apply_command(b.state, b.settings, command, now, present, needed)
            try:
                self.store.events.write_step(b.state.version, step, actor, now)
            except Conflict:
                continue
            if step.kind == "performance_done" and b.settings.time_rule.limit:
                self.panels.deduct(token, step.detail["performer_id"], timed=True)  # over the limit: penalty
            return step.state
        raise Conflict(N_("The event is changing too fast to apply that command; try again."))

    def reset(self, token: str | None) -> EventState:
        """Start a new event with the same settings, roster and conflicts (and, in a competition, as the
        same round); the old one stays readable."""
        actor = self.logins.actor(token, Role.ADMIN)
        b = self.bundle()
        performers = [
            Performer(p.performer_id, p.name, p.order, p.category, difficulty=p.difficulty)
            for p in self.store.performers.list(b.state.event_id)
        ]
        order = tuple(p.performer_id for p in performers)
        new = EventState(event_id=new_event_id(self.clock()), order=order, stage=b.state.stage)
        # The same judges and performers: what a judge declared about a performer still holds.
        carried = self.store.conflicts.carry_over(b.state.event_id, new.event_id, new.order)
        now = self.clock()
        rnd = self.store.rounds.stored(b.state.event_id)  # a round of a competition stays that round
        again = self.store.rounds.restart_ops(rnd, new.event_id, now) if rnd else []
        try:
            self.store.events.create(
                new,
                b.settings,
                performers,
                now,
                actor,
                b.state,
                extra=again,
                details={"conflicts_carried": len(carried)},
            )
        except Conflict:
            self.store.conflicts.forget(carried)
            raise
        return new

    def create_event(
        self, settings: Settings, performers: list[Performer], actor: str = OPERATOR, open_lobby: bool = False
    ) -> EventState:
        previous = None
        stage = self.stage_id()
        eid = self.store.events.current_id(stage)
        if eid:
            previous = self.store.events.state(eid)
        state = EventState(
            event_id=new_event_id(self.clock()),
            phase=Phase.LOBBY if open_lobby else Phase.SETUP,
            order=tuple(p.performer_id for p in performers),
            stage=stage,
        )
        self.store.events.create(state, settings, performers, self.clock(), actor, previous=previous)
        return state

    def update_settings(self, token: str | None, settings: Settings) -> Settings:
        actor = self.logins.actor(token, Role.ADMIN)
        b = self.bundle()
        self.results.check_writable(b.state.event_id, "settings")
        judges = stages.panel(self.store.accounts.list(Role.JUDGE), b.state.stage)
        validate_settings(settings, judges=len([j for j in judges if j.active]))
        rules.check_settings_change(b.state, b.settings, settings)
        self.store.events.save_settings(b.state.event_id, settings, actor, self.clock())
        return settings

    def set_roster(self, token: str | None, rows: Iterable[Mapping[str, object]]) -> list[Performer]:
        actor = self.logins.actor(token, Role.ADMIN)
        b = self.bundle()
        self.results.check_writable(b.state.event_id, "roster")
        if b.state.phase not in (Phase.SETUP, Phase.LOBBY):
            raise CommandRefused(N_("The roster is locked once the event has started."))
        current = self.store.performers.list(b.state.event_id)
        performers = roster.build_roster(rows, {p.name: p.performer_id for p in current})
        new_state = rules.replace_order(b.state, tuple(p.performer_id for p in performers))
        now = self.clock()
        step = Step(new_state, now, "roster_changed", {"performers": len(performers)})
        try:
            self.store.events.write_roster(b.state.version, step, actor, now, current, performers)
        except Conflict:
            raise Conflict(N_("The event changed while saving the roster; reload and try again.")) from None
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
        stage: str | None = None,
    ) -> Account:
        """A new account; a judge on `stage` (None: the main stage, or the only stage there is)."""
        actor = self.logins.actor(token, Role.ADMIN)
        if role is Role.JUDGE:
            listed = self.stages.list()
            stage = self.stages.get(stage).stage_id if stage or len(listed) == 1 else None
        account = Account(
            accounts.normalise_email(email),
            roster.clean_text(name, "name", 80, True) if name else email.split("@")[0],
            role,
            validate_weight(weight),
            True,
            stage if role is Role.JUDGE else None,
        )
        self.store.accounts.put(account, accounts.hash_password(password), create_only=True)
        self.logins.log_admin(actor, "account_added", {"email": account.email, "role": role.value})
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
        actor = self.logins.actor(token, Role.ADMIN)
        email = accounts.normalise_email(email)
        fields = account_changes(active=active, weight=weight, password=password)
        if fields:
            self.store.accounts.update(email, **fields)
            self.logins.log_admin(actor, "account_changed", {"email": email, "fields": sorted(fields)})
        if active is False or password is not None:  # a disabled account or a new password: out at once
            self.logins.end_sessions(email, devices.DISABLED if active is False else devices.PASSWORD_CHANGED)


def _unknown_score(performer_id: str, judge: str) -> Score | None:
    """The service keeps no feed: it guesses "no score yet" and the commit's refusal corrects it."""
    return None
