"""kill -9 while the audience votes: a per-act vote, two web servers behind the shipped nginx site, an
engine and a standby; a crowd of phones (tests/support/voters.py, each its own cookie jar) votes in every
window over HTTPS, some revise, some rush in the last second before a close and some just after it. One
web server is killed mid-stream (SIGKILL) and restarted as its supervisor would, later the engine holding
the lease, right at one of its vote writes (a window opening, a close set, a close with its tally); then
the same again with the other web server and the new lease holder. A cut request is sent again with the
same request id until acknowledged or refused.

Afterwards, per window: every acknowledged vote counted once with the phone's last acknowledged value
(the tally's votes are the phones with an acknowledged vote, its stars the sum of their last values; a
request cut and never settled may count or not, the database says which and it must be that request),
every window opened for its performer and closed exactly once, its `vote_closed` tally what its counters
still say, no honest vote refused while its window was open; and the event's invariants, its log's hash
chains verified in-process and by `python -m engine verify-log` (check_run)."""

from __future__ import annotations

import json
import os
import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, replace
from pathlib import Path

import pytest

from engine.domain.model import Phase, VoteMode, VoteSettings
from engine.domain.votes import CloseWindow, SetClose, TallyWindow, VoteWindow
from engine.service.core import Service
from engine.store import Store, tx
from engine.store.votes import add_expression
from tests.faults.harness import (
    Stage,
    Venue,
    alive_leader,
    check_run,
    record,
    sleep_until,
    start_event,
    store_for,
    wait_for,
)
from tests.invariants import state_changes
from tests.support import nginx
from tests.support.events import seed_lobby
from tests.support.rounds import run_votes
from tests.support.voters import Cast, Crowd, Find, Habits, Kiosk

pytestmark = pytest.mark.faults

PHONES = 120
# 5 acts, each window open about PERFORM + SCORE + GRACE = 6.5 s, the next one opening 2 s before it
# closes: the event is 22.5 s by the clock, its last window closes 2 s after.
PERFORMERS, PERFORM, SCORE, GRACE = 5, 2.0, 2.5, 2.0
LEASE = 1.0  # STAGESCORE_LEASE_SECONDS of tests/faults/conftest.py
NGINX_FAIL = 10.5  # the site's fail_timeout (10 s): nginx has both servers back before the next kill
LATE = 5.0  # a window opened or closed this late after its moment: a stage nobody drove for a while
KINDS = ("vote_opened", "vote_closes", "vote_closed")


def voting_event(venue: Venue, seed: int) -> Stage:
    """An event in the lobby with a per-act audience vote (settings may change until it starts)."""
    stage = venue.stage("votes kill -9", seed, performers=PERFORMERS, perform=PERFORM, score=SCORE)
    svc = stage.judge_svc
    svc.update_settings(None, replace(svc.bundle().settings, votes=VoteSettings(VoteMode.PER_ACT, GRACE)))
    return stage


def voting_over(stage: Stage) -> bool:
    windows = stage.store.votes.windows(stage.event_id)
    return stage.finished() and len(windows) == PERFORMERS and all(w.closed for w in windows.values())


def next_vote_write(stage: Stage, after: float) -> float | None:
    """The next moment the engine writes to the vote after `after`: the end of a scoring window (the next
    act goes on: its window opens, the last act's gets its close) or a window's close (its tally)."""
    state = stage.state()
    moments = [w.closes_at for w in stage.store.votes.windows(stage.event_id).values() if w.closes_at]
    if state.phase is Phase.SCORING:
        moments.append(state.deadline)
    elif state.phase is Phase.PERFORMING:
        moments.append(state.deadline + SCORE)
    return min((m for m in moments if m > after), default=None)


def next_close(stage: Stage, after: float) -> float | None:
    """The nearest close after `after` of a window whose close is set, the last act's excepted: the next
    act's window is open through any other close, so the crowd votes on through a kill timed before it;
    after the last close nothing could be acknowledged (a CI run killed a server 0.3 s before it)."""
    last = stage.state().order[-1]
    windows = stage.store.votes.windows(stage.event_id)
    closes = (
        w.closes_at for key, w in windows.items() if key != last and w.closes_at and w.closes_at > after
    )
    return min(closes, default=None)


# ---- the checks ---------------------------------------------------------------------------------------
def closing_log(store: Store, event_id: str) -> tuple[dict[str, Counter], dict[str, dict], dict[str, float]]:
    """Per kind of vote entry, how many each window has; each window's logged tally and close time."""
    entries, _ = store.log.entries(event_id)
    counts: dict[str, Counter] = defaultdict(Counter)
    tallies, closed_at = {}, {}
    for e in entries:
        if e.kind in KINDS:
            d = e.payload()
            counts[e.kind][d["window"]] += 1
            if e.kind == "vote_closed":
                tallies[d["window"]], closed_at[d["window"]] = d["tally"], e.ts
    return counts, tallies, closed_at


def phone_votes(casts: Iterable[Cast]) -> dict[tuple[int, str], list[Cast]]:
    """Each phone's votes in each window, in the order it sent them (one at a time)."""
    out: dict[tuple[int, str], list[Cast]] = defaultdict(list)
    for c in sorted(casts, key=lambda c: c.t0):
        out[(c.phone, c.window)].append(c)
    return out


def counted(seq: list[Cast], ballot: dict | None) -> tuple[Cast | None, str | None]:
    """The vote of a phone's that must count in a window: its last acknowledged one, or one it sent after
    that whose tries were cut and never settled (the stored ballot says which). (vote, problem)."""
    acks = [c for c in seq if c.outcome == "ack"]
    later = seq[seq.index(acks[-1]) + 1 :] if acks else seq
    allowed = {c.request_id: c for c in ([acks[-1]] if acks else []) + [c for c in later if c.uncertain]}
    last = acks[-1].request_id if acks else None
    if ballot is None:
        return None, f"its acknowledged vote {last} is not stored" if acks else None
    vote = allowed.get(ballot["request_id"])
    if vote is None:
        return None, f"its stored vote is request {ballot['request_id']}, not its last acknowledged {last}"
    if int(ballot["value"]) != vote.value:
        return None, f"its vote {vote.request_id} is stored as {ballot['value']}, not {vote.value}"
    return vote, None


def late_acks(casts: list[Cast], w: VoteWindow, closed: float) -> list[str]:
    """The evidence of a tally that moved after its close: the votes acknowledged after the close was
    logged, in seconds from the window's close."""
    after = [c for c in casts if c.window == w.key and c.outcome == "ack" and c.t1 > closed]
    said = [
        f"phone {c.phone} sent {c.t0 - w.closes_at:+.3f}, acknowledged {c.t1 - w.closes_at:+.3f}"
        for c in after
    ]
    if not said:
        return []
    return [
        f"window {w.key} logged its close {closed - w.closes_at:+.3f} s after it; later: {'; '.join(said)}"
    ]


def vote_problems(
    store: Store, event_id: str, order: list[str], casts: list[Cast], devices: dict[int, str]
) -> tuple[list[str], dict[str, tuple[int, int]]]:
    """Every window opened for an act and closed once, its logged tally its counters', and every phone's
    votes counted as acknowledged (`devices`: phone -> its device digest). (problems, window -> the
    tally's votes and stars)."""
    problems: list[str] = []
    windows = store.votes.windows(event_id)
    if sorted(windows) != sorted(order):
        problems.append(f"vote windows opened for {sorted(windows)}, not for every act {sorted(order)}")
    if len({w.code for w in windows.values()}) != len(windows):
        problems.append(f"two windows had the same code: {[w.code for w in windows.values()]}")
    counts, logged, closed_at = closing_log(store, event_id)
    by_phone = phone_votes(casts)
    tallies = {}
    for key, w in sorted(windows.items()):
        if not w.closed:
            problems.append(f"window {key} never closed")
        for kind in KINDS:
            if counts[kind][key] != 1:
                problems.append(f"window {key} has {counts[kind][key]} {kind} log entries, not 1")
        t = store.votes.tally(event_id, key)
        tallies[key] = (t.votes, t.stars)
        final = {"votes": t.votes, "stars": t.stars, "by_performer": t.by_performer}
        if key in logged and logged[key] != final:
            was = dict(sorted(logged[key].items()))
            now = dict(sorted(final.items()))
            problems.append(f"window {key} closed with {was} in the log; its counters say {now}")
            problems += late_acks(casts, w, closed_at[key])
        ballots = {b["sk"].removeprefix("D#"): b for b in store.votes.ballots(event_id, key)}
        votes = stars = 0
        for phone, device in sorted(devices.items()):
            vote, problem = counted(by_phone.get((phone, key), []), ballots.pop(device, None))
            if problem:
                problems.append(f"phone {phone} in window {key}: {problem}")
            if vote is not None:
                votes, stars = votes + 1, stars + vote.value
        if ballots:
            problems.append(f"window {key} has {len(ballots)} votes from devices of no phone")
        if (t.votes, t.stars) != (votes, stars):
            problems.append(
                f"window {key}'s tally is {t.votes} votes, {t.stars} stars; the phones' acknowledged "
                f"votes make {votes}, {stars}"
            )
    return problems, tallies


def window_timing(store: Store, event_id: str) -> tuple[list[str], list[str]]:
    """Each act's window opened once it went on stage, its close set GRACE after it left, closed at or
    after that close; (problems, notes of lateness: a takeover)."""
    problems, notes = [], []
    on, left = {}, {}
    for ts, _kind, d in state_changes(store, event_id):
        pid = d.get("performer_id")
        for other in on:
            if other not in left and other != pid:
                left[other] = ts
        if d["phase"] == Phase.PERFORMING.value and pid not in on:
            on[pid] = ts
    _, _, closed_at = closing_log(store, event_id)
    for key, w in store.votes.windows(event_id).items():
        if key not in on or w.opened_at < on[key] - 0.01:
            problems.append(f"window {key} opened at {w.opened_at}, before its act went on stage")
        elif w.opened_at - on[key] > LATE:
            notes.append(f"window {key} opened {w.opened_at - on[key]:.2f} s after its act went on")
        if key in left and w.closes_at is not None and w.closes_at < left[key] + GRACE - 0.01:
            problems.append(f"window {key} closes at {w.closes_at}, before {GRACE} s after its act left")
        if key in closed_at and w.closes_at is not None and closed_at[key] < w.closes_at:
            problems.append(f"window {key} was closed at {closed_at[key]}, before its close {w.closes_at}")
    return problems, notes


def thin_windows(
    store: Store, event_id: str, kiosk: Kiosk, habits: Habits, tallies: dict[str, tuple[int, int]], t0: float
) -> list[str]:
    """The windows the crowd voted in too little for the checks to mean much: fewer votes than a third of
    the phones that had time to vote (Habits.share of how long the room's screen showed the window open
    before its close; a takeover at its opening, on a loaded machine, shortens that)."""
    thin = []
    for key, w in sorted(store.votes.windows(event_id).items()):
        closes = w.closes_at or time.time()
        span = closes - kiosk.shown.get(key, closes)
        could = PHONES * habits.share(span)
        votes = tallies.get(key, (0, 0))[0]
        if votes < could / 3:
            thin.append(
                f"window {key}: {votes} votes where {could:.0f} phones had time to vote (opened "
                f"{w.opened_at - t0:.1f} s into the show, shown {span:.1f} s before its close)"
            )
    return thin


def crowd_problems(store: Store, event_id: str, casts: list[Cast], finds: list[Find]) -> list[str]:
    """What a phone must never see: an error, no answer for good, a replay of a request sent once, a vote
    or a code refused while its window was open (well after it opened: a web server reads the open
    windows at most a second late; well before its close)."""
    windows = store.votes.windows(event_id)

    def inside(key: str, t0: float, t1: float) -> bool:
        w = windows.get(key)
        return bool(w and w.closes_at and t0 > w.opened_at + 1.5 and t1 < w.closes_at - 0.5)

    problems = [f"phone {c.phone}: {c.outcome} {c.message} after {c.tries} tries" for c in casts
                if c.outcome in ("error", "lost")]  # fmt: skip
    problems += [f"phone {c.phone}: a first try answered as a replay ({c.request_id})" for c in casts
                 if c.replayed and c.tries == 1]  # fmt: skip
    problems += [f"phone {c.phone}: a vote refused in the open window {c.window}: {c.message}" for c in casts
                 if c.outcome == "refused" and inside(c.window, c.t0, c.t1)]  # fmt: skip
    problems += [f"phone {f.phone}: the code of the open window {f.window} refused: {f.status} {f.message}"
                 for f in finds if f.status != 200 and inside(f.window, f.t0, f.t1)]  # fmt: skip
    return problems[:30]


def keep_evidence(directory: Path, store: Store, event_id: str, casts: list[Cast], finds: list[Find]) -> None:
    """The event's log, every phone's votes and code lookups as JSON lines beside the processes' logs."""
    entries, _ = store.log.entries(event_id)
    with open(directory / "log.jsonl", "w") as out:
        for e in sorted(entries, key=lambda e: e.ts):
            out.write(json.dumps({"ts": e.ts, "kind": e.kind, "actor": e.actor, **e.payload()}, default=str))
            out.write("\n")
    with open(directory / "casts.jsonl", "w") as out:
        for c in sorted(casts, key=lambda c: c.t0):
            out.write(json.dumps(asdict(c)) + "\n")
    with open(directory / "finds.jsonl", "w") as out:
        for f in sorted(finds, key=lambda f: f.t0):
            out.write(json.dumps(asdict(f)) + "\n")


# ---- the run -------------------------------------------------------------------------------------------
def test_kill9_of_a_web_server_and_the_engine_while_the_audience_votes(fault_env, reaper, base_seed):
    if problem := nginx.missing():
        pytest.fail(problem, pytrace=False)
    t_start = time.monotonic()
    rng = random.Random(base_seed)
    venue = Venue(fault_env, reaper, webs=2, front=True)
    stage = voting_event(venue, base_seed)
    store, event_id = stage.store, stage.event_id
    engines = [reaper.engine(stage.env), reaper.engine(stage.env)]
    kiosk = reaper.add(Kiosk(lambda: store.votes.windows(event_id))).start()
    crowd = reaper.add(Crowd(venue.front_url, PHONES, kiosk, base_seed))
    crowd.open_pages()
    wait_for(lambda: alive_leader(store, engines), 20, "an engine to hold the lease")
    crowd.start()
    start_event(stage.judge_svc)
    started = time.time()

    kills: list[tuple[str, float]] = []
    took, webs = [], rng.sample(range(2), 2)
    restarts: list[Future] = []
    supervisor = ThreadPoolExecutor(1)
    for fault in ("web", "engine", "web", "engine"):
        if voting_over(stage):
            break
        if fault == "web":
            for r in restarts:  # the first killed server is back before the other goes down
                r.result()
            last = max((t for f, t in kills if f == "web"), default=0.0)
            sleep_until(max(time.time() + rng.uniform(0.2, 1.5), last + NGINX_FAIL))
            if last:  # the second one in the rush before a close: more requests in flight then
                close = wait_for(
                    lambda: voting_over(stage) or next_close(stage, time.time() + 0.5), 15, "a close ahead"
                )
                if close is True:
                    break
                sleep_until(close - rng.uniform(0.05, 0.4))
            if voting_over(stage):
                break
            i = webs.pop(0)
            venue.kill_web(i)
            kills.append(("web", killed := time.time()))
            sleep_until(killed + rng.uniform(0.0, 0.8))  # downtime before its supervisor restarts it
            # its supervisor restarts it while the show goes on (a web server's start can take seconds on a
            # loaded machine: the engine's kill must not wait for it)
            restarts.append(supervisor.submit(venue.restart_web, i))
            continue
        leader = wait_for(
            lambda: voting_over(stage) or alive_leader(store, engines), 30, "an engine to hold the lease"
        )
        moment = (
            None
            if leader is True
            else wait_for(
                lambda: voting_over(stage) or next_vote_write(stage, time.time() + 0.3), 15, "a write ahead"
            )
        )
        if moment is None or moment is True:
            break
        sleep_until(moment + rng.uniform(-0.05, 0.05))
        leader.kill()
        kills.append(("engine", killed := time.time()))
        engines.append(reaper.engine(stage.env))  # the killed one back, as the new standby
        wait_for(lambda: alive_leader(store, engines), 15, "the standby to take the lease")
        took.append(time.time() - killed)
    for r in restarts:
        r.result()
    supervisor.shutdown()
    wait_for(lambda: voting_over(stage), 60, "the event to finish and every vote window to close")
    ran = time.time() - started
    crowd.stop()
    kiosk.stop()

    casts = crowd.casts
    devices = {p.n: stage.judge_svc.votes.device(p.voter).digest for p in crowd.phones}
    order = list(stage.state().order)
    problems = check_run(store, stage.env, event_id, None)  # the log's chains, in-process and by the CLI
    found, tallies = vote_problems(store, event_id, order, casts, devices)
    timing, notes = window_timing(store, event_id)
    problems += found + timing + crowd_problems(store, event_id, casts, crowd.finds)
    for what, at in kills:  # the crowd voted on through each kill
        if not any(c.outcome == "ack" and at < c.t1 < at + 4.0 for c in casts):
            problems.append(
                f"no vote was acknowledged within 4 s after the {what} kill at {at - started:.1f} s"
            )
    keep_evidence(reaper.log_dir, store, event_id, casts, crowd.finds)
    outcomes = Counter(c.outcome for c in casts)
    retried = sum(c.tries > 1 for c in casts)
    replayed = sum(c.replayed for c in casts)
    uncertain = sum(c.uncertain for c in casts)
    record(
        "votes kill -9",
        base_seed,
        len(kills),
        problems,
        f"{dict(outcomes)} retried={retried} replayed={replayed} uncertain={uncertain} "
        f"finds={dict(Counter(f.status for f in crowd.finds))} tallies={tallies}",
        notes,
    )
    print(
        f"votes kill -9: kills {[(f, round(t - started, 1)) for f, t in kills]}, takeovers "
        f"{[round(t, 2) for t in took]} s, event {ran:.1f} s, whole test {time.monotonic() - t_start:.1f} s; "
        f"logs in {reaper.log_dir}"
    )
    assert {f for f, _ in kills} == {"web", "engine"}, f"a web server and an engine were killed: {kills}"
    thin = thin_windows(store, event_id, kiosk, crowd.habits, tallies, started)
    assert not thin, "the crowd hardly voted in a window: " + "; ".join(thin)
    assert sum(c.outcome == "ack" and c.replayed is False for c in casts) > len(tallies) * PHONES // 2
    assert not problems, "\n".join(problems)


def test_the_vote_checks_catch_a_lost_vote_a_stale_one_and_a_double_count(dynamodb_endpoint):
    """On real tables, no processes: the checks above find what they claim to."""
    store = store_for({**os.environ, "STAGESCORE_TABLE_PREFIX": f"c{uuid.uuid4().hex[:8]}_"})
    store.create_tables()
    svc = Service(store)
    seed_lobby(svc, performers=2, perform=30, score=30)
    settings = svc.bundle().settings
    svc.update_settings(None, replace(settings, votes=VoteSettings(VoteMode.PER_ACT, 5)))
    start_event(svc)
    (window,) = run_votes(svc, type("Now", (), {"now": time.time()})).values()
    eid, key = svc.event_id(), window.key
    tokens = [svc.votes.new_device() for _ in range(3)]
    devices = {n: svc.votes.device(t).digest for n, t in enumerate(tokens)}

    def cast(phone: int, value: int, outcome: str = "ack", cut: bool = False) -> Cast:
        c = Cast(phone, key, window.code, value, uuid.uuid4().hex, time.time(), outcome=outcome, cut=cut)
        if outcome == "ack":
            svc.votes.cast(tokens[phone], "10.0.0.1", window.code, value, c.request_id)
        c.t1 = time.time()
        return c

    casts = [cast(0, 4), cast(1, 2), cast(1, 5)]
    now = time.time()
    for change in (SetClose(key, now), CloseWindow(key, now), TallyWindow(key, now)):
        store.votes.apply(eid, "main", change, "test", now)
    assert vote_problems(store, eid, [key], casts, devices) == ([], {key: (2, 9)})
    # two votes are too few where the screen showed the window open for 10 s, enough for 1.2 s of it
    kiosk, closes = Kiosk(lambda: {}), store.votes.windows(eid)[key].closes_at
    kiosk.shown[key] = closes - 10
    (thin,) = thin_windows(store, eid, kiosk, Habits(), {key: (2, 9)}, closes - 20)
    assert thin.startswith(f"window {key}: 2 votes where 96 phones had time to vote (opened ")
    kiosk.shown[key] = closes - 1.2
    assert thin_windows(store, eid, kiosk, Habits(), {key: (2, 9)}, closes - 20) == []
    # phone 1's last acknowledged vote was 5; a stored 2 (an ack lost, the old vote kept) is caught
    stale = [*casts[:2], replace(casts[2], request_id="r-never-stored")]
    assert "its stored vote is request" in vote_problems(store, eid, [key], stale, devices)[0][0]
    # a request cut and never settled may count: the database says it did, so it must be that one
    unsettled = [*casts[:2], replace(casts[2], outcome="refused", cut=True)]
    assert vote_problems(store, eid, [key], unsettled, devices)[0] == []
    # phone 2 was told its vote counted, and none is stored
    lost = [*casts, replace(casts[0], phone=2, request_id="r2")]
    assert vote_problems(store, eid, [key], lost, devices)[0] == [
        f"phone 2 in window {key}: its acknowledged vote r2 is not stored"
    ]
    # a vote counted twice: one more on a counter shard than the ballots say, after the close
    expression, values, names = add_expression({"stars": 5}, 1)
    shard = {"pk": f"{eid}#{key}", "sk": "S#0"}
    tx.Transaction(
        store.client, [tx.update("s", store.votes.table, shard, expression, values=values, names=names)]
    ).commit()
    assert vote_problems(store, eid, [key], casts, devices)[0] == [
        f"window {key} closed with {{'by_performer': {{}}, 'stars': 9, 'votes': 2}} in the log; its counters "
        "say {'by_performer': {}, 'stars': 14, 'votes': 3}",
        f"window {key}'s tally is 3 votes, 14 stars; the phones' acknowledged votes make 2, 9",
    ]
