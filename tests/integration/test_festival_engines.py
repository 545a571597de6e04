"""Engine processes and a festival: one engine drives every stage, two engines share the stages, and a
standby takes over every stage of a killed holder, with each stage's invariants holding."""

from __future__ import annotations

import time

import pytest

from engine.domain.model import Phase
from tests.integration.test_engine_process import DEMO_PASSWORD, lease_seconds, procs  # noqa: F401
from tests.invariants import check_event
from tests.support.processes import engine_cli
from tests.support.waiting import wait_for

pytestmark = pytest.mark.integration
STAGES = ("s1", "s2", "s3", "s4")


def holders(store) -> dict[str, str | None]:
    """Each stage's unexpired lease holder."""
    out = {}
    for sid in STAGES:
        item = store.lease.current(sid)
        alive = item and float(item.get("expires", 0)) > time.time()
        out[sid] = item.get("owner") if alive else None
    return out


def test_two_engines_share_the_stages_and_a_standby_takes_them_all(engine_env, store, procs):  # noqa: F811
    out = engine_cli(
        engine_env,
        "demo",
        "--stages",
        "4",
        "--password",
        DEMO_PASSWORD,
        "--perform-seconds",
        "1",
        "--score-seconds",
        "1",
        "--performers",
        "6",
    )
    assert out.returncode == 0, out.stderr
    a = procs.engine(engine_env, "a")
    wait_for(lambda: set(holders(store).values()) == {a.owner()}, 15, "engine a to hold every stage")
    b = procs.engine(engine_env, "b")
    wait_for(
        lambda: sorted(holders(store).values()) == sorted([a.owner()] * 2 + [b.owner()] * 2),
        20,
        "the two engines to hold two stages each",
    )
    events = {sid: store.events.current_id(sid) for sid in STAGES}
    for sid in STAGES:
        started = engine_cli(engine_env, "control", "start", "--force", "--stage", sid)
        assert started.returncode == 0, started.stderr
    wait_for(lambda: all(store.events.state(e).index >= 1 for e in events.values()), 15, "every stage to run")
    a.kill()
    killed_at = time.time()
    wait_for(lambda: set(holders(store).values()) == {b.owner()}, 15, "engine b to hold every stage")
    took = time.time() - killed_at
    lease = lease_seconds(engine_env)
    assert took <= lease + lease / 3 + 1.0, took
    wait_for(
        lambda: all(store.events.state(e).phase is Phase.FINISHED for e in events.values()),
        40,
        "every stage to finish",
    )
    for sid, event_id in events.items():
        assert check_event(store, event_id) == [], sid
        verified = engine_cli(engine_env, "verify-log", "--stage", sid)
        assert verified.returncode == 0, verified.stdout + verified.stderr
