"""Helpers for the engine-process and fault-injection tests.

Real `python -m engine` subprocesses, real web servers (tests/support/stack.py, maybe behind the shipped
nginx site) that judges score through over HTTP (tests/support/judges.py), a DynamoDB Local of the
test's own, and the checks run after every event. Everything started here is registered with a Reaper,
which a fixture finalizer uses to kill it, so a failing test leaves no process behind.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import defaultdict
from dataclasses import dataclass, field

from engine.config import Config
from engine.domain.accounts import token_hash
from engine.domain.model import EventState, Phase, Settings
from engine.service.core import Service
from engine.store import Store
from tests.invariants import check_event, check_refusals, check_sessions, lost_acks, results_from_log, writers
from tests.support import events, nginx
from tests.support.engines import Reaper, alive_leader, lease_holder
from tests.support.events import finished, start_event
from tests.support.judges import Attempt, Judges
from tests.support.live import connection, session_cookie
from tests.support.processes import engine_cli
from tests.support.stack import Stack, fresh_prefix
from tests.support.waiting import wait_for

# What the fault tests import from here.
__all__ = [
    "Attempt",
    "Reaper",
    "alive_leader",
    "lease_holder",
    "lost_acks",
    "results_from_log",
    "start_event",
    "wait_for",
    "writers",
]

# kind -> counters, printed by tests/faults/conftest.py at the end of the session.
SUMMARY: dict[str, dict] = defaultdict(
    lambda: {"runs": 0, "faults": 0, "held": 0, "seeds": [], "problems": [], "notes": []}
)


def sleep_until(t: float) -> None:
    """Wait for a wall-clock moment chosen by the test (scheduling a fault, not waiting for a result)."""
    while (left := t - time.time()) > 0:
        time.sleep(min(left, 0.05))


def env_for(base: dict[str, str], prefix: str, endpoint: str | None = None, **extra: str) -> dict[str, str]:
    env = {**base, "STAGESCORE_TABLE_PREFIX": prefix, **extra}
    env.setdefault("PYTHONUNBUFFERED", "1")
    if endpoint:
        env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    return env


def store_for(env: dict[str, str]) -> Store:
    return Store(Config.from_env(env))


# ---- the venue: tables, web servers, nginx; one event per run -------------------------------------
class Venue:
    """Tables of a test's own and `webs` web servers on them (behind the shipped nginx site if `front`):
    the judges' way in. Each run of a test is a new event here, so the servers start once per test.
    `endpoint`: what engines and web servers reach DynamoDB through (e.g. a proxy); checks go direct."""

    def __init__(self, base_env, reaper, webs=1, front=False, endpoint=None, db_endpoint=None,
                 launcher=("ui.serve",)):  # fmt: skip
        self.prefix = fresh_prefix("f")
        self.direct_env = env_for(base_env, self.prefix, db_endpoint)
        self.env = env_for(self.direct_env, self.prefix, endpoint)
        self.store = store_for(self.direct_env)
        self.store.create_tables()
        self.svc = Service(store_for(self.env))  # the admin's commands go the engines' way
        self.reaper, self.cookie, self.n_webs, self.front = reaper, session_cookie(self.prefix), webs, front
        self.launcher = launcher  # the web server's module: a test's patched one (tests/support/patched_web)
        self.stack = reaper.add(Stack(self.prefix, reaper.log_dir / "web", self.env))
        self.webs: list[subprocess.Popen] = []
        self.urls: list[str] = []
        self.front_url = ""

    def _open(self) -> None:
        """The web servers (and nginx), once the first event exists."""
        for _ in range(self.n_webs):
            self.webs.append(self.stack.start_web(launcher=self.launcher))
            self.urls.append(self.stack.url)
        if self.front:
            upstreams = [u.removeprefix("http://") for u in self.urls]
            proc, self.front_url = nginx.serve(upstreams, self.reaper.log_dir / "nginx", self.env)
            self.stack.procs.append(proc)
            wait_for(lambda: _answers(self.front_url), 20, "nginx in front of the web servers")

    @property
    def judge_urls(self) -> list[str]:
        return [self.front_url] if self.front else self.urls

    def kill_web(self, i: int) -> None:
        """kill -9 of web server i (its process group)."""
        proc = self.webs[i]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
        self.stack.procs.remove(proc)

    def restart_web(self, i: int) -> None:
        """Web server i again on its port, as its supervisor would; returns once it answers."""
        self.webs[i] = self.stack.start_web(port=int(self.urls[i].rsplit(":", 1)[1]), launcher=self.launcher)

    def stage(self, kind: str, seed: int, performers: int = 6, perform: float = 0.3, score: float = 0.7):
        tokens = events.seed_lobby(self.svc, performers, perform, score)
        if not self.webs:
            self._open()
        length = performers * (perform + score)
        event_id = self.store.events.current_id()
        return Stage(kind, seed, random.Random(seed), self, tokens, event_id, length)

    def festival(self, kind: str, seed: int, stages: int = 2, judges: int = 2, performers: int = 6,
                 perform: float = 0.3, score: float = 0.7) -> list[Stage]:  # fmt: skip
        """A festival here (tests/support/events.py `festival`): `stages` stages s1, s2, ..., each with its
        own event in the lobby and `judges` judges of its own; one Stage per festival stage (seeds
        seed * 10 + i)."""
        settings = Settings(
            perform_seconds=perform, score_seconds=score, required_judges=judges, auto_start=False
        )
        tokens = events.festival(self.svc, stages, judges, performers, settings)
        if not self.webs:
            self._open()
        length = performers * (perform + score)
        return [
            Stage(
                kind,
                seed * 10 + i,
                random.Random(seed * 10 + i),
                self,
                t,
                self.store.events.current_id(sid),
                length,
                stage_id=sid,
            )
            for i, (sid, t) in enumerate(tokens.items())
        ]


def _answers(url: str) -> bool:
    conn = connection(url, 3)
    try:
        conn.request("GET", "/_stcore/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


# ---- checks -----------------------------------------------------------------------------------------
def check_run(
    store: Store,
    env: dict[str, str],
    event_id: str,
    judges: Judges | None,
    open_slack: float = 0.3,
    cli_verify: bool = True,
    excused: frozenset[str] = frozenset(),
) -> list[str]:
    """Every invariant after one event: check_event (which verifies the log's hash chains in-process,
    as `verify-log` does), refusals, results from the log, and, if `cli_verify`, the CLI's verify-log
    (a subprocess: a few seconds on a busy machine, so tests run it on their first event only).
    `excused`: request ids whose acknowledgement the database is known to have lost (see lost_acks)."""
    acks = judges.acknowledged(excused) if judges else {}
    problems = check_event(store, event_id, acks)
    state = store.events.state(event_id)
    if state.phase is not Phase.FINISHED:
        problems.append(f"the event did not finish (it is {state.phase.value})")
    if judges:
        attempts = [a for a in judges.attempts if a.request_id not in excused]
        problems += check_refusals(store, event_id, attempts, open_slack=open_slack)
        problems += check_sessions(store, event_id, attempts, judges.ended)
        errors = [a for a in judges.attempts if a.outcome == "error"]
        problems += [f"a judge got an unexpected error: {a.message}" for a in errors[:5]]
    problems += results_from_log(store, event_id)
    out = engine_cli(env, "verify-log", "--event", event_id) if cli_verify else None
    if out is not None and out.returncode != 0:
        problems.append(f"verify-log exited {out.returncode}: {out.stdout.strip()} {out.stderr.strip()}")
    return problems


def record(
    kind: str, seed: int, faults: int, problems: list[str], detail: str = "", notes: list[str] = ()
) -> None:
    s = SUMMARY[kind]
    s["notes"] += [f"seed {seed}: {n}" for n in notes]
    s["runs"] += 1
    s["faults"] += faults
    s["seeds"].append(seed)
    if problems:
        s["problems"] += [f"seed {seed}: {p}" for p in problems]
    else:
        s["held"] += 1
    print(f"[{kind}] seed={seed} faults={faults} {detail} problems={len(problems)}", flush=True)
    for p in problems:
        print(f"  - {p}", flush=True)


# ---- one event ----------------------------------------------------------------------------------------
@dataclass
class Stage:
    """One event at a venue: engines use `env` (maybe through a proxy), checks use `store`."""

    kind: str
    seed: int
    rng: random.Random
    venue: Venue
    tokens: dict[str, str]
    event_id: str
    length: float  # seconds the event lasts by the clock
    judges: Judges | None = None
    fenced: bool = field(default=False)
    stage_id: str | None = None  # a festival's stage (Venue.festival); None: the deployment's only stage

    @property
    def env(self) -> dict[str, str]:
        return self.venue.env

    @property
    def direct_env(self) -> dict[str, str]:
        return self.venue.direct_env

    @property
    def store(self) -> Store:
        return self.venue.store

    @property
    def judge_svc(self) -> Service:
        return self.venue.svc.on(self.stage_id)

    def start_judges(self, pause: tuple[float, float] = (0.08, 0.3)) -> Judges:
        """The judges on their phones; the admin ends one of them (End on the device) at a random moment
        in the event's middle and that phone keeps sending from the old page (each of those must be
        refused, none stored): the ended-session hole the one score path closed. A festival's judges
        name their event, as the page does (their stage's event; another stage's would be refused)."""
        v = self.venue
        named = self.stage_id is not None
        self.judges = v.reaper.add(
            Judges(v.judge_urls, v.cookie, self.tokens, self.event_id, self.seed, pause, name_event=named)
        )
        leaving = self.rng.choice(sorted(self.tokens))
        fraction = self.rng.uniform(0.4, 0.8)
        self.judges.start()
        # The panel is on the event's screen before the admin starts it (a loaded machine can take seconds
        # to open a web server's first streams; an event of a few seconds would be over by then).
        wait_for(self.judges.showing, 30, "every judge's screen to show the event")
        at = time.time() + fraction * self.length
        self.judges.end_session(
            leaving, at, lambda token: v.svc.logins.end_device(None, leaving, token_hash(token))
        )
        return self.judges

    def finished(self) -> bool:
        return finished(self.store, self.event_id)

    def state(self) -> EventState:
        return self.store.events.state(self.event_id)


def new_stage(kind: str, seed: int, base_env: dict[str, str], reaper, performers: int = 6,
              perform: float = 0.3, score: float = 0.7, endpoint=None, db_endpoint=None):  # fmt: skip
    """One event at a venue of its own (one web server)."""
    venue = Venue(base_env, reaper, endpoint=endpoint, db_endpoint=db_endpoint)
    return venue.stage(kind, seed, performers, perform, score)
