"""Issue 27's last gaps through the Service on DynamoDB Local: the admin's Performance done times a
performance on the engine's clock (a pause left out) and its time penalty enters through the one deduction
function, once however often it runs; a deduction entered by mistake is withdrawn (its entry stays in the
log, the withdrawal logged after it) until sign-off; the desk's report says which judge is missing which
criterion for which performer, and who stepped aside."""

from __future__ import annotations

import json
import time
from decimal import Decimal as D

import pytest

from engine.domain.catalogue import TimeRule
from engine.domain.model import (
    Account,
    Command,
    CommandKind,
    CommandRefused,
    Criterion,
    DeductionKind,
    InvalidInput,
    NotAllowed,
    Phase,
    Role,
    Rule,
    ScoreRefused,
    Settings,
)
from engine.domain.release import Release
from engine.domain.roster import build_roster
from engine.service.competition import Competition
from engine.views import exports, missing, results
from tests.support.commands import shell
from tests.support.events import _HASH, PASSWORD
from tests.support.rounds import ADMIN, close_window

HEAD, J2, J3 = "head@test.local", "j2@test.local", "j3@test.local"
# Three minutes; over it 0.5, plus 0.1 per full 5 s beyond, at most 2. Long windows: Done ends them.
TIMED = Settings(
    perform_seconds=600,
    score_seconds=60,
    required_judges=1,
    rule=Rule.MEAN,
    criteria=(
        Criterion("Technique", D(0), D(10), D("0.1"), judges=(HEAD, J2)),
        Criterion("Style", D(0), D(10), D("0.1"), judges=(J3,)),
    ),
    head_judge=HEAD,
    deductions=(DeductionKind("Fall", D("0.5")),),
    time_rule=TimeRule(180, D("0.5"), D("0.1"), 5, D(2)),
)


@pytest.fixture
def event(svc, clock):
    """Ada, Bo and Cy in the lobby; the head judge and two judges on two sub-panels; tokens by email."""
    for email in (HEAD, J2, J3):
        svc.store.accounts.put(Account(email, email.split("@")[0].upper(), Role.JUDGE), _HASH)
    svc.store.accounts.put(Account(ADMIN, "Admin", Role.ADMIN), _HASH)
    roster = build_roster([{"name": n, "order": i} for i, n in enumerate(("Ada", "Bo", "Cy"), 1)])
    svc.create_event(TIMED, roster, open_lobby=True)
    return {e: svc.logins.login(e, PASSWORD).token for e in (HEAD, J2, J3, ADMIN)}


def command(svc, token, kind: CommandKind, **kw):
    return svc.command(token, Command(kind, window_id=svc.bundle().state.window_id, **kw))


def score_all(svc, tokens, pid, technique=("8", "7"), style="6") -> None:
    svc.submit_score(tokens[HEAD], pid, {"Technique": technique[0]})
    svc.submit_score(tokens[J2], pid, {"Technique": technique[1]})
    svc.submit_score(tokens[J3], pid, {"Style": style})


def logged(svc, kind: str) -> list[dict]:
    return [json.loads(e.data) for e in svc.log.entries() if e.kind == kind]


def test_done_times_a_performance_and_its_penalty_enters_once(svc, clock, event):
    tokens, admin = event, event[ADMIN]
    state = svc.command(admin, Command(CommandKind.START, force=True))
    ada = state.performer_id
    clock.now += 100
    command(svc, admin, CommandKind.PAUSE)
    clock.now += 20  # the music failed: 20 s held, not timed
    command(svc, admin, CommandKind.RESUME)
    clock.now += 92.4
    done = command(svc, admin, CommandKind.DONE)
    assert done.phase is Phase.SCORING and done.performer_id == ada and done.deadline == clock.now + 60

    performer = next(
        p for p in svc.store.performers.list(svc.event_id(), consistent=True) if p.performer_id == ada
    )
    assert performer.performed_seconds == pytest.approx(192.4)
    (entry,) = svc.bundle().deductions
    assert (entry.entry_id, entry.kind, entry.points) == (f"time-{ada}", "", D("0.7"))
    assert entry.reason == "Over time by 12 s: 3:12, limit 3:00" and entry.by == ADMIN
    assert logged(svc, "performance_done")[0]["performed_seconds"] == pytest.approx(192.4)
    # Run again (the form's Time penalty, the shell, a retried Done): never a second entry.
    assert svc.panels.deduct(tokens[HEAD], ada, timed=True) is None
    with pytest.raises(CommandRefused, match="The clock moved on"):
        svc.command(admin, Command(CommandKind.DONE, window_id=state.window_id))
    with pytest.raises(CommandRefused, match="^Done ends a performance; scoring is already open.$"):
        svc.command(admin, Command(CommandKind.DONE))
    assert len(svc.bundle().deductions) == 1 and len(logged(svc, "deduction_entered")) == 1
    score_all(svc, tokens, ada)
    close_window(svc, clock)

    bo = svc.bundle().state.performer_id
    clock.now += 179.9  # 2:59.9: within the limit, timed but not penalised
    command(svc, admin, CommandKind.DONE)
    assert [d.performer_id for d in svc.bundle().deductions] == [ada]
    score_all(svc, tokens, bo)
    close_window(svc, clock)
    clock.now = svc.bundle().state.deadline  # Cy's window runs out: not timed, nothing entered
    close_window(svc, clock)
    close_window(svc, clock)

    snap = svc.snapshot()
    assert snap.state.phase is Phase.FINISHED
    with pytest.raises(InvalidInput, match="^Cy's performance was not timed"):
        svc.panels.deduct(tokens[HEAD], snap.performers[2].performer_id, timed=True)
    # Technique (8 + 7) / 2 = 7.5 and Style 6: 6.75 each; Ada less 0.7.
    totals = {r.performer_id: r.total for r in snap.results if r.total is not None}
    assert totals == {ada: D("6.05"), bo: D("6.75")}
    doc = json.loads(exports.to_json(snap))
    assert {r["performer"]: r["deducted"] for r in doc["results"]}["Ada"] == "0.7"
    assert [d["reason"] for d in doc["deductions"]] == ["Over time by 12 s: 3:12, limit 3:00"]
    assert results.sheet(snap, Release(snap.event_id), ada).deductions == (
        "Penalty (Over time by 12 s: 3:12, limit 3:00): −0.7",
    )
    assert svc.log.verify() == []


def test_a_deduction_entered_by_mistake_is_withdrawn_until_sign_off(svc, clock, event):
    tokens, admin = event, event[ADMIN]
    ada = svc.command(admin, Command(CommandKind.START, force=True)).performer_id
    clock.now += 200
    command(svc, admin, CommandKind.DONE)  # over by 20 s: 0.5 + 4 × 0.1 = 0.9
    fall = svc.panels.deduct(tokens[HEAD], kind="Fall")
    assert sorted(d.points for d in svc.bundle().deductions) == [D("0.5"), D("0.9")]

    with pytest.raises(NotAllowed, match="Only the head judge or an admin"):
        svc.panels.withdraw(tokens[J2], fall.entry_id)
    assert svc.panels.withdraw(tokens[HEAD], fall.entry_id) == fall
    time_penalty = svc.bundle().deductions
    assert [d.entry_id for d in time_penalty] == [f"time-{ada}"]
    with pytest.raises(InvalidInput, match="may be withdrawn already"):
        svc.panels.withdraw(tokens[HEAD], fall.entry_id)
    # The database says so too, for two desks withdrawing the same entry at once.
    with pytest.raises(InvalidInput, match="^That deduction is withdrawn already.$"):
        svc.store.deductions.withdraw(svc.event_id(), fall, ADMIN, clock.now, f"admin:{ADMIN}")
    # A withdrawn time penalty stays withdrawn: running it again adds nothing.
    svc.panels.withdraw(admin, time_penalty[0].entry_id)
    assert svc.panels.deduct(admin, ada, timed=True) is None and svc.bundle().deductions == []

    entered = [(e.kind, json.loads(e.data)) for e in svc.log.entries() if e.kind.startswith("deduction_")]
    # Each in its enterer's chain (the admin's Done, the head judge's fall): every entry stays.
    assert sorted((k, d.get("entry_id") or "", d["points"]) for k, d in entered) == [
        ("deduction_entered", "", "0.5"),
        ("deduction_entered", "", "0.9"),
        ("deduction_withdrawn", fall.entry_id, "0.5"),
        ("deduction_withdrawn", f"time-{ada}", "0.9"),
    ]
    assert svc.log.verify() == []

    again = svc.panels.deduct(admin, ada, kind="Fall")
    while svc.bundle().state.phase is not Phase.FINISHED:
        close_window(svc, clock)
    svc.results.sign_off(admin)
    with pytest.raises(
        ScoreRefused, match=r"^The results are official, so a deduction can no longer be withdrawn\.$"
    ):
        svc.panels.withdraw(tokens[HEAD], again.entry_id)
    assert [d.entry_id for d in svc.bundle().deductions] == [again.entry_id]


def test_the_desk_says_who_is_missing_which_criterion_for_which_performer(svc, clock, event):
    tokens, admin = event, event[ADMIN]
    ada = svc.command(admin, Command(CommandKind.START, force=True)).performer_id
    command(svc, admin, CommandKind.DONE)
    svc.submit_score(tokens[HEAD], ada, {"Technique": "8"})
    close_window(svc, clock)  # J2's Technique and J3's Style never came
    bo = svc.bundle().state.performer_id
    Competition(svc).step_aside(tokens[J2], bo)  # before Bo's scoring window: not missing
    command(svc, admin, CommandKind.DONE)
    svc.submit_score(tokens[J3], bo, {"Style": "7"})

    snap = svc.snapshot()
    names = {j.email: j.name for j in snap.judges}
    assert missing.report(snap, names) == {
        "lines": [
            {"performer": "Bo", "criterion": "Technique", "missing": ["HEAD"], "stepped_aside": ["J2"]},
            {"performer": "Ada", "criterion": "Technique", "missing": ["J2"], "stepped_aside": []},
            {"performer": "Ada", "criterion": "Style", "missing": ["J3"], "stepped_aside": []},
        ],
        "count": 3,
    }


def test_the_time_limit_done_and_a_withdrawal_from_the_shell(svc, clock, event):
    """`panel timing`, `control done`, `panel show` (the entries and their ids), `panel deduct --time`,
    `panel withdraw`; a refusal in one sentence."""
    for args in (("panel", "timing", "1", "--points", "1"), ("control", "start", "--force")):
        done = shell(*args)
        assert done.returncode == 0, done.stderr
    assert svc.bundle().settings.time_rule == TimeRule(1, D(1))
    ada = svc.bundle().state.performer_id
    started = svc.bundle().state.window_started_at
    time.sleep(max(0.0, started + 2.2 - time.time()))  # the shell's clock is the wall's: 2 s, over 0:01
    done = shell("control", "done")
    assert done.returncode == 0 and done.stdout.strip().endswith("is now SCORING"), done.stderr
    (entry,) = svc.bundle().deductions
    assert entry.entry_id == f"time-{ada}" and entry.points == D(1)
    shown = shell("panel", "show").stdout.splitlines()
    assert "time penalty: limit 0:01: over it 1" in shown
    assert f"entry time-{ada}: Ada — Penalty ({entry.reason}): −1 (operator)" in shown
    again = shell("panel", "deduct", "--time", "--performer", "Ada")
    assert again.stdout.strip() == "No time penalty entered: within the limit, or entered already."
    out = shell("panel", "withdraw", f"time-{ada}")
    assert out.returncode == 0 and out.stdout.strip() == f"Withdrawn: 1 from Ada ({entry.reason})."
    refused = shell("panel", "withdraw", f"time-{ada}")
    assert refused.returncode == 2
    assert (
        refused.stderr.strip()
        == f"There is no deduction time-{ada} to withdraw; it may be withdrawn already."
    )
