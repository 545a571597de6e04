"""The engine as a real process: `python -m engine ...` subprocesses on DynamoDB Local.

A demo event driven by the CLI to the end, a standby taking over from a killed lease holder,
a stale engine's write refused, recovery after a crash, and a prompt stop on SIGTERM."""

from __future__ import annotations

import signal
import time

import pytest

from engine.domain import rules
from engine.domain.model import Command, CommandKind, Conflict, Phase
from engine.service.core import Service
from tests.invariants import check_event, check_refusals, state_changes, writers
from tests.support.engines import Reaper, lease_holder
from tests.support.events import seed_event
from tests.support.judges import InProcessJudges
from tests.support.processes import engine_cli, status_json
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration

# `demo --password x` is refused: passwords need at least 8 characters.
DEMO_PASSWORD = "demo-password"
STATUS_FIELDS = {
    "event_id",
    "phase",
    "performer_id",
    "performer_name",
    "deadline",
    "remaining_seconds",
    "version",
    "judges_present",
    "judges_required",
}


@pytest.fixture
def procs(tmp_path):
    r = Reaper(tmp_path)
    try:
        yield r
    finally:
        r.cleanup()


def demo(env, performers: int = 3, score_seconds: int = 1) -> None:
    out = engine_cli(
        env,
        "demo",
        "--password",
        DEMO_PASSWORD,
        "--perform-seconds",
        "1",
        "--score-seconds",
        str(score_seconds),
        "--performers",
        str(performers),
    )
    assert out.returncode == 0, out.stderr


def start(env) -> None:
    out = engine_cli(env, "control", "start", "--force")
    assert out.returncode == 0, out.stderr
    assert "PERFORMING" in out.stdout


def lease_seconds(env) -> float:
    return float(env["STAGESCORE_LEASE_SECONDS"])


def finished(store, event_id) -> bool:
    return store.events.state(event_id).phase is Phase.FINISHED


def test_the_cli_takes_a_demo_event_to_finished(engine_env, store, procs):
    demo(engine_env)
    engine = procs.engine(engine_env)
    wait_for(lambda: lease_holder(store) == engine.owner(), 15, "the engine to hold the lease")
    first = status_json(engine_env)
    assert STATUS_FIELDS <= first.keys()
    assert first["phase"] == "LOBBY" and first["judges_required"] == 3 and first["judges_present"] == 0
    start(engine_env)
    seen = []
    deadline = time.monotonic() + 30
    while True:
        s = status_json(engine_env)
        assert STATUS_FIELDS <= s.keys()
        assert s["event_id"] == first["event_id"]
        if s["phase"] in ("PERFORMING", "SCORING"):
            assert s["performer_id"] and s["performer_name"]
            assert s["deadline"] is not None and 0 <= s["remaining_seconds"] <= 1.0
        seen.append(s)
        if s["phase"] == "FINISHED":
            break
        assert time.monotonic() < deadline, f"the event did not finish: {seen[-1]}"
    assert seen[-1]["performer_id"] is None and seen[-1]["remaining_seconds"] is None
    versions = [s["version"] for s in seen]
    assert versions == sorted(versions)
    # What status showed follows the running order: each (phase, performer) in the order they come.
    order = store.events.state(first["event_id"]).order
    expected = [(ph, pid) for pid in order for ph in ("PERFORMING", "SCORING")] + [("FINISHED", None)]
    shown = [expected.index((s["phase"], s["performer_id"])) for s in seen]
    assert shown == sorted(shown), [(s["phase"], s["performer_id"]) for s in seen]
    out = engine_cli(engine_env, "verify-log")
    assert out.returncode == 0 and "intact" in out.stdout, out.stdout + out.stderr
    assert check_event(store, first["event_id"]) == []


def test_a_standby_takes_over_within_the_lease_when_the_holder_is_killed(engine_env, store, procs):
    demo(engine_env, performers=4)
    event_id = store.events.current_id()
    a = procs.engine(engine_env, "a")
    wait_for(lambda: lease_holder(store) == a.owner(), 15, "engine a to hold the lease")
    b = procs.engine(engine_env, "b")
    b.owner()
    start(engine_env)
    # Kill a while the second performer is on stage.
    wait_for(lambda: store.events.state(event_id).index >= 1, 10, "the second performer")
    assert lease_holder(store) == a.owner()
    a.kill()
    killed_at = time.time()
    wait_for(lambda: lease_holder(store) == b.owner(), 10, "engine b to take over")
    took = time.time() - killed_at
    lease = lease_seconds(engine_env)
    print(f"standby took over {took:.2f} s after the kill (lease {lease} s)")
    # The lease lapses at most `lease` after a's last renewal; b tries every lease/3.
    assert took <= lease + lease / 3 + 0.5
    wait_for(lambda: finished(store, event_id), 20, "the event to finish")
    assert check_event(store, event_id) == []
    ws = writers(store, event_id)
    by_a = [v for v, owner, _ in ws if owner == a.owner()]
    by_b = [v for v, owner, _ in ws if owner == b.owner()]
    assert by_a and by_b and max(by_a) < min(by_b), ws
    assert engine_cli(engine_env, "verify-log").returncode == 0


def test_a_stale_engine_write_is_refused(svc, clock, store):
    tokens = seed_event(svc)
    svc.command(tokens["admin@test.local"], Command(CommandKind.START, force=True))
    assert store.lease.acquire("a", clock.now, 1.0)
    b = svc.bundle()
    (step,) = rules.due_steps(b.state, b.settings, b.state.deadline, 0)
    clock.advance(2.0)  # a's lease has lapsed ...
    assert store.lease.acquire("b", clock.now, 1.0)  # ... and b took it
    with pytest.raises(Conflict):
        store.events.write_step(b.state.version, step, "engine", clock.now, lease_owner="a")
    # Even with a clock of its own that says its lease is still good, a is fenced off by owner.
    with pytest.raises(Conflict):
        store.events.write_step(b.state.version, step, "engine", clock.now - 1.5, lease_owner="a")
    assert not store.lease.renew("a", clock.now - 1.5, 1.0)
    assert store.events.state(b.state.event_id).version == b.state.version
    store.events.write_step(b.state.version, step, "engine", clock.now, lease_owner="b")
    assert store.events.state(b.state.event_id).version == step.state.version


def test_a_restarted_engine_applies_the_overdue_transitions_in_order(engine_env, store, procs):
    demo(engine_env, performers=5, score_seconds=2)  # long enough for scores to land on a busy machine
    event_id = store.events.current_id()
    a = procs.engine(engine_env, "a")
    wait_for(lambda: lease_holder(store) == a.owner(), 15, "the engine to hold the lease")
    svc = Service(store)
    tokens = {
        e: svc.logins.login(e, DEMO_PASSWORD).token for e in (f"judge{i}@demo.local" for i in (1, 2, 3))
    }
    judges = InProcessJudges(svc, tokens, event_id, seed=1, pause=(0.05, 0.2)).start()
    procs.add(judges)
    start(engine_env)
    wait_for(
        lambda: (s := store.events.state(event_id)).index >= 1 and s.phase is Phase.SCORING,
        15,
        "the second performer's scoring window",
    )
    a.kill()
    frozen = store.events.state(event_id)
    # Several deadlines pass with no engine: the state must stay as it was.
    wait_for(lambda: time.time() > frozen.deadline + 3.2, 10, "several deadlines to pass")
    assert store.events.state(event_id).version == frozen.version
    restarted_at = time.time()
    procs.engine(engine_env, "b")
    wait_for(lambda: finished(store, event_id), 30, "the event to finish")
    judges.stop()
    acks = judges.acknowledged()
    assert acks, judges.counts()
    assert check_event(store, event_id, acks) == []
    assert check_refusals(store, event_id, judges.attempts) == []
    # The overdue transitions were written after the restart, stamped at their scheduled times, in order.
    overdue = [
        (ts, kind, d)
        for ts, kind, d in state_changes(store, event_id)
        if ts < restarted_at and d.get("written_at", 0) >= restarted_at
    ]
    assert len(overdue) >= 3, overdue
    assert [ts for ts, _, _ in overdue] == sorted(ts for ts, _, _ in overdue)
    assert overdue[0][2]["version"] == frozen.version + 1 and overdue[0][0] == pytest.approx(frozen.deadline)
    assert engine_cli(engine_env, "verify-log").returncode == 0


def test_sigterm_stops_run_within_a_second(engine_env, store, procs):
    demo(engine_env)
    engine = procs.engine(engine_env)
    wait_for(lambda: lease_holder(store) == engine.owner(), 15, "the engine to hold the lease")
    start(engine_env)
    wait_for(
        lambda: store.events.state(store.events.current_id()).version >= 3, 10, "the event to be running"
    )
    t0 = time.monotonic()
    engine.signal(signal.SIGTERM)
    code = engine.proc.wait(10)
    took = time.monotonic() - t0
    print(f"run stopped {took:.3f} s after SIGTERM")
    assert code == 0
    assert took < 2.0
    assert lease_holder(store) is None  # released on the way out, so a standby need not wait
