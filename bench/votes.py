"""The audience vote under a crowd (issue 24, item 7): 2,000 phones vote within 20 s of an act's voting
window opening, on one web process, while 9 judges score and 500 viewers watch the board.

One engine, one web process, an in-memory DynamoDB Local. The event votes per act (VoteMode.PER_ACT: a
performer's window opens when they go on stage and closes --grace s after their scoring window closed).
1. doors: --viewers board viewers arrive within --viewers-within s (bench/drivers/crowd.py: each the
   crowd's board, a plain page, and its /live/public stream, followed); 9 judges'
   screens at protocol level (bench/drivers/live.py's ScoringJudge: /live/judge and POST /live/score);
2. the show starts; --baseline-acts acts go by with no phone voting: the judges' figures and the web
   process's DynamoDB requests without the vote;
3. the next act's window opens (its code read as the kiosk shows it): --phones phones
   (bench/drivers/voters.py, fresh devices in worker processes) load /vote, find the window and vote at
   random moments within --within s; 10 % vote again (a revision), 1 % only after the close (refused);
   real Chromium pages beside them (bench/votes_browser.py): one cold load over the venue link
   (150 ms, 1.6 / 0.75 Mbit/s), --chromium pages that vote and revise;
4. the engine closes the window and writes its tally to the log: it is checked against what the phones
   were told (bench/votes_figures.py), with the DynamoDB requests per vote (the web process's /metrics,
   less the rate before the window), the judges and the board meanwhile, and the cost of the votes
   (capacity units of a vote and a revision measured in this process, at on-demand prices).

    .venv/bin/python -m bench.votes [--phones 2000] [--within 20] [--viewers 500] [--judges 9]
        [--chromium 2] [--no-chromium]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pickle
import re
import time
import urllib.request
import uuid
from collections import Counter

import psutil

from bench import events, report, votes_browser, votes_figures
from bench.drivers import voters
from bench.drivers.crowd import Crowd
from bench.drivers.live import ScoringJudge
from bench.drivers.pool import client_cpu
from bench.festival_live import _in_thread, cookie_name
from bench.stack import BenchStack
from bench.tally import Tally, per
from engine.domain.model import VoteMode, VoteSettings
from engine.service.core import Service

ONE_ADDRESS = {"STAGESCORE_MAX_CONNECTIONS_PER_ADDRESS": "20000"}  # every client comes from 127.0.0.1
RAW = report.LOGS / "votes-raw.pickle"  # the latest run's observations
_DB_COUNT = re.compile(r'^stagescore_db_request_seconds_count\{operation="(\w+)"\} ([\d.e+]+)$', re.M)
_DB_SUM = re.compile(r'^stagescore_db_request_seconds_sum\{operation="(\w+)"\} ([\d.e+-]+)$', re.M)


def db_requests(url: str) -> tuple[float, Counter, Counter]:
    """(now, the web process's DynamoDB requests so far by operation, the seconds they took) from its
    /metrics."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        text = r.read().decode()
    counts = Counter({op: float(n) for op, n in _DB_COUNT.findall(text)})
    return time.time(), counts, Counter({op: float(n) for op, n in _DB_SUM.findall(text)})


async def _until(fn, timeout: float, what: str, every: float = 0.05):
    """fn() (in a thread) until it returns something truthy."""
    deadline = time.time() + timeout
    while not (found := await _in_thread(fn)):
        if time.time() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(every)
    return found


async def run(
    stack: BenchStack, a: argparse.Namespace, tokens: dict[str, str], files: list[str], engine: int
) -> dict:
    host, port = "127.0.0.1", stack.port
    svc = stack.service()
    eid = svc.bundle().state.event_id
    name = cookie_name(stack)
    n = len(tokens)
    judges = [
        ScoringJudge(host, port, e, f"{name}={t}", 0.2 + 0.6 * (i + 0.5) / n, seed=i)
        for i, (e, t) in enumerate(tokens.items())
    ]
    for j in judges:
        await j.start()
    pw = browser = None
    if a.use_chromium:
        from playwright.async_api import async_playwright

        pw = await async_playwright().start()
        browser = await votes_browser.launch(pw)
    report.say(f"doors: {a.viewers} board viewers within {a.viewers_within:g} s")
    crowd = Crowd(stack.url, files, a.viewers, a.viewers_within, follow=True)
    viewers_in = await _in_thread(crowd.wait_in, a.viewers_within + 1200)
    phones = voters.Voters(host, port, voters.plans(a.phones, a.within, a.revise, a.late))
    await asyncio.sleep(5)  # the voters' workers start
    report.say(f"{viewers_in} viewers in; the show starts, the phones vote in act {a.baseline_acts + 1}")
    t_start = time.time()
    await _in_thread(events.start_event, svc)
    key = svc.bundle().state.order[a.baseline_acts]
    await asyncio.sleep(1.0)
    base = await _in_thread(db_requests, stack.url)
    windows = lambda: svc.store.votes.windows(eid)  # noqa: E731
    cycle = a.perform + a.score
    window = await _until(lambda: windows().get(key), cycle * (a.baseline_acts + 1) + 30, "the window")
    opened = await _in_thread(db_requests, stack.url)
    procs = {"web": [stack.web.pid], "engine": [engine], "viewers": crowd.pids(), "dynamodb": [stack.db.pid]}
    procs["bench"] = [os.getpid()]  # the judges' clients, the phones' coordination, Playwright's driver calls
    cpu0, machine0 = {k: client_cpu(v) for k, v in procs.items()}, psutil.cpu_times()
    zero = time.time()
    phones.open(window.code, zero)
    report.say(f"window {window.code} open ({zero - window.opened_at:.2f} s ago): {a.phones} phones vote")
    pages = []
    if browser is not None:
        pages.append(asyncio.create_task(votes_browser.venue_page(browser, stack.url, window.code, 5)))
        for i in range(a.chromium):
            delay = 3.0 + i * max(0.0, a.within - 8.0) / max(1, a.chromium - 1)
            args = (browser, stack.url, window.code, 1 + i % 5, 1 + (i + 2) % 5, delay)
            pages.append(asyncio.create_task(votes_browser.voting_page(*args)))
    closing = await _until(lambda: (w := windows()[key]).closes_at and w, cycle + a.grace + 60, "its close")
    phones.close(closing.closes_at)
    voted = await _in_thread(phones.results, a.within + cycle + a.grace + 300)
    chromium = [await p for p in pages]
    ended = await _in_thread(db_requests, stack.url)
    span, machine1 = ended[0] - zero, psutil.cpu_times()
    cores = {k: round((client_cpu(v) - cpu0[k]) / span, 3) for k, v in procs.items()}
    idle = (machine1.idle - machine0.idle) + (machine1.iowait - machine0.iowait)
    cores["phones"] = round(phones.cpu / span, 3)  # the workers' own reading: they have exited
    cores["machine"] = round((sum(machine1) - sum(machine0) - idle) / span, 3)
    report.say("the phones are done; waiting for the engine to close the window")
    await _until(lambda: windows()[key].closed, 60, "the engine's close")
    t_closed = time.time()
    for j in judges:
        j.stop()
    if browser is not None:
        await browser.close()
        await pw.stop()
    board = await _in_thread(crowd.leave, 300)
    return {
        "event_id": eid, "key": key, "code": window.code, "opened_at": window.opened_at,
        "closes_at": closing.closes_at, "t_start": t_start, "zero": zero, "t_closed": t_closed,
        "viewers_in": viewers_in, "phones": voted, "chromium": chromium, "board": board,
        "db": {"base": base, "opened": opened, "ended": ended}, "cores": cores,
        "judges": [(j.email, j.stream.docs, j.acks, j.skipped, j.errors) for j in judges],
    }  # fmt: skip


def unit_costs(stack: BenchStack, measured: str, n: int = 20) -> dict:
    """A vote's and a revision's DynamoDB requests and capacity units (DynamoDB Local reports them),
    through the one way in (Service.votes.cast) in this process, into the window open now (not the
    measured one); and one read of the open windows (what a lookup does at most once a second)."""
    store = stack.store()
    tally = Tally(store)
    svc = Service(store)
    (win, *_) = [w for w in svc.votes.codes() if w.key != measured]
    address = "192.0.2.24"
    devices = [svc.votes.new_device() for _ in range(n)]  # the signing key read once, not counted
    tally.take()
    svc.votes.window(win.code)
    lookup = per(tally.take(), 1)
    for d in devices:
        svc.votes.cast(d, address, win.code, 4, uuid.uuid4().hex)
    first = per(tally.take(), n)
    for d in devices[: n // 2]:
        svc.votes.cast(d, address, win.code, 2, uuid.uuid4().hex)
    return {"first": first, "revision": per(tally.take(), n // 2), "window_read": lookup}


def stored(svc: Service, eid: str, key: str) -> dict:
    """The window's tally as the engine wrote it to the log when it closed, and as its shards hold it."""
    entries, _ = svc.store.log.entries(eid)
    logged = [e.payload() for e in entries if e.kind == "vote_closed"]
    logged = [d["tally"] for d in logged if d.get("window") == key]
    (line,) = [w for w in svc.votes.status(eid).windows if w.key == key]
    return {
        "logged": logged[0] if logged else None,
        "shards": {"votes": line.tally.votes, "stars": line.tally.stars},
        "transitions": events.transitions(svc, eid, ("scoring_opened", "scoring_closed")),
    }


def main(a: argparse.Namespace) -> None:
    from playwright.sync_api import sync_playwright

    from bench import doors_browser

    performers = a.baseline_acts + 10  # the show goes on past the close, for unit_costs' window
    with BenchStack("votes") as stack:
        svc = stack.service()
        tokens = events.login_all(svc, events.add_judges(svc, a.judges))
        vote = VoteSettings(VoteMode.PER_ACT, grace_seconds=a.grace)
        events.create_event(svc, performers, a.perform, a.score, votes=vote)
        engine = stack.start_engine()
        stack.start_web(env=ONE_ADDRESS)
        with sync_playwright() as pw:
            files = doors_browser.first_load_files(pw, stack.url)
        raw = asyncio.run(run(stack, a, tokens, files, engine.pid))
        stack.check_alive()
        raw["stored"] = stored(svc, raw["event_id"], raw["key"])
        raw["units"] = unit_costs(stack, raw["key"])
    raw["sizes"] = vars(a)
    with RAW.open("wb") as f:  # to analyse again: votes_figures.analyse(pickle.load(f))
        pickle.dump(raw, f)
    figures = votes_figures.analyse(raw)
    votes_figures.print_tables(figures)
    report.emit("votes", figures, votes_figures.targets(figures))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--phones", type=int, default=2000)
    ap.add_argument("--within", type=float, default=20.0, help="seconds after the window opens to vote in")
    ap.add_argument("--revise", type=float, default=0.10, help="share of phones that vote twice")
    ap.add_argument("--late", type=float, default=0.01, help="share of phones that vote after the close")
    ap.add_argument("--viewers", type=int, default=500, help="board viewers")
    ap.add_argument("--viewers-within", type=float, default=120.0, help="seconds over which they arrive")
    ap.add_argument("--judges", type=int, default=9)
    ap.add_argument("--perform", type=float, default=4.0)
    ap.add_argument("--score", type=float, default=8.0)
    ap.add_argument("--grace", type=float, default=15.0, help="the window closes this long after scoring")
    ap.add_argument("--baseline-acts", type=int, default=2, help="acts before the one the phones vote for")
    ap.add_argument("--chromium", type=int, default=2, help="real Chromium pages that vote (and revise)")
    ap.add_argument("--no-chromium", dest="use_chromium", action="store_false", help="no Chromium page")
    args = ap.parse_args()
    args.chromium = args.chromium if args.use_chromium else 0
    main(args)
