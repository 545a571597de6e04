"""Two (or three) engines started at the same moment: one wins the lease, the event runs once."""

from __future__ import annotations

import pytest

from tests.faults.harness import Venue, check_run, record, start_event, wait_for, writers

pytestmark = pytest.mark.faults

RUNS = 3


def test_engines_started_at_once(fault_env, reaper, base_seed):
    problems = []
    venue = Venue(fault_env, reaper)
    for run in range(RUNS):
        seed = base_seed + run
        stage = venue.stage("two engines", seed, performers=4)
        stage.start_judges()
        n = 3 if run == RUNS - 1 else 2
        # The event starts first, so whichever engine comes up first has work at once.
        if stage.rng.random() < 0.5:
            start_event(stage.judge_svc)
        engines = [reaper.engine(stage.env) for _ in range(n)]
        if stage.state().phase.value == "LOBBY":
            start_event(stage.judge_svc)
        wait_for(stage.finished, 30, "the event to finish")
        stage.judges.stop()
        found = check_run(stage.store, stage.env, stage.event_id, stage.judges, cli_verify=run == 0)
        owners = [o for _, o, _ in writers(stage.store, stage.event_id) if o]
        switches = sum(1 for x, y in zip(owners, owners[1:], strict=False) if x != y)
        if any(not e.alive() for e in engines):
            found.append("an engine exited on its own")
        record(
            "two engines",
            seed,
            n,
            found,
            f"engines={n} writers={len(set(owners))} lease switches={switches} "
            f"judges={stage.judges.counts()}",
        )
        problems += [f"seed {seed}: {p}" for p in found]
        for e in engines:
            e.cleanup()
    assert not problems, "\n".join(problems)
