"""A slow or a dropping link between everyone and DynamoDB Local: a TCP proxy that delays every
chunk, or cuts connections at random (a RST, mid-request or mid-response), from a random moment on."""

from __future__ import annotations

import time

import pytest

from tests.faults.harness import (
    alive_leader,
    check_run,
    new_stage,
    record,
    sleep_until,
    start_event,
    wait_for,
)
from tests.support.proxy import FlakyProxy

pytestmark = pytest.mark.faults

# name, delay per chunk and direction (s), probability of cutting at a chunk, perform, score,
# the refusal check's allowance for committing a window's opening, performers
LINKS = [
    ("slow link", (0.025, 0.15), 0.0, 0.5, 1.5, 1.5, 4),
    ("dropping link", (0.0, 0.01), 0.04, 0.3, 0.7, 0.5, 5),
]


@pytest.mark.parametrize("name,delay,drop,perform,score,slack,performers", LINKS, ids=[x[0] for x in LINKS])
def test_everyone_behind_a_bad_link(
    fault_env, reaper, base_seed, dynamodb_endpoint, name, delay, drop, perform, score, slack, performers
):
    port = int(dynamodb_endpoint.rsplit(":", 1)[1])
    proxy = reaper.add(FlakyProxy(port, base_seed))
    stage = new_stage(
        name,
        base_seed,
        fault_env,
        reaper,
        performers=performers,
        perform=perform,
        score=score,
        endpoint=proxy.endpoint,
    )
    engines = [reaper.engine(stage.env), reaper.engine(stage.env)]
    wait_for(lambda: alive_leader(stage.store, engines), 20, "an engine to hold the lease")
    stage.start_judges()
    started = start_event(stage.judge_svc)
    # The link turns bad at a random moment, and stays bad for most of the event.
    sleep_until(started.window_started_at + stage.rng.uniform(0.0, perform + score))
    chunks_before = proxy.chunks
    proxy.delay, proxy.drop = delay, drop
    bad_from = time.time()
    wait_for(stage.finished, 90, "the event to finish over the bad link")
    proxy.delay, proxy.drop = (0.0, 0.0), 0.0
    stage.judges.stop()
    found = check_run(stage.store, stage.direct_env, stage.event_id, stage.judges, open_slack=slack)
    dead = [e.name for e in engines if not e.alive()]
    if dead:
        found.append(f"engines exited: {dead}")
    faults = proxy.cuts if drop else proxy.chunks - chunks_before
    record(
        name,
        base_seed,
        faults,
        found,
        f"bad for {time.time() - bad_from:.1f} s, connections={proxy.connections} cuts={proxy.cuts} "
        f"delayed chunks={proxy.chunks - chunks_before if delay[1] else 0} judges={stage.judges.counts()}",
    )
    assert not found, "\n".join(found)
