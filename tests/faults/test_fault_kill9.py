"""kill -9 of the engine holding the lease, at random moments, many times per event.

Half the runs keep a standby engine (which must take over), half run a single engine that is
restarted after a random downtime (which must catch up on the overdue transitions). Events are
long enough (10 performers, 10 s) for several kills each, so starting a run costs little per kill."""

from __future__ import annotations

import time

import pytest

from tests.faults.harness import Venue, alive_leader, check_run, record, sleep_until, start_event
from tests.support.waiting import wait_for

pytestmark = pytest.mark.faults

KILLS = 30
MAX_RUNS = 12


def kill_moment(stage) -> float:
    """Half the time right around the next deadline (the engine is mid-write then), else any time soon."""
    now = time.time()
    state = stage.state()
    if stage.rng.random() < 0.5 and state.deadline and now < state.deadline < now + 0.6:
        return state.deadline + stage.rng.uniform(-0.03, 0.03)
    return now + stage.rng.uniform(0.0, 0.4)


def play(stage, reaper, standby: bool, cli_verify: bool, budget: int) -> tuple[int, list[str]]:
    engines = [reaper.engine(stage.env)]
    if standby:
        engines.append(reaper.engine(stage.env))
    wait_for(lambda: alive_leader(stage.store, engines), 20, "a first engine to hold the lease")
    stage.start_judges()
    start_event(stage.judge_svc)
    kills = 0
    while kills < budget and not stage.finished():
        leader = wait_for(
            lambda: stage.finished() or alive_leader(stage.store, engines), 30, "an engine to hold the lease"
        )
        if leader is True:
            break
        sleep_until(kill_moment(stage))
        if stage.finished():
            break
        leader.kill()
        kills += 1
        if not standby:
            sleep_until(time.time() + stage.rng.uniform(0.0, 0.6))  # downtime before the restart
        engines.append(reaper.engine(stage.env))
    wait_for(stage.finished, 60, "the event to finish")
    stage.judges.stop()
    problems = check_run(stage.store, stage.env, stage.event_id, stage.judges, cli_verify=cli_verify)
    for e in engines:
        e.cleanup()
    return kills, problems


def test_kill9_of_the_lease_holder_at_random_moments(fault_env, reaper, base_seed):
    total, problems, run = 0, [], 0
    venue = Venue(fault_env, reaper)  # one web server, a new event per run
    while total < KILLS and run < MAX_RUNS:
        seed = base_seed + run
        standby = run % 2 == 0
        stage = venue.stage("kill -9", seed, performers=10)
        kills, found = play(stage, reaper, standby, cli_verify=run == 0, budget=KILLS - total)
        total += kills
        counts = stage.judges.counts()
        record("kill -9", seed, kills, found, f"{'standby' if standby else 'restart'} judges={counts}")
        problems += [f"seed {seed}: {p}" for p in found]
        run += 1
    print(f"kill -9: {total} kills in {run} runs")
    assert total >= KILLS
    assert not problems, "\n".join(problems)
