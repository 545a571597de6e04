"""SIGSTOP of the lease holder for longer than the lease, then SIGCONT.

The standby must take over, and the stopped engine, once resumed, must write nothing: its writes
are fenced by the lease (the log records which engine wrote each state change)."""

from __future__ import annotations

import signal
import time

import pytest

from tests.faults.harness import (
    Venue,
    alive_leader,
    check_run,
    lease_holder,
    record,
    sleep_until,
    start_event,
    wait_for,
    writers,
)

pytestmark = pytest.mark.faults

RUNS = 3
LEASE = 1.0


def play(stage, reaper, cli_verify: bool) -> list[str]:
    first = reaper.engine(stage.env, "first")
    wait_for(lambda: alive_leader(stage.store, [first]), 20, "the first engine to hold the lease")
    second = reaper.engine(stage.env, "second")
    second.owner()
    stage.start_judges()
    started = start_event(stage.judge_svc)
    # Stop it at a random moment, half the time right at a deadline, when it is about to write.
    t = started.deadline + stage.rng.uniform(0.2, 2.0)
    sleep_until(t)
    state = stage.state()
    if stage.rng.random() < 0.5 and state.deadline and state.deadline > time.time():
        sleep_until(state.deadline + stage.rng.uniform(-0.01, 0.01))
    # Whichever holds the lease now is stopped (on a busy machine the lease may have moved already).
    a = wait_for(lambda: alive_leader(stage.store, [first, second]), 10, "an engine to hold the lease")
    b = second if a is first else first
    a.signal(signal.SIGSTOP)
    stopped_at = time.time()
    wait_for(lambda: lease_holder(stage.store) == b.owner(), 10 * LEASE, "the standby to take over")
    took_over = time.time()
    # Keep a stopped well past the lease, then let it run again in the middle of b's reign.
    sleep_until(stopped_at + LEASE * stage.rng.uniform(1.5, 2.5))
    log_mark = len(a.text())
    a.signal(signal.SIGCONT)
    resumed_at = time.time()
    wait_for(stage.finished, 30, "the event to finish")
    stage.judges.stop()
    problems = check_run(stage.store, stage.env, stage.event_id, stage.judges, cli_verify=cli_verify)
    fenced = "refused: the state or the lease moved on" in a.text()[log_mark:]
    stage.fenced = fenced
    ws = writers(stage.store, stage.event_id)
    by_a = [(v, at) for v, owner, at in ws if owner == a.owner()]
    by_b = [(v, at) for v, owner, at in ws if owner == b.owner() and at >= stopped_at]
    if not by_b:
        problems.append("the standby wrote nothing after the takeover")
    elif by_a and max(v for v, _ in by_a) > min(v for v, _ in by_b):
        problems.append(f"the stopped engine wrote after the takeover: stopped={by_a} standby={by_b}")
    # 50 ms: SIGSTOP lands a moment after kill() returns; a write stamped after that would be one
    # made after it was resumed, which the lease must have refused.
    late = [(v, at) for v, at in by_a if at >= stopped_at + 0.05]
    if late:
        problems.append(f"the stopped engine wrote after it was stopped: {late}")
    print(
        f"  stopped {stopped_at:.3f}, the standby took over after {took_over - stopped_at:.2f} s, "
        f"resumed after {resumed_at - stopped_at:.2f} s; writes stopped={len(by_a)} standby={len(by_b)}; "
        f"after SIGCONT it noticed: {'lost the lease' in a.text()[log_mark:]}, "
        f"tried a write that was refused: {fenced}"
    )
    a.cleanup()
    b.cleanup()
    return problems


def test_sigstop_of_the_lease_holder_then_sigcont(fault_env, reaper, base_seed):
    problems = []
    venue = Venue(fault_env, reaper)
    for run in range(RUNS):
        seed = base_seed + run
        stage = venue.stage("SIGSTOP", seed, performers=5)
        found = play(stage, reaper, cli_verify=run == 0)
        record("SIGSTOP", seed, 1, found, f"fenced write={stage.fenced} judges={stage.judges.counts()}")
        problems += [f"seed {seed}: {p}" for p in found]
    assert not problems, "\n".join(problems)
