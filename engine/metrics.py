"""What a process measures: in-process rolling windows, Prometheus collectors, and CloudWatch EMF lines.

Figures (the same in the three forms):
  database latency and errors         every DynamoDB call (engine/store/client.py)
  score submission latency, outcome   Scorer.submit, the one way in for a score (accepted,
                                      refused, invalid, not_allowed, error)
  transition lateness                 each timer transition the engine writes (engine/timer/runner.py)
  judges present, viewers connected   gauges set by whoever knows them (engine, web server)

EMF: CloudWatch's Embedded Metric Format is a JSON log line with an `_aws` member declaring which top-level
keys are metrics (spec: "Specification: Embedded metric format", CloudWatch User Guide). We write it
ourselves: aws-embedded-metrics flushes through asyncio, which sync code inside uvicorn's loop cannot run,
and it writes to its own sink rather than through our log lines (engine/log_setup.py).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from engine.domain.model import DatabaseUnavailable, InvalidInput, NotAllowed, ScoreRefused, StagescoreError

NAMESPACE = "Stagescore"
log = logging.getLogger("stagescore.metrics")
UNITS = frozenset({"Seconds", "Milliseconds", "Count", "Percent", "Count/Second", "None"})
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


@dataclass(frozen=True)
class Summary:
    count: int
    p50: float | None
    p95: float | None
    max: float | None

    def as_json(self) -> dict:
        return {"count": self.count, "p50": self.p50, "p95": self.p95, "max": self.max}


class Window:
    """Values of the last `seconds`, thread-safe; at most `limit` kept (the newest)."""

    def __init__(self, seconds: float = 60.0, limit: int = 20_000):
        self.seconds = seconds
        self._values: deque[tuple[float, float]] = deque(maxlen=limit)
        self._lock = threading.Lock()

    def add(self, value: float, now: float | None = None) -> None:
        with self._lock:
            self._values.append((time.monotonic() if now is None else now, value))

    def summary(self, now: float | None = None) -> Summary:
        now = time.monotonic() if now is None else now
        with self._lock:
            while self._values and self._values[0][0] <= now - self.seconds:
                self._values.popleft()
            values = sorted(v for _, v in self._values)
        if not values:
            return Summary(0, None, None, None)

        def rank(p: float) -> float:  # nearest rank: the smallest value with p of them at or below it
            return values[max(0, -(-len(values) * p // 100) - 1)]

        return Summary(len(values), rank(50), rank(95), values[-1])


def emf_document(namespace: str, dimensions: dict[str, str], values: dict, timestamp_ms: int) -> dict:
    """An EMF object: `values` maps a metric name to (value, unit); a None value is left out."""
    present = {name: vu for name, vu in values.items() if vu[0] is not None}
    for name, (_, unit) in present.items():
        if unit not in UNITS:
            raise ValueError(f"{name}: {unit!r} is not a CloudWatch unit.")
    directive = {
        "Namespace": namespace,
        "Dimensions": [sorted(dimensions)],
        "Metrics": [{"Name": name, "Unit": unit} for name, (_, unit) in present.items()],
    }
    return {
        "_aws": {"Timestamp": int(timestamp_ms), "CloudWatchMetrics": [directive]},
        **dimensions,
        **{name: value for name, (value, _) in present.items()},
    }


def emit(message: str, values: dict, **fields: object) -> None:
    """One metrics line (EMF in JSON mode), dimensioned by the process; `fields` go along as context."""
    from engine.log_setup import process_name

    doc = emf_document(NAMESPACE, {"process": process_name()}, values, int(time.time() * 1000))
    shown = " ".join(
        f"{k}={v[0]:g}{'' if v[1] == 'None' else v[1][:2]}" for k, v in values.items() if v[0] is not None
    )
    log.info("%s %s", message, shown, extra={"emf": doc, "fields": fields})


def outcome_of(exc: BaseException | None) -> str:
    if exc is None:
        return "accepted"
    if isinstance(exc, ScoreRefused):
        return "refused"
    if isinstance(exc, InvalidInput):
        return "invalid"
    if isinstance(exc, NotAllowed):
        return "not_allowed"
    return "error"


# ---- this process's figures ------------------------------------------------------------------------
REGISTRY = CollectorRegistry()
DB_SECONDS = Histogram(
    "stagescore_db_request_seconds",
    "DynamoDB request latency",
    ["operation"],
    registry=REGISTRY,
    buckets=LATENCY_BUCKETS,
)
DB_ERRORS = Counter("stagescore_db_errors", "DynamoDB requests that failed", ["kind"], registry=REGISTRY)
SUBMIT_SECONDS = Histogram(
    "stagescore_score_submit_seconds", "Score submission latency", registry=REGISTRY, buckets=LATENCY_BUCKETS
)
SUBMISSIONS = Counter(
    "stagescore_score_submissions", "Score submissions by outcome", ["outcome"], registry=REGISTRY
)
LATENESS = Histogram(
    "stagescore_transition_lateness_seconds",
    "How late a timer transition was written after its deadline",
    registry=REGISTRY,
    buckets=LATENCY_BUCKETS,
)
LAST_LATENESS = Gauge(
    "stagescore_last_transition_lateness_seconds",
    "The lease holder's last transition lateness",
    registry=REGISTRY,
)
JUDGES_PRESENT = Gauge("stagescore_judges_present", "Judges with a recent heartbeat", registry=REGISTRY)
VIEWERS = Gauge(
    "stagescore_viewers_connected", "Open sessions and push streams on this server", registry=REGISTRY
)
ENGINE_HEALTHY = Gauge(
    "stagescore_engine_healthy", "1 when an engine holds the lease and is on time", registry=REGISTRY
)
FEED_AGE = Gauge(
    "stagescore_feed_reading_age_seconds",
    "Age of the live feed's reading the gauges come from; over 1 s they are stale",
    registry=REGISTRY,
)
_streams = {"open": 0}
_streams_lock = threading.Lock()
DB_LATENCY = Window(60.0)  # milliseconds, for the admin desk's "over the last minute"
DB_FAILURES = Window(60.0)


def streams_open(delta: int = 0) -> int:
    """Push streams (server-sent events) open on this server: +1 when one opens, -1 when it closes."""
    with _streams_lock:
        _streams["open"] += delta
        return _streams["open"]


def record_db(operation: str, seconds: float, error: BaseException | None = None) -> None:
    DB_SECONDS.labels(operation).observe(seconds)
    DB_LATENCY.add(seconds * 1000)
    if error is not None:
        kind = "unavailable" if isinstance(error, DatabaseUnavailable) else "refused"
        DB_ERRORS.labels(kind).inc()
        DB_FAILURES.add(1.0)


def record_transition(kind: str, late_seconds: float) -> None:
    LATENESS.observe(max(0.0, late_seconds))
    emit("transition", {"TransitionLateness": (round(late_seconds * 1000, 1), "Milliseconds")}, kind=kind)


def timed_submission(fn: Callable) -> Callable:
    """Wraps Scorer.submit: its latency and outcome, as a Prometheus figure and an EMF line."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t0, exc = time.perf_counter(), None
        try:
            return fn(*args, **kwargs)
        except StagescoreError as e:
            exc = e
            raise
        finally:
            seconds, outcome = time.perf_counter() - t0, outcome_of(exc)
            SUBMIT_SECONDS.observe(seconds)
            SUBMISSIONS.labels(outcome).inc()
            emit(
                "score submission",
                {
                    "ScoreSubmitLatency": (round(seconds * 1000, 1), "Milliseconds"),
                    "ScoreRefused": (1 if outcome == "refused" else 0, "Count"),
                },
                outcome=outcome,
            )

    return wrapper


def minute_figures(judges_present: int | None = None, viewers: int | None = None) -> dict:
    """The periodic figures of this process: database latency and errors of the last minute, gauges."""
    db = DB_LATENCY.summary()
    return {
        "DatabaseLatencyP50": (db.p50, "Milliseconds"),
        "DatabaseLatencyP95": (db.p95, "Milliseconds"),
        "DatabaseRequests": (db.count, "Count"),
        "DatabaseErrors": (DB_FAILURES.summary().count, "Count"),
        "JudgesPresent": (judges_present, "Count"),
        "ViewersConnected": (viewers, "Count"),
    }
