"""Simulated judges: scoring through Service.submit_score as their pages would, on a schedule."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from engine.service.core import Service


class Repeater(threading.Thread):
    """Call fn every `period` seconds in a daemon thread until stopped; counts exceptions."""

    def __init__(self, fn: Callable[[], None], period: float, name: str = "repeater"):
        super().__init__(name=name, daemon=True)
        self.fn, self.period = fn, period
        self.stopped = threading.Event()
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.fn()
            except Exception as e:  # recorded, and the benchmark reports it
                self.errors.append(f"{type(e).__name__}: {e}")
            self.stopped.wait(self.period)

    def stop(self) -> None:
        self.stopped.set()
        self.join(5)


class ScoreDriver(threading.Thread):
    """Judges scoring through Service.submit_score, as their pages would: in every scoring window each
    judge submits once, at a planned moment (evenly spaced over `spread` of the window, or at random
    there), each from a thread of its own. Records every submission and every error."""

    def __init__(
        self,
        svc: Service,
        tokens: dict[str, str],
        event_id: str,
        spread: tuple[float, float] = (0.2, 0.8),
        random_times: bool = False,
        revise: float = 0.0,
        seed: int = 7,
    ):
        super().__init__(name="score-driver", daemon=True)
        import random
        from concurrent.futures import ThreadPoolExecutor

        self.svc, self.tokens, self.event_id = svc, tokens, event_id
        self.spread, self.random_times, self.revise = spread, random_times, revise
        self.rng = random.Random(seed)
        self.pool = ThreadPoolExecutor(max_workers=max(1, len(tokens)), thread_name_prefix="judge")
        self.stopped = threading.Event()
        self._lock = threading.Lock()
        self.submitted: list[dict] = []  # judge, performer_id, submitted_at, call_seconds, revision
        self.refused: list[str] = []  # ScoreRefused: the window closed under the judge (a race, not a bug)
        self.errors: list[str] = []  # anything else
        self.skipped = 0  # planned too close to the deadline to be fair
        self.windows = 0

    def run(self) -> None:
        seen = None
        while not self.stopped.is_set():
            try:
                state = self.svc.store.events.state(self.event_id)
            except Exception as e:
                with self._lock:
                    self.errors.append(f"load_state: {type(e).__name__}: {e}")
                self.stopped.wait(0.2)
                continue
            if state is None or state.phase.value == "FINISHED":
                self.stopped.wait(0.2)
                continue
            if state.phase.value == "SCORING" and state.window_id != seen and state.deadline:
                seen = state.window_id
                self.windows += 1
                self._plan(state)
            self.stopped.wait(0.05)

    def _plan(self, state) -> None:
        start, end = state.window_started_at or time.time(), state.deadline
        lo, hi = self.spread
        judges = list(self.tokens)
        k = len(judges)
        for i, judge in enumerate(judges):
            f = self.rng.uniform(lo, hi) if self.random_times else lo + (hi - lo) * (i + 0.5) / k
            at = start + (end - start) * f
            self.pool.submit(self._submit, judge, state.performer_id, at, end)
            if self.revise and self.rng.random() < self.revise:
                again = start + (end - start) * self.rng.uniform(f, hi)
                self.pool.submit(self._submit, judge, state.performer_id, again, end)

    def _submit(self, judge: str, performer_id: str, at: float, deadline: float) -> None:
        from engine.domain.model import ScoreRefused

        delay = at - time.time()
        if delay > 0 and self.stopped.wait(delay):
            return
        if deadline - time.time() < 0.15:
            with self._lock:
                self.skipped += 1
            return
        value = f"{self.rng.randint(30, 100) / 10:.1f}"
        t0 = time.perf_counter()
        try:
            score, _ = self.svc.submit_score(self.tokens[judge], performer_id, {"Score": value})
        except ScoreRefused as e:
            with self._lock:
                self.refused.append(f"{judge} {performer_id}: {e}")
            return
        except Exception as e:
            with self._lock:
                self.errors.append(f"{judge} {performer_id}: {type(e).__name__}: {e}")
            return
        with self._lock:
            self.submitted.append(
                {
                    "judge": judge,
                    "performer_id": performer_id,
                    "submitted_at": score.submitted_at,
                    "revision": score.revision,
                    "call_seconds": time.perf_counter() - t0,
                }
            )

    def stop(self) -> None:
        self.stopped.set()
        self.join(5)
        self.pool.shutdown(wait=True, cancel_futures=True)
