"""The engine process: the only writer of timer transitions.

One process drives every stage of the deployment, each under a lease of its own (a standby takes over
every stage whose lease lapses; two engines can hold different stages). Three threads:
  lease     lists the stages, holds (or waits for) each one's lease; only its holder writes its transitions
  presence  polls each held stage's current event (one Query: state, settings, presence); wakes the timer
  timer     sleeps until the next absolute deadline of any held stage or a wake-up, then writes what is due
Every write is conditional on the state's version and on its stage's lease, so a stale engine's write is
refused.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

from engine import log_setup
from engine.config import Config
from engine.domain import rules
from engine.domain.model import Conflict, DatabaseUnavailable, Phase
from engine.domain.stages import MAIN
from engine.service import quorum
from engine.service.quorum import LobbyFacts
from engine.store import EventBundle, Store
from engine.timer import sharing, stage_clock
from engine.timer.stage_clock import StageClock
from engine.timer.vitals import Vitals

log = logging.getLogger("stagescore.engine")
MAX_PARALLEL_STAGES = 8  # transitions written at once; more stages than this queue for a few ms


class Engine:
    def __init__(self, store: Store, owner: str | None = None, clock: Callable[[], float] = time.time):
        self.store = store
        self.config: Config = store.config
        self.owner = owner or f"engine-{uuid.uuid4().hex[:8]}"
        self.clock = clock
        self.stop_event = threading.Event()
        self.wake = threading.Event()
        self.leader = threading.Event()  # set while this engine holds at least one stage's lease
        self.stages: dict[str, StageClock] = {MAIN: StageClock(MAIN)}
        self._threads: list[threading.Thread] = []
        self._pool = ThreadPoolExecutor(MAX_PARALLEL_STAGES, thread_name_prefix=f"{self.owner}-stage")
        self._readers = ThreadPoolExecutor(MAX_PARALLEL_STAGES, thread_name_prefix=f"{self.owner}-read")
        self.transitions = 0
        self._counted = threading.Lock()  # stages' ticks run on several threads
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
        for sc in self._held():
            try:
                self.store.lease.release(self.owner, sc.stage)
            except Exception:  # stopping: the lease simply lapses
                pass
            sc.leader = False
        self.leader.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._readers.shutdown(wait=False, cancel_futures=True)
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

    def _held(self) -> list[StageClock]:
        return [sc for sc in list(self.stages.values()) if sc.leader]

    # ---- leases ---------------------------------------------------------------------------------
    def _lease_loop(self) -> None:
        # Renewing often (not just before expiry) lets the desk see a killed engine within ~1 s.
        period = min(self.config.lease_seconds / 3, self.config.lease_renew_seconds)
        while not self.stop_event.is_set():
            now = self.clock()
            try:
                listed = [s.stage_id for s in self.store.stages.list()]
                self.stages = {sid: self.stages.get(sid) or StageClock(sid) for sid in listed}
                peers = stage_clock.peers(self.store.lease, self.owner) if len(listed) > 1 else []
                for sc in self.stages.values():
                    if not sc.leader and not sharing.may_take(len(self._held()), len(listed), peers, now):
                        continue  # left for a live engine short of stages
                    if sc.hold(self.store.lease, self.owner, now, self.config.lease_seconds):
                        self.wake.set()  # a stage newly held: its timer looks at once
                if sharing.should_hand_over(len(self._held()), len(listed), peers, now):
                    margin = 2 * self.config.lease_seconds
                    store, held = self.store, self._held()
                    stage_clock.hand_over(store.lease, store.events, self.owner, held, self.clock, margin)
            except Exception as e:
                log.warning("lease: database call failed (%s); retrying", e)
                for sc in self._held():
                    if self.clock() >= sc.lease_until:
                        sc.leader = False
            held = self._held()
            self.leader.set() if held else self.leader.clear()
            self.vitals.beat(now, len(held), held[0].bundle if len(held) == 1 else None)
            self.stop_event.wait(period)

    # ---- presence / watcher ---------------------------------------------------------------------
    def _presence_loop(self) -> None:
        failing = False
        while not self.stop_event.is_set():
            try:
                held = self._held()
                # Each stage's read on its own thread: a cycle costs one read however many stages.
                list(self._readers.map(self._watch, held)) if len(held) > 1 else [
                    self._watch(sc) for sc in held
                ]
                if len(held) == 1:
                    log_setup.set_event_id(held[0].event_id)
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

    def _watch(self, sc: StageClock) -> None:
        """Read one stage's current event (following a reset to the new one) and publish it."""
        if sc.event_id is None:
            sc.event_id = self.store.events.current_id(sc.stage)
        bundle = self.store.events.load(sc.event_id) if sc.event_id else None
        if bundle and bundle.state.superseded_by:
            sc.event_id = bundle.state.superseded_by
            bundle = self.store.events.load(sc.event_id)
        self._publish(bundle, *self._tallies(bundle), stage=sc.stage)

    def _tallies(self, bundle: EventBundle | None) -> tuple[int, LobbyFacts | None]:
        return quorum.tallies(self.store, bundle, self.clock())

    def _publish(
        self,
        bundle: EventBundle | None,
        submitted: int,
        lobby: LobbyFacts | None = None,
        stage: str | None = None,
    ) -> None:
        """Hand a stage's fresh read to the timer (the stage is the bundle's, else `stage`)."""
        sid = bundle.state.stage if bundle else stage or MAIN
        sc = self.stages.setdefault(sid, StageClock(sid))
        with sc.lock:
            old = sc.bundle
            same_event = bundle and old and bundle.state.event_id == old.state.event_id
            if same_event and bundle.state.version < old.state.version:
                # Read before the timer's own latest write landed: keep the newer state we know of, or
                # the timer would replay a step it already wrote and lose a round trip on the refusal.
                bundle = replace(bundle, state=old.state)
            sc.bundle, sc.submitted, sc.lobby = bundle, submitted, lobby
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
            sc.next_at = 0.0  # look at this stage again now
            self.wake.set()

    # ---- timer ----------------------------------------------------------------------------------
    def _timer_loop(self) -> None:
        while not self.stop_event.is_set():
            try:
                timeout = self._tick(self._held())
            except Exception as e:
                log.warning("timer: %s; retrying", e)
                timeout = 0.2
            self.wake.wait(max(0.0, timeout))
            self.wake.clear()

    def _tick(self, held: list[StageClock] | None = None) -> float:
        """Apply whatever is due now on the stages held (None: every stage read; each write is conditional
        on its lease anyway); return how long to sleep before looking again (the nearest deadline of any of
        them, at most half a second)."""
        chosen = list(self.stages.values()) if held is None else held
        if held is None or len(chosen) <= 1:
            return min([0.5, *(self._guarded_tick(sc) for sc in chosen)])
        # Several stages: each stage's due writes go to the pool and the timer goes straight back to
        # watching the others' deadlines, so one stage's transaction never delays another's transition.
        now = time.monotonic()
        for sc in chosen:
            if not sc.busy and sc.next_at <= now:
                sc.busy = True
                self._pool.submit(self._guarded_tick, sc).add_done_callback(
                    lambda done, sc=sc: self._ticked(sc, done.result())
                )
        return min([0.5, *(sc.next_at - now for sc in chosen if not sc.busy)])

    def _ticked(self, sc: StageClock, timeout: float) -> None:
        sc.next_at, sc.busy = time.monotonic() + timeout, False
        self.wake.set()

    def _guarded_tick(self, sc: StageClock) -> float:
        try:
            return self._tick_stage(sc)
        except Exception as e:  # one stage's failure must not stop the others' clocks
            log.warning("timer on stage %s: %s; retrying", sc.stage, e)
            return 0.2

    def _tick_stage(self, sc: StageClock) -> float:
        """Apply whatever is due now on one stage; return how long to sleep before looking again."""
        with sc.lock:
            bundle, submitted, lobby = sc.bundle, sc.submitted, sc.lobby
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
                with sc.lock:
                    sc.bundle = fresh
                    sc.submitted = 0
                return 0.0 if fresh and sc.leader else 0.5
            with self._counted:
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
            with sc.lock:
                latest = sc.bundle
                if latest is not None and latest.state.event_id == state.event_id:
                    if latest.state.version < state.version:
                        sc.bundle = replace(latest, state=state)
                        sc.submitted = 0
        voting = stage_clock.follow_votes(self.store, sc, state, self.owner, self.clock)
        wakes = [w for w in (rules.next_wakeup(state), voting) if w is not None]
        return min([0.5, *(w - self.clock() for w in wakes)])
