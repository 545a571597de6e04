"""The engine process: the only writer of timer transitions.

Three threads:
  lease     holds (or waits for) the lease in DynamoDB; only the holder writes transitions
  presence  polls the current event (one Query: state, settings, presence) and wakes the timer on change
  timer     sleeps until the next absolute deadline or a wake-up, then writes what is due
Every write is conditional on the state's version and on the lease, so a stale engine's write is refused.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable

from engine import log_setup
from engine.config import Config
from engine.domain import rules
from engine.domain.model import Conflict, DatabaseUnavailable, Phase
from engine.service.quorum import LobbyFacts, lobby_facts
from engine.store import EventBundle, Store
from engine.timer.vitals import Vitals

log = logging.getLogger("stagescore.engine")


class Engine:
    def __init__(self, store: Store, owner: str | None = None, clock: Callable[[], float] = time.time):
        self.store = store
        self.config: Config = store.config
        self.owner = owner or f"engine-{uuid.uuid4().hex[:8]}"
        self.clock = clock
        self.stop_event = threading.Event()
        self.wake = threading.Event()
        self.leader = threading.Event()
        self._lock = threading.Lock()
        self._bundle: EventBundle | None = None
        self._submitted = 0
        self._lobby: LobbyFacts | None = None
        self._lease_until = 0.0
        self._threads: list[threading.Thread] = []
        self.transitions = 0
        self.vitals = Vitals(store, self.owner)

    # ---- lifecycle ------------------------------------------------------------------------------
    def start(self) -> None:
        for name, target in (
            ("lease", self._lease_loop),
            ("presence", self._presence_loop),
            ("timer", self._timer_loop),
        ):
            t = threading.Thread(target=target, name=f"{self.owner}-{name}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self, timeout: float = 0.8) -> None:
        self.stop_event.set()
        self.wake.set()
        for t in self._threads:
            t.join(timeout / max(1, len(self._threads)))
        if self.leader.is_set():
            try:
                self.store.lease.release(self.owner)
            except Exception:  # stopping: the lease simply lapses
                pass
            self.leader.clear()
        self.vitals.forget()

    def run_forever(self) -> None:
        signal.signal(signal.SIGTERM, lambda *_: self.stop_event.set())
        signal.signal(signal.SIGINT, lambda *_: self.stop_event.set())
        log.info("engine %s starting", self.owner)
        self.start()
        while not self.stop_event.wait(0.1):
            pass
        self.stop()
        log.info("engine %s stopped", self.owner)

    # ---- lease ----------------------------------------------------------------------------------
    def _lease_loop(self) -> None:
        # Renewing often (not just before expiry) lets the desk see a killed engine within ~1 s.
        period = min(self.config.lease_seconds / 3, self.config.lease_renew_seconds)
        while not self.stop_event.is_set():
            now = self.clock()
            try:
                if self.leader.is_set():
                    ok = self.store.lease.renew(self.owner, now, self.config.lease_seconds)
                else:
                    ok = self.store.lease.acquire(self.owner, now, self.config.lease_seconds)
                    if ok:
                        log.info("engine %s holds the lease", self.owner)
                if ok:
                    self._lease_until = now + self.config.lease_seconds
                    if not self.leader.is_set():
                        self.leader.set()
                        self.wake.set()
                elif self.leader.is_set():
                    log.warning("engine %s lost the lease", self.owner)
                    self.leader.clear()
                with self._lock:
                    bundle = self._bundle
                self.vitals.beat(now, self.leader.is_set(), bundle)
            except Exception as e:
                log.warning("lease: database call failed (%s); retrying", e)
                if self.clock() >= self._lease_until and self.leader.is_set():
                    self.leader.clear()
            self.stop_event.wait(period)

    # ---- presence / watcher ---------------------------------------------------------------------
    def _presence_loop(self) -> None:
        event_id = None
        failing = False
        while not self.stop_event.is_set():
            try:
                if event_id is None:
                    event_id = self.store.events.current_id()
                bundle = self.store.events.load(event_id) if event_id else None
                if bundle and bundle.state.superseded_by:
                    event_id = bundle.state.superseded_by
                    bundle = self.store.events.load(event_id)
                log_setup.set_event_id(event_id)
                self._publish(bundle, *self._tallies(bundle))
                if failing:
                    log.info("database reachable again")
                failing = False
            except Exception as e:  # the watcher must outlive any failure; only an outage is called one
                if not failing:
                    outage = isinstance(e, DatabaseUnavailable)
                    what = "database unreachable" if outage else "reading the event failed"
                    log.warning("%s (%s); retrying", what, e)
                failing = True
            self.stop_event.wait(self.config.poll_seconds)

    def _tallies(self, bundle: EventBundle | None) -> tuple[int, LobbyFacts | None]:
        """Besides the bundle, what the timer needs: for auto-close, how many present judges have nothing
        left to give for the performer on stage; in the lobby, who may not score the first performer."""
        if bundle is None:
            return 0, None
        state, settings = bundle.state, bundle.settings
        if settings.auto_close and state.phase is Phase.SCORING and state.performer_id:
            present = set(bundle.present(self.clock(), self.config.presence_seconds))
            scores = self.store.scores.list(state.event_id, state.performer_id, consistent=True)
            # A judge who stepped aside for this performer has nothing left to give.
            recused = self.store.conflicts.list(state.event_id).get(state.performer_id, ())
            return rules.judges_done({s.judge for s in scores}, recused, present), None
        if settings.auto_start and state.phase is Phase.LOBBY:
            return 0, lobby_facts(self.store, state)
        return 0, None

    def _publish(self, bundle: EventBundle | None, submitted: int, lobby: LobbyFacts | None = None) -> None:
        with self._lock:
            old = self._bundle
            same_event = bundle and old and bundle.state.event_id == old.state.event_id
            if same_event and bundle.state.version < old.state.version:
                # Read before the timer's own latest write landed: keep the newer state we know of, or
                # the timer would replay a step it already wrote and lose a round trip on the refusal.
                bundle = EventBundle(old.state, bundle.settings, bundle.presence, bundle.flags)
            self._bundle, self._submitted, self._lobby = bundle, submitted, lobby
        if bundle is None:
            return
        now = self.clock()
        changed = (
            old is None
            or old.state.event_id != bundle.state.event_id
            or old.state.version != bundle.state.version
            or len(old.present(now, self.config.presence_seconds))
            != len(bundle.present(now, self.config.presence_seconds))
            or old.settings != bundle.settings
        )
        if changed or submitted or lobby:
            self.wake.set()

    # ---- timer ----------------------------------------------------------------------------------
    def _timer_loop(self) -> None:
        while not self.stop_event.is_set():
            timeout = 0.5
            if self.leader.is_set():
                try:
                    timeout = self._tick()
                except Exception as e:
                    log.warning("timer: %s; retrying", e)
                    timeout = 0.2
            self.wake.wait(max(0.0, timeout))
            self.wake.clear()

    def _tick(self) -> float:
        """Apply whatever is due now; return how long to sleep before looking again."""
        with self._lock:
            bundle, submitted, lobby = self._bundle, self._submitted, self._lobby
        if bundle is None:
            return 0.5
        now = self.clock()
        present, needed = len(bundle.present(now, self.config.presence_seconds)), None
        if bundle.state.phase is Phase.LOBBY:
            first = bundle.state.order[0] if bundle.state.order else None
            if lobby is None or lobby.first != first:
                return 0.5  # the lobby's facts are about another running order: wait for the next read
            present, needed = lobby.quorum(bundle.present(now, self.config.presence_seconds), bundle.settings)
        steps = rules.due_steps(bundle.state, bundle.settings, now, present, submitted, needed)
        state = bundle.state
        for step in steps:
            try:
                self.store.events.write_step(
                    state.version, step, "engine", self.clock(), lease_owner=self.owner
                )
            except Conflict:
                # Someone (an admin command, or a newer engine) moved the state: read it again.
                log.info("%s refused: the state or the lease moved on (version %d)", step.kind, state.version)
                fresh = self.store.events.load(state.event_id)
                with self._lock:
                    self._bundle = fresh
                    self._submitted = 0
                return 0.0 if fresh and self.leader.is_set() else 0.5
            self.transitions += 1
            late = self.clock() - step.at if step.kind in ("scoring_opened", "scoring_closed") else 0.0
            log.info(
                "%s -> %s %s (due %.3f, late %.1f ms)",
                step.kind,
                step.state.phase.value,
                step.state.performer_id or "",
                step.at,
                late * 1000,
                extra={"fields": {"kind": step.kind, "version": step.state.version, "late_ms": late * 1000}},
            )
            self.vitals.transition(step.kind, late)
            state = step.state
        if steps:
            with self._lock:
                latest = self._bundle
                if latest is not None and latest.state.event_id == state.event_id:
                    if latest.state.version < state.version:
                        self._bundle = EventBundle(state, latest.settings, latest.presence, latest.flags)
                        self._submitted = 0
        wake = rules.next_wakeup(state)
        if wake is None:
            return 0.5
        return min(0.5, wake - self.clock())
