"""kill -9 of a web server mid-window, two of them behind the shipped nginx site (tests/support/nginx.py).

The judges score through nginx; a request cut by the kill (502, 503 or no answer) is sent again with
the same request id, as the judge screen does, and reaches the other server or the restarted one. The
killed server is restarted on its port after a random downtime, as its supervisor would, and the next
kill may hit either. An engine and a standby run the event; every invariant must hold."""

from __future__ import annotations

import time

import pytest

from engine.domain.model import Phase
from tests.faults.harness import Venue, alive_leader, check_run, record, sleep_until, start_event, wait_for
from tests.support import nginx

pytestmark = pytest.mark.faults

RUNS = 1


def window_or_end(stage):
    """The state while a scoring window has at least 0.4 s left; True once the event finished."""
    state = stage.state()
    if state.phase is Phase.FINISHED:
        return True
    return state if state.phase is Phase.SCORING and state.deadline - time.time() >= 0.4 else None


def test_kill9_of_a_web_server_mid_window_behind_nginx(fault_env, reaper, base_seed):
    if problem := nginx.missing():
        pytest.fail(problem, pytrace=False)
    problems, total = [], 0
    venue = Venue(fault_env, reaper, webs=2, front=True)
    for run in range(RUNS):
        seed = base_seed + run
        stage = venue.stage("web kill -9", seed, performers=8, perform=0.3, score=1.7)
        engines = [reaper.engine(stage.env), reaper.engine(stage.env)]
        wait_for(lambda: alive_leader(stage.store, engines), 20, "an engine to hold the lease")  # noqa: B023
        judges = stage.start_judges()
        start_event(stage.judge_svc)
        kills, downtime = 0, []
        while (state := wait_for(lambda: window_or_end(stage), 30, "a scoring window")) is not True:  # noqa: B023
            # Mid-window: a random moment of a scoring window with time left in it.
            sleep_until(time.time() + stage.rng.uniform(0.0, state.deadline - time.time() - 0.3))
            i = stage.rng.randrange(2)
            venue.kill_web(i)
            killed = time.time()
            kills += 1
            sleep_until(killed + stage.rng.uniform(0.0, 0.5))
            venue.restart_web(i)
            downtime.append(time.time() - killed)
        wait_for(stage.finished, 60, "the event to finish")
        judges.stop()
        found = check_run(stage.store, stage.env, stage.event_id, judges, cli_verify=run == 0)
        if not judges.acknowledged():
            found.append("no score was acknowledged: the judges never reached a server")
        total += kills
        record(
            "web kill -9",
            seed,
            kills,
            found,
            f"down {', '.join(f'{d:.1f}' for d in downtime)} s, stream reconnects={judges.reconnects} "
            f"judges={judges.counts()}",
        )
        problems += [f"seed {seed}: {p}" for p in found]
        for e in engines:
            e.cleanup()
    assert total >= RUNS, "a web server was killed in every run"
    assert not problems, "\n".join(problems)
