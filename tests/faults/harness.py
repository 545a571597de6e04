"""Helpers for the engine-process and fault-injection tests.

Real `python -m engine` subprocesses, judges scoring from threads through Service.submit_score,
a TCP proxy that delays or cuts connections, a DynamoDB Local of the test's own, and the checks
run after every event. Everything started here is registered with a Reaper, which a fixture
finalizer uses to kill it, so a failing test leaves no process behind.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from engine import accounts, localdb
from engine.config import Config
from engine.model import (
    Account,
    Command,
    CommandKind,
    Conflict,
    DatabaseUnavailable,
    EventState,
    Phase,
    Role,
    Score,
    ScoreRefused,
    Settings,
)
from engine.roster import build_roster
from engine.service import Service, compute_results
from engine.store import Store
from tests.invariants import check_event, check_refusals
from tests.support.processes import engine_cli, engine_command, spawn
from tests.support.stack import fresh_prefix
from tests.support.waiting import wait_for

PASSWORD = "fault-horse-9"
_HASH = accounts.hash_password(PASSWORD)

# kind -> counters, printed by tests/faults/conftest.py at the end of the session.
SUMMARY: dict[str, dict] = defaultdict(
    lambda: {"runs": 0, "faults": 0, "held": 0, "seeds": [], "problems": [], "notes": []}
)


# ---- waiting ------------------------------------------------------------------------------------
def sleep_until(t: float) -> None:
    """Wait for a wall-clock moment chosen by the test (scheduling a fault, not waiting for a result)."""
    while (left := t - time.time()) > 0:
        time.sleep(min(left, 0.05))


# ---- environment ----------------------------------------------------------------------------------
def env_for(base: dict[str, str], prefix: str, endpoint: str | None = None, **extra: str) -> dict[str, str]:
    env = dict(base)
    env["STAGESCORE_TABLE_PREFIX"] = prefix
    env.setdefault("PYTHONUNBUFFERED", "1")
    if endpoint:
        env["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
    env.update(extra)
    return env


def store_for(env: dict[str, str]) -> Store:
    return Store(Config.from_env(env))


# ---- processes --------------------------------------------------------------------------------------
class EngineProc:
    """One `python -m engine run`, output in a log file; the engine's id is read from that log."""

    _OWNER = re.compile(r"engine (engine-[0-9a-f]+) starting")

    def __init__(self, env: dict[str, str], log_dir: Path, name: str):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        self.started_at = time.time()
        self.proc = spawn(engine_command("run"), env, self.log_path)
        self._owner: str | None = None
        self.stopped = False

    @property
    def pid(self) -> int:
        return self.proc.pid

    def text(self) -> str:
        return self.log_path.read_text(errors="replace")

    def owner(self, timeout: float = 20.0) -> str:
        if self._owner is None:

            def found():
                if self.proc.poll() is not None:
                    raise AssertionError(f"engine {self.name} exited early:\n{self.text()[-2000:]}")
                m = self._OWNER.search(self.text())
                return m.group(1) if m else None

            self._owner = wait_for(found, timeout, f"engine {self.name} to start")
        return self._owner

    def owner_now(self) -> str | None:
        """The engine's id if it has logged it yet (never waits)."""
        if self._owner is None:
            m = self._OWNER.search(self.text())
            self._owner = m.group(1) if m else None
        return self._owner

    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            os.kill(self.proc.pid, sig)
            if sig == signal.SIGSTOP:
                self.stopped = True
            elif sig == signal.SIGCONT:
                self.stopped = False

    def kill(self) -> None:
        """kill -9, and reap it."""
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def cleanup(self) -> None:
        if self.alive():
            if self.stopped:
                os.kill(self.proc.pid, signal.SIGCONT)
            self.kill()


class DynamoProc:
    """A DynamoDB Local of the test's own, persisted on disk, that the test may kill and restart."""

    def __init__(self, data_dir: Path, log_dir: Path):
        self.data_dir = data_dir
        self.port = localdb.free_port()
        self.log_path = log_dir / f"dynamodb-{self.port}.log"
        self.proc: subprocess.Popen | None = None
        self.start()

    @property
    def endpoint(self) -> str:
        return localdb.endpoint_url(self.port)

    def start(self) -> None:
        t0 = time.monotonic()
        # The port may sit in TIME_WAIT for a moment after a kill; the JVM binds with SO_REUSEADDR.
        wait_for(lambda: not localdb.port_in_use(self.port), 10, f"port {self.port} to be free")
        t1 = time.monotonic()
        self.proc = localdb.start(self.port, data_dir=self.data_dir, log_path=self.log_path)
        self.timings = (t1 - t0, time.monotonic() - t1)

    def kill(self) -> None:
        """kill -9 the JVM (its own process group, started by localdb.start)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def cleanup(self) -> None:
        if self.proc is not None:
            localdb.stop(self.proc)


class Reaper:
    """Everything a test started, killed by a fixture finalizer whatever happens."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.items: list = []
        self._n = 0

    def engine(self, env: dict[str, str], name: str | None = None) -> EngineProc:
        self._n += 1
        e = EngineProc(env, self.log_dir, name or f"engine{self._n}")
        self.items.append(e)
        return e

    def dynamodb(self, data_dir: Path) -> DynamoProc:
        d = DynamoProc(data_dir, self.log_dir)
        self.items.append(d)
        return d

    def add(self, thing):
        self.items.append(thing)
        return thing

    def cleanup(self) -> None:
        errors = []
        for item in reversed(self.items):
            try:
                item.cleanup()
            except Exception as e:  # keep reaping the rest
                errors.append(e)
        self.items.clear()
        if errors:
            raise errors[0]


def cli(env: dict[str, str], *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return engine_cli(env, *args, timeout=timeout)


def status_json(env: dict[str, str]) -> dict:
    out = cli(env, "status", "--json", timeout=30)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


# ---- the lease -------------------------------------------------------------------------------------
def lease_holder(store: Store) -> str | None:
    """The engine holding an unexpired lease now, if any."""
    item = store.lease.current()
    if not item or float(item.get("expires", 0)) <= time.time():
        return None
    return item.get("owner")


# ---- events -----------------------------------------------------------------------------------------
def seed_event(
    svc: Service, performers: int, perform: float, score: float, judges: int = 3
) -> dict[str, str]:
    """Judge accounts and an event in the lobby; returns judge email -> session token."""
    for i in range(1, judges + 1):
        svc.store.accounts.put(Account(f"judge{i}@fault.local", f"Judge {i}", Role.JUDGE), _HASH)
    roster = build_roster([{"name": f"Performer {i}", "order": i} for i in range(1, performers + 1)])
    settings = Settings(perform_seconds=perform, score_seconds=score, required_judges=judges)
    svc.create_event(settings, roster, open_lobby=True)
    return {
        f"judge{i}@fault.local": svc.login(f"judge{i}@fault.local", PASSWORD).token
        for i in range(1, judges + 1)
    }


def start_event(svc: Service) -> EventState:
    return svc.command(None, Command(CommandKind.START, force=True))


def finished(store: Store, event_id: str) -> bool:
    s = store.events.state(event_id)
    return s is not None and s.phase is Phase.FINISHED


# ---- judges ----------------------------------------------------------------------------------------
@dataclass
class Attempt:
    judge: str
    performer_id: str
    request_id: str
    t0: float
    t1: float
    outcome: str  # ack | refused | transient | error
    total: Decimal | None = None
    revision: int | None = None
    message: str = ""


@dataclass
class Judges:
    """Judges scoring from threads, at random moments, whatever is on stage (and sometimes what was)."""

    svc: Service
    tokens: dict[str, str]
    event_id: str
    seed: int
    pause: tuple[float, float] = (0.08, 0.3)
    attempts: list[Attempt] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> Judges:
        for i, (email, token) in enumerate(sorted(self.tokens.items())):
            t = threading.Thread(
                target=self._loop, args=(email, token, random.Random(self.seed * 100 + i)), daemon=True
            )
            t.start()
            self._threads.append(t)
        return self

    def _loop(self, email: str, token: str, rng: random.Random) -> None:
        last_pid = None
        while not self._stop.is_set():
            try:
                state = self.svc.store.events.state(self.event_id)
            except Exception:
                self._stop.wait(0.1)
                continue
            if state.phase is Phase.FINISHED:
                return
            pid = state.performer_id
            if pid is None:
                self._stop.wait(0.05)
                continue
            if last_pid and last_pid != pid and rng.random() < 0.15:
                pid = last_pid  # a late submission for the previous performer: must be refused
            last_pid = state.performer_id
            self.submit(email, token, pid, Decimal(rng.randint(0, 100)) / 10)
            self._stop.wait(rng.uniform(*self.pause))

    def submit(self, email: str, token: str, pid: str, value: Decimal) -> Attempt:
        rid = uuid.uuid4().hex
        t0 = time.time()
        try:
            score, _replayed = self.svc.submit_score(token, pid, {"Score": str(value)}, request_id=rid)
            a = Attempt(email, pid, rid, t0, time.time(), "ack", score.total, score.revision)
        except ScoreRefused as e:
            a = Attempt(email, pid, rid, t0, time.time(), "refused", message=str(e))
        except (Conflict, DatabaseUnavailable) as e:
            a = Attempt(email, pid, rid, t0, time.time(), "transient", message=str(e))
        except Exception as e:  # anything else reaching a judge's page is a bug to report
            a = Attempt(email, pid, rid, t0, time.time(), "error", message=repr(e))
        with self._lock:
            self.attempts.append(a)
        return a

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(10)

    cleanup = stop

    def acknowledged(
        self, excused: frozenset[str] = frozenset()
    ) -> dict[tuple[str, str], tuple[Decimal, int]]:
        acks: dict[tuple[str, str], tuple[Decimal, int]] = {}
        for a in self.attempts:
            if a.request_id in excused:
                continue
            if a.outcome == "ack":
                key = (a.performer_id, a.judge)
                if key not in acks or acks[key][1] < a.revision:
                    acks[key] = (a.total, a.revision)
        return acks

    def counts(self) -> dict[str, int]:
        c: dict[str, int] = defaultdict(int)
        for a in self.attempts:
            c[a.outcome] += 1
        return dict(c)


# ---- a TCP proxy that delays and cuts ---------------------------------------------------------------
class FlakyProxy:
    """127.0.0.1:port -> upstream, delaying each chunk by `delay` seconds (uniform range, each direction)
    and cutting a connection (RST both ends) with probability `drop` per chunk."""

    def __init__(
        self, upstream_port: int, seed: int, delay: tuple[float, float] = (0.0, 0.0), drop: float = 0.0
    ):
        self.upstream_port = upstream_port
        self.delay = delay
        self.drop = drop
        self.rng = random.Random(seed)
        self._rng_lock = threading.Lock()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.port = self.listener.getsockname()[1]
        self.cuts = 0
        self.connections = 0
        self.chunks = 0
        self._closed = False
        self._socks: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True, name="proxy-accept").start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=2)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self.connections += 1
                self._socks |= {client, upstream}
            pair = (client, upstream)
            threading.Thread(target=self._pump, args=(client, upstream, pair), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, pair), daemon=True).start()

    def _roll(self) -> tuple[float, bool]:
        with self._rng_lock:
            d = self.rng.uniform(*self.delay) if self.delay[1] > 0 else 0.0
            return d, self.rng.random() < self.drop

    def _cut(self, pair) -> None:
        for s in pair:
            try:  # SO_LINGER 0: close with a RST, as a broken link or a dead middlebox would
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass

    def _pump(self, src: socket.socket, dst: socket.socket, pair) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    try:
                        dst.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    return
                delay, cut = self._roll()
                with self._lock:
                    self.chunks += 1
                if delay:
                    time.sleep(delay)
                if cut:
                    with self._lock:
                        self.cuts += 1
                    self._cut(pair)
                    return
                dst.sendall(data)
        except OSError:
            self._cut(pair)

    def cleanup(self) -> None:
        self._closed = True
        try:
            self.listener.close()
        except OSError:
            pass
        with self._lock:
            socks = list(self._socks)
        for s in socks:
            try:
                s.close()
            except OSError:
                pass


# ---- checks -----------------------------------------------------------------------------------------
def results_from_log(store: Store, event_id: str) -> list[str]:
    """Final results must equal a recomputation from the log's score entries (latest revision per judge)."""
    problems = []
    entries, _ = store.log.entries(event_id)
    latest: dict[tuple[str, str], tuple[int, Decimal, float, int]] = {}
    for e in entries:
        if e.kind not in ("score_submitted", "score_revised"):
            continue
        d = e.payload()
        key = (d["performer_id"], e.actor)
        if key not in latest or latest[key][0] < d["revision"]:
            latest[key] = (d["revision"], Decimal(d["total"]), e.ts, d["window_id"])
    stored = {
        (s.performer_id, s.judge): (s.revision, s.total) for s in store.scores.list(event_id, consistent=True)
    }
    from_log = {k: (v[0], v[1]) for k, v in latest.items()}
    if stored != from_log:
        problems.append(f"stored scores differ from the log's latest revisions: db={stored} log={from_log}")
    svc = Service(store)
    snap = svc.snapshot(event_id)
    scores = [
        Score(event_id, pid, judge, {"Score": total}, total, rev, ts, ts, wid)
        for (pid, judge), (rev, total, ts, wid) in latest.items()
    ]
    recomputed = compute_results(snap.settings, snap.performers, scores, snap.judges)
    got = [(r.performer_id, r.total, r.rank) for r in snap.results]
    want = [(r.performer_id, r.total, r.rank) for r in recomputed]
    if got != want:
        problems.append(f"results differ from a recomputation from the log: results={got} log={want}")
    return problems


def writers(store: Store, event_id: str) -> list[tuple[int, str | None, float]]:
    """(version, engine that wrote it, written_at) of every state change, in version order."""
    entries, _ = store.log.entries(event_id)
    out = []
    for e in entries:
        d = e.payload()
        if "version" in d:
            out.append((d["version"], d.get("lease_owner"), d.get("written_at", e.ts)))
    return sorted(out)


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
        errors = [a for a in judges.attempts if a.outcome == "error"]
        problems += [f"a judge got an unexpected error: {a.message}" for a in errors[:5]]
    problems += results_from_log(store, event_id)
    out = cli(env, "verify-log", "--event", event_id) if cli_verify else None
    if out is not None and out.returncode != 0:
        problems.append(f"verify-log exited {out.returncode}: {out.stdout.strip()} {out.stderr.strip()}")
    return problems


def lost_acks(store: Store, event_id: str, judges: Judges) -> list[Attempt]:
    """Acknowledged submissions the database no longer has (by request id: a lost revision may since
    have been reused by a later submission)."""
    entries, _ = store.log.entries(event_id)
    logged = {
        e.payload().get("request_id") for e in entries if e.kind in ("score_submitted", "score_revised")
    }
    return [a for a in judges.attempts if a.outcome == "ack" and a.request_id not in logged]


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


# ---- one event on fresh tables ---------------------------------------------------------------------
@dataclass
class Stage:
    """One event on tables of its own: engines use `env` (maybe through a proxy), checks use `store`."""

    kind: str
    seed: int
    rng: random.Random
    env: dict[str, str]
    direct_env: dict[str, str]
    store: Store
    judge_svc: Service
    tokens: dict[str, str]
    event_id: str
    reaper: Reaper
    judges: Judges | None = None

    def start_judges(self, pause: tuple[float, float] = (0.08, 0.3)) -> Judges:
        self.judges = self.reaper.add(Judges(self.judge_svc, self.tokens, self.event_id, self.seed, pause))
        return self.judges.start()

    def finished(self) -> bool:
        return finished(self.store, self.event_id)

    def state(self) -> EventState:
        return self.store.events.state(self.event_id)


def new_stage(
    kind: str,
    seed: int,
    base_env: dict[str, str],
    reaper: Reaper,
    performers: int = 6,
    perform: float = 0.3,
    score: float = 0.7,
    endpoint: str | None = None,
    db_endpoint: str | None = None,
) -> Stage:
    """Fresh tables (a new prefix) and an event in the lobby. `db_endpoint`: the database to use
    (default: the one in base_env); `endpoint`: what engines and judges go through (e.g. a proxy)."""
    prefix = fresh_prefix("f")
    direct_env = env_for(base_env, prefix, db_endpoint)
    env = env_for(direct_env, prefix, endpoint)
    store = store_for(direct_env)
    store.create_tables()
    tokens = seed_event(Service(store), performers, perform, score)
    judge_store = store_for(env) if endpoint else store
    return Stage(
        kind,
        seed,
        random.Random(seed),
        env,
        direct_env,
        store,
        Service(judge_store),
        tokens,
        store.events.current_id(),
        reaper,
    )


def alive_leader(store: Store, engines: list[EngineProc]) -> EngineProc | None:
    """The live engine holding the lease now (None if the lease is free, lapsed or held by a dead one)."""
    holder = lease_holder(store)
    if holder is None:
        return None
    return next((e for e in engines if e.alive() and not e.stopped and e.owner_now() == holder), None)
