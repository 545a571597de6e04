"""DynamoDB Local killed (kill -9) and restarted mid-event on the same data folder.

The engine must keep retrying and resume; acknowledged scores must survive the crash.

Known upstream problem (DynamoDB Local 3.3.1, reproduced with bare boto3 TransactWriteItems from
4 threads, no Stagescore code): when the JVM is killed while transactions are in flight, the most
recently acknowledged transaction can be gone after the restart (1 lost in 3 of 5 trials, acknowledged
16-272 ms before the kill); plain PutItems are not affected, nor is a SIGTERM stop. So one lost
acknowledgement per crash, acknowledged within LOSS_WINDOW before the kill, is reported as a note
rather than a failure; any other loss fails."""

from __future__ import annotations

import time

import pytest

from tests.faults.harness import Venue, check_run, lost_acks, record, sleep_until, start_event, wait_for

pytestmark = pytest.mark.faults

RUNS = 2
LOSS_WINDOW = 1.0


def test_dynamodb_local_killed_and_restarted(fault_env, reaper, base_seed, tmp_path):
    problems = []
    db = reaper.dynamodb(tmp_path / "data")
    venue = Venue(fault_env, reaper, db_endpoint=db.endpoint)  # its web server too
    for run in range(RUNS):
        seed = base_seed + run
        # Scoring windows of 2.5 s: with the default 0.7 s, a loaded CI machine's judges (their screens a
        # few hundred ms behind, the engine up to 0.5 s late) had every score refused as late, and the run
        # waited in vain for a first acknowledged score to lose; with 1.5 s it still happened once, in a
        # full `make test` on a slower machine (three workers on two cores).
        stage = venue.stage("DynamoDB crash", seed, performers=5, score=2.5)
        judges = stage.start_judges()
        engine = reaper.engine(stage.env)
        engine.owner()
        started = start_event(stage.judge_svc)
        # A random moment, once some score has been acknowledged (so there is something to lose).
        sleep_until(started.window_started_at + stage.rng.uniform(0.3, 2.5))
        said = judges.counts  # what the judges' tries came to, in the message of a wait in vain
        wait_for(judges.acknowledged, 20, lambda said=said: f"a first acknowledged score ({said()})")
        sleep_until(time.time() + stage.rng.uniform(0.0, 0.7))
        acked_before = len(judges.acknowledged())
        db.kill()
        killed_at = time.time()
        sleep_until(killed_at + stage.rng.uniform(0.2, 1.5))
        db.start()
        back_at = time.time()
        wait_for(stage.finished, 60, "the event to finish after the database came back")
        judges.stop()
        lost = lost_acks(stage.store, stage.event_id, judges)
        known = [a for a in lost if killed_at - LOSS_WINDOW <= a.t1 <= killed_at]
        excused = frozenset(a.request_id for a in known) if len(known) == len(lost) <= 1 else frozenset()
        notes = [
            f"DynamoDB Local lost the score {a.judge} gave {a.performer_id} (revision {a.revision}), "
            f"acknowledged {killed_at - a.t1:.3f} s before the kill (known upstream problem)"
            for a in known
            if a.request_id in excused
        ]
        found = check_run(
            stage.store, stage.env, stage.event_id, judges, cli_verify=run == 0, excused=excused
        )
        if not engine.alive():
            found.append("the engine died with the database")
        log = engine.text()
        noticed = "database unreachable" in log or "database call failed" in log
        record(
            "DynamoDB crash",
            seed,
            1,
            found,
            f"down {back_at - killed_at:.1f} s (JVM start {db.timings[1]:.1f} s), acks before the crash="
            f"{acked_before}, engine logged the outage={noticed}, judges={judges.counts()}",
            notes,
        )
        problems += [f"seed {seed}: {p}" for p in found]
        engine.cleanup()
    assert not problems, "\n".join(problems)
