"""What the live feed reads once per tick per server process (blocking boto3 calls: run it in a thread).

Per tick: the event's status partition (one Query: state, settings, presence, help flags) and, while a
performer is on stage, that performer's scores (one Query). Scores change only for the performer on
stage (the window's ConditionCheck sees to it), so the full score set is read only when the event
changes; when the performer changes, the previous one's scores are read once more (consistently) so a
score committed just before the switch is not missed. The roster is read again when the state's version
moves, the engine lease every half second, the accounts every few seconds, the current-event pointer
every two.
The settings come with the status partition each tick; a change moves the scores' generation.
A window's flip for the performer on stage (opened, paused, more time) is published from the status
partition alone, and the rest is read on a tick that follows at once (`Reading.complete`): the judges'
screens flip after one DynamoDB request, not eight. So is the next performer going on, to the judges'
screens only (`Reading.judges_only`): the leaving performer's row and last scores are read by the tick that
follows, which the boards and the desk wait for (a board must not show a total short of its last score).
What the admin or a judge changes without moving the state's version (conflicts of interest, the round's
name, the results' release, the admins' "please check" requests) is read when the version moves and
every second besides, or at once when this process took the change (`refresh_besides`); what the
streaming operator puts on air every two seconds, or at once when this process took it (`refresh_on_air`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from engine import metrics
from engine.domain import health, panels, roster, stages
from engine.domain.competition import RoundInfo
from engine.domain.health import EngineHealth
from engine.domain.messages import N_
from engine.domain.model import Account, EventState, Role, Score, Settings, StagescoreError
from engine.domain.on_air import OnAir
from engine.domain.release import Release, judges_as_signed
from engine.domain.snapshot import Snapshot, compute_results
from engine.domain.stages import MAIN
from engine.service.health import EngineDesk, desk_from
from engine.store import Store
from engine.store.events import EventBundle

POINTER_SECONDS = 2.0
# The lease twice a second: a killed engine's lease is stale 1.25 s after its last renewal (health.py), so the
# desk and /healthz say so within 2 s of the kill (once a second left 0.75-2.25 s, over the 2 s promised).
LEASE_SECONDS = 0.5
ENGINES_SECONDS = 2.0  # the engines' seen items, for the admin desk's engine line
ACCOUNTS_SECONDS = 5.0
BESIDES_SECONDS = 1.0
ON_AIR_SECONDS = 2.0
FLIP, NEXT = "flip", "next"  # what a tick may publish from the status partition alone (Feed._quick)
NO_EVENT = N_("There is no event yet: run `python -m engine demo` or create one in Setup.")


@dataclass(frozen=True)
class Reading:
    """One tick's view: the snapshot every document is built from, and what changed since the last."""

    snapshot: Snapshot
    health: EngineHealth
    scores_generation: int  # moves when scores, the roster, the accounts or the settings changed
    accounts: dict[str, Account]  # every account by email (judges and admins)
    checks: dict[str, dict]  # the open "please check" requests by judge: {performer, sentence}
    engine_desk: EngineDesk | None = None  # the desk's engine facts, when an admin is connected
    on_air: OnAir = OnAir()  # the stage's overlays and projector (engine/domain/on_air.py)
    accounts_at: float = 0.0  # when `accounts` were read (the feed's clock)
    complete: bool = True  # False: a window's flip read from the status partition alone (`Feed.read`)
    judges_only: bool = False  # a new performer read from the status partition: for the judges' screens


class Feed:
    def __init__(self, store: Store, clock: Callable[[], float] = time.time, stage: str = MAIN):
        self.store = store
        self.clock = clock
        self.stage = stage  # the stage whose current event this feed follows
        self.event_id: str | None = None
        self._due = {
            "pointer": 0.0,
            "lease": 0.0,
            "accounts": 0.0,
            "besides": 0.0,
            "engines": 0.0,
            "on_air": 0.0,
        }
        self._engines: list[dict] = []
        self._lease: dict | None = None
        self._accounts: dict[str, Account] = {}
        self._accounts_at = 0.0
        self._performers: list = []
        self._settings: Settings | None = None
        self._deductions: list = []
        self._state: EventState | None = None  # the state as of the last whole read (its version recorded)
        self._flipped = -1  # the version last published from the status partition alone
        self._scores: dict[str, dict[str, Score]] = {}
        self._flat: list[Score] = []
        self._on_stage: str | None = None
        self._generation = 0
        self._results: list = []
        self._results_generation = -1
        self._besides: tuple[dict, RoundInfo | None, Release | None, dict] = ({}, None, None, {})
        self._on_air = OnAir()

    @property
    def _version(self) -> int:
        """The version of the last whole read (-1 before one)."""
        return self._state.version if self._state is not None else -1

    def _due_now(self, what: str, every: float, now: float) -> bool:
        if now >= self._due[what]:
            self._due[what] = now + every
            return True
        return False

    def read(self, engine_details: bool = False) -> Reading:
        """One tick. Raises DatabaseUnavailable (keep the last documents) or StagescoreError.
        `engine_details`: an admin desk is open, so the engines' seen items are read every 2 s too."""
        now = self.clock()
        bundle = self._load(now)
        state = bundle.state
        # Settings (and deductions) are saved without moving the state's version, yet the ranking and what
        # the board shows of it hang on them ("Show each judge's scores on the public board", rank
        # overall): the next push must carry the change, not the next score.
        if (bundle.settings, bundle.deductions) != (self._settings, self._deductions):
            self._settings, self._deductions = bundle.settings, bundle.deductions
            self._generation += 1
        moved = state.version != self._version
        quick = self._quick(state) if moved else None
        if quick:  # the on-stage performer's row moved with the state (write_step): shown as it now is
            self._performers = roster.on_stage_as_of(self._performers, state)
            self._generation += 1
        else:
            besides = self._due_now("besides", BESIDES_SECONDS, now) or moved
            self._read_around(state, moved, besides, self._due_now("on_air", ON_AIR_SECONDS, now))
        conflicts, rnd, release, checks = self._besides
        judges = stages.panel([a for a in self._accounts.values() if a.role is Role.JUDGE], self.stage)
        judges = judges_as_signed(release, judges) if release else judges  # an official round: as signed
        if self._results_generation != self._generation:
            self._flat = [s for by_judge in self._scores.values() for s in by_judge.values()]
            carried = rnd.carried if rnd else None
            self._results = compute_results(
                bundle.settings,
                self._performers,
                self._flat,
                judges,
                None,
                conflicts,
                carried,
                bundle.deductions,
            )
            self._results_generation = self._generation
        snap = Snapshot(
            at=now,
            state=state,
            settings=bundle.settings,
            performers=self._performers,
            scores=panels.counted(self._flat, bundle.settings),
            shadow_scores=panels.shadowed(self._flat, bundle.settings),
            judges=judges,
            present=bundle.present(now, self.store.config.presence_seconds),
            flags=bundle.flags,
            results=self._results,
            conflicts=conflicts,
            round=rnd,
            release=release,
            votes=bundle.votes,
            deductions=bundle.deductions,
        )
        judged, desk = self._engine(state, now, engine_details)
        accounts, at = dict(self._accounts), self._accounts_at
        return Reading(
            snap, judged, self._generation, accounts, checks, desk, self._on_air, at, not quick, quick == NEXT
        )

    def _quick(self, state: EventState) -> str | None:
        """What the tick may publish from the status partition alone, when the state moved by one step:
        FLIP, a step that changed the clock alone (a window opened for the performer on stage, a pause,
        more time), so nothing else this tick would read can have moved with it; NEXT, the next performer
        in the same running order going on, for the judges' screens only (the leaving performer's status
        and last scores are read next). The next tick reads the rest (the version is not recorded yet).
        Under load the other six or seven reads, one after another, put hundreds of milliseconds between
        the engine's commit and the judges' flip (measured, see the README's vote and festival sections)."""
        if self._state is None or self._flipped == state.version or state.version != self._version + 1:
            return None
        on_stage, before = state.performer_id, self._state.performer_id
        # None in setup and the lobby, where the roster may change; a new running order is read whole.
        if on_stage is None or before is None or state.order != self._state.order:
            return None
        self._flipped = state.version
        return FLIP if on_stage == before else NEXT

    def _load(self, now: float) -> EventBundle:
        """The current event's status partition (following the pointer to a new event), and the lease and
        the accounts when they are due."""
        if self.event_id is None or self._due_now("pointer", POINTER_SECONDS, now):
            eid = self.store.events.current_id(self.stage)
            if eid is None:
                raise StagescoreError(NO_EVENT)
            if eid != self.event_id:
                self._start(eid)
        bundle = self.store.events.load(self.event_id)
        if bundle is None:
            self.event_id = None
            raise StagescoreError(NO_EVENT)
        if bundle.state.superseded_by:
            self._due["pointer"] = 0.0  # a new event is current: follow it next tick
        if self._due_now("lease", LEASE_SECONDS, now):
            self._lease = self.store.lease.current(self.stage)
        if self._due_now("accounts", ACCOUNTS_SECONDS, now):
            # Judges and admins: a streaming operator opens no stream and sits on no panel.
            found = self.store.accounts.list(Role.JUDGE) + self.store.accounts.list(Role.ADMIN)
            self._set_accounts({a.email: a for a in found})
            self._accounts_at = now
        return bundle

    def _engine(self, state: EventState, now: float, details: bool) -> tuple[EngineHealth, EngineDesk | None]:
        """The engine's health as the desk banner judges it, and the desk's engine facts when asked."""
        config = self.store.config
        stale = health.stale_seconds(config.lease_seconds, config.lease_renew_seconds)
        judged = health.assess(self._lease, state, now, stale_after=stale)
        desk = None
        if details:
            if self._due_now("engines", ENGINES_SECONDS, now):
                self._engines = self.store.lease.engines()
            desk = desk_from(judged, self._engines, now, metrics.DB_LATENCY.summary())
        return judged, desk

    def refresh_besides(self) -> None:
        """Read what the state's version does not cover on the next tick (a judge answered a request)."""
        self._due["besides"] = 0.0

    def refresh_accounts(self) -> None:
        """Read the accounts on the next tick (a judge's stream opened: is this still their stage?)."""
        self._due["accounts"] = 0.0

    def refresh_on_air(self) -> None:
        """Read the on-air switches on the next tick (this process's page just switched them)."""
        self._due["on_air"] = 0.0

    def _read_around(self, state: EventState, moved: bool, besides: bool, on_air: bool) -> None:
        """What this tick reads beside the status partition: when the state moved, the roster, what the
        version does not cover (conflicts, the round, the release, the check requests; the ranking is
        computed again when the first two moved), and the scores of the performers leaving and going on.
        One after another: made side by side they were quicker with the CPU free, but with the web process
        saturated (a festival's boards) the extra runnable threads held the event loop back and the boards
        came later (measured, see the README). Applied once every read succeeded, so a tick that failed
        reads it all again (the roster included: the new version is recorded only then)."""
        eid, store, on_stage = self.event_id, self.store, state.performer_id
        previous = self._on_stage if self._on_stage != on_stage else None
        performers = [p for p in (previous, on_stage) if p]
        rows = store.performers.list(eid) if moved else None
        fresh = None
        if besides:
            conflicts, rnd = store.conflicts.list(eid), store.rounds.get(eid)
            fresh = (conflicts, rnd, store.results.get(eid), store.results.list_checks(eid))
        shown = store.on_air.get(self.stage) if on_air else None
        scores = [(p, store.scores.list(eid, p, consistent=True)) for p in performers]
        if moved:
            # After a flip published from the status partition the roster read now is the one shown
            # already, unless something else moved too: the boards are not pushed twice for one flip.
            if self._flipped != state.version or rows != self._performers:
                self._generation += 1
            self._performers, self._state = rows, state
        if fresh is not None:
            if fresh[:2] != self._besides[:2]:
                self._generation += 1
            self._besides = fresh
        if on_air:
            self._on_air = shown
        self._on_stage = on_stage
        for p, listed in scores:
            self._merge(p, listed)

    def _start(self, event_id: str) -> None:
        self.event_id = event_id
        self._state = None
        self._on_stage = None
        self._scores = {}
        for s in self.store.scores.list(event_id, consistent=True):
            self._scores.setdefault(s.performer_id, {})[s.judge] = s
        self._generation += 1

    def _set_accounts(self, accounts: dict[str, Account]) -> None:
        if accounts != self._accounts:
            self._accounts = accounts
            self._generation += 1

    def _merge(self, performer_id: str, scores: list[Score]) -> None:
        fresh = {s.judge: s for s in scores}
        old = self._scores.get(performer_id, {})
        if {j: s.revision for j, s in fresh.items()} != {j: s.revision for j, s in old.items()}:
            self._scores[performer_id] = fresh
            self._generation += 1

    def scores_of(self, performer_id: str) -> dict[str, Score]:
        """The performer's scores by judge, as last read."""
        return dict(self._scores.get(performer_id, {}))

    def score(self, performer_id: str, judge: str) -> Score | None:
        """The stored score as last read (the scorer's guess of the current revision)."""
        return self._scores.get(performer_id, {}).get(judge)
