"""Doors open: phones arriving on the public board all at once, and a judge's first load over a venue link.

    .venv/bin/python -m bench.doors [--phones 1000] [--within 60] [--processes 2] [--chromium 5] [--judges 50]

`make bench` runs it (bench/run_all.py). While an event runs (the engine; perform 2 s, score 3 s; `--judges`
judges' screens at protocol level on one web process, each scoring in every window: bench/doors_judges.py):
1. first runs: a fresh session of each page a crowd opens, one after another, and the web process's CPU
   for each (websocket, script run, messages): the board (as the app's menu opens it), its kiosk,
   results, schedule, login, judge; and the CPU of a GET of the crowd's board (a plain page, ui/board/);
2. the board's first-load files, recorded from a real Chromium page (none but the page itself now);
3. the crowd, on one web process and then on `--processes` behind the shipped nginx site (TLS, HTTP/2,
   Streamlit's files from disk): N phones (bench/drivers/phones.py) arriving at random within T seconds,
   each what a browser does for /leaderboard: the page (one request: the crowd's board has no Streamlit
   session) and its /live/public stream, read as the page reads it (each document pushed, not only the
   first: unread, nginx would buffer them); with a few real Chromium pages opened during the same surge.
   Page load (for this plain page: arrival → the board drawn from its first document; a Streamlit page's
   would be websocket open → script finished) p50/p95/max, failures; once all are in, the web
   processes' CPU and memory per phone over 15 s; the cores of every process group (web, nginx, DynamoDB
   Local, the engine, the phones, the panel) from the surge's start until all are in, and how late the
   phones' own event loops woke meanwhile; and from the surge's start to the hold's end, the README's live
   figures: score acknowledged, window flip on the judges' screens, a closed window's scores on every
   phone's board (bench/doors_report.py has the targets);
4. the judge's first load in Chromium over the emulated link, cold and warm (bench/doors_browser.py).
"""

from __future__ import annotations

import argparse
import math
import os
import time
from functools import partial

import psutil
from playwright.sync_api import sync_playwright

from bench import doors_browser, doors_judges, doors_report, events, report
from bench.drivers.crowd import Crowd
from bench.drivers.pool import client_cpu
from bench.stack import BenchStack
from engine import localdb
from engine.domain.model import Conflict
from tests.support import nginx, processes
from tests.support.live import session_cookie
from tests.support.waiting import wait_for

FIRST_RUN_PAGES = (
    ("leaderboard", ""),
    ("leaderboard", "kiosk=1"),
    ("results", ""),
    ("schedule", ""),
    ("login", ""),
    ("judge", ""),
)


# Every simulated phone comes from 127.0.0.1 (and, behind nginx, every connection): the per-address cap
# that keeps one venue's NAT from taking a process (README, "When things fail") is raised for them.
ONE_ADDRESS = {"STAGESCORE_MAX_CONNECTIONS_PER_ADDRESS": "8000"}


def rss_mb(pids: list[int]) -> float:
    return sum(psutil.Process(pid).memory_info().rss for pid in pids) / 2**20


def first_runs(stack, cookie: tuple[str, str], n: int) -> dict:
    """Server CPU (ms) of one fresh session of each page, the mean of n sessions after one to warm up."""
    from tests.support.page_view import page_bytes as session_once  # one fresh session, run to its end

    pid = [stack.web.pid]
    out = {}
    for page, query in FIRST_RUN_PAGES:
        name = page + (f"?{query}" if query else "")
        cookies = {cookie[0]: cookie[1]} if page == "judge" else {}
        once = partial(session_once, stack.url, page, query=query, cookies=cookies)
        out[name] = round(_mean_cpu_ms(pid, n, once), 1)
    # The crowd's board is a plain page (ui/board/): a phone's GET of /leaderboard runs no script.
    get = partial(_get_page, stack.url)
    out["leaderboard (the crowd's page, a GET)"] = round(_mean_cpu_ms(pid, n, get), 2)
    return out


def _mean_cpu_ms(pids: list[int], n: int, once) -> float:
    """The processes' CPU (ms) a call of `once` costs, the mean of n calls after one to warm up."""
    once()
    c0 = client_cpu(pids)
    for _ in range(n):
        once()
    return (client_cpu(pids) - c0) / n * 1000


def _get_page(url: str) -> None:
    from tests.support.live import connection

    conn = connection(url, 20)
    try:
        conn.request("GET", "/leaderboard", headers={"Accept-Encoding": "br, gzip"})
        resp = conn.getresponse()
        resp.read()
        assert resp.status == 200, resp.status
    finally:
        conn.close()


def surge(
    url: str,
    pids: list[int],
    files: list[str],
    n: int,
    within: float,
    chromium: int,
    pw,
    live,
    others: dict[str, list[int]],
) -> dict:
    """The crowd's arrival and hold; `live` (a function of the phones, the surge's start and the hold's
    end) gives what the judges and the boards saw meanwhile; `others`: the other processes on the machine
    by name (DynamoDB Local, the engine, nginx), whose cores over the surge are reported with the web
    processes', the phones' and this process's (`cores`)."""
    c0, m0 = client_cpu(pids), time.monotonic()
    time.sleep(10)  # what the processes spend with nobody on the page (the event's ticks, the judges)
    idle_cores = (client_cpu(pids) - c0) / (time.monotonic() - m0)
    rss0 = rss_mb(pids)
    t0 = time.time()
    crowd = Crowd(url, files, n, within, follow=True)  # each reads its stream, as a browser does
    groups = {"web": pids, **others, "phones": crowd.pids(), "bench": [os.getpid()]}
    spent0, machine0 = {k: client_cpu(v) for k, v in groups.items()}, psutil.cpu_times()
    pages = doors_browser.board_pages(pw, url, chromium, within) if chromium else []
    crowd.wait_in(within + 600)
    t_in = time.time()
    took = t_in - t0
    spent = {k: client_cpu(v) - spent0[k] for k, v in groups.items()}
    cores = _cores(spent, machine0, took)
    time.sleep(5)  # the last arrivals settle
    c1, t1 = client_cpu(pids), time.monotonic()
    time.sleep(15)
    held_cores = (client_cpu(pids) - c1) / (time.monotonic() - t1)
    rss_in = rss_mb(pids)
    t_end = time.time()
    phones = crowd.leave()
    ok = [p for p in phones if p["error"] is None]
    failed = [p["error"] for p in phones if p["error"]]
    return {
        "phones": n,
        "within_s": within,
        "web_processes": len(pids),
        "failed": len(failed),
        "failures": sorted(set(failed))[:5],
        "page_load": report.ms_summary([p["page_load"] for p in ok]),
        "files": report.ms_summary([p["files"] for p in ok]),
        "ready": report.ms_summary([p["ready"] for p in ok]),
        "kb_per_phone": round(sum(p["bytes"] for p in ok) / max(1, len(ok)) / 1000, 1),
        "requests_per_phone": round(sum(p["requests"] for p in ok) / max(1, len(ok)), 1),
        "compressed_share": round(sum(p["encoded"] for p in ok) / max(1, sum(p["requests"] for p in ok)), 2),
        "surge_seconds": round(took, 1),
        "server_cpu_seconds_during_surge": round(spent["web"], 1),
        "idle_cores": round(idle_cores, 4),
        "held_cores_total": round(held_cores, 4),
        # what each phone adds to the idle processes
        "held_core_percent_per_phone": round((held_cores - idle_cores) * 100 / max(1, len(ok)), 5),
        "held_mb_per_phone": round((rss_in - rss0) / max(1, len(ok)), 3),
        "server_rss_mb": round(rss_in, 1),
        "cores": cores,
        # how late the phones' own event loops woke while they arrived (their figures include it)
        "phones_loop_lag": report.ms_summary([lag for t, lag in crowd.lags if t0 <= t <= t_in]),
        "live": live(phones, t0, t_end),
        "chromium": {
            "pages": len(pages),
            "failed": sum(1 for p in pages if p["error"]),
            "ready": report.ms_summary([p["ready"] for p in pages if p["ready"] is not None]),
        },
    }


def _cores(spent: dict[str, float], machine0, seconds: float) -> dict:
    """Cores each group of processes used (`spent`: its CPU-seconds) from the surge's start until every
    phone was in, the machine's (everything but idle and iowait), and the rest: the Chromium pages,
    Playwright's driver, the system. "bench" is this process: the panel's judges, Playwright's calls."""
    machine1 = psutil.cpu_times()
    cores = {k: round(v / seconds, 3) for k, v in spent.items()}
    idle = (machine1.idle - machine0.idle) + (machine1.iowait - machine0.iowait)
    cores["machine"] = round((sum(machine1) - sum(machine0) - idle) / seconds, 3)
    cores["rest"] = round(cores["machine"] - sum(v for k, v in cores.items() if k != "machine"), 3)
    return cores


def show(stack: BenchStack, judges: int, performers: int):
    """The show the crowd arrives at: `judges` judges logged in (their tokens), an event of `performers`
    (perform 2 s, score 3 s) started, the engine and one web process (ONE_ADDRESS: a venue's crowd)."""
    svc = stack.service()
    tokens = events.login_all(svc, events.add_judges(svc, judges))
    events.create_event(svc, performers, 2.0, 3.0)
    engine = stack.start_engine()
    web = stack.start_web(env=ONE_ADDRESS)
    events.start_event(svc)
    return svc, tokens, web, engine


def main(a: argparse.Namespace) -> None:
    performers = math.ceil((a.within * 2 + 600) / 5) + 20
    with BenchStack("doors") as stack, sync_playwright() as pw:
        svc, tokens, web1, engine = show(stack, a.judges, performers)
        eid = svc.bundle().state.event_id
        panel = None

        def live(phones: list[dict], t0: float, t1: float) -> dict:
            return doors_judges.figures(svc, eid, panel, phones, t0, t1)

        cookie = (session_cookie(stack.prefix), next(iter(tokens.values())))
        try:
            report.say("first runs of each page")
            # A page's first run is the web process's CPU over it: measured before the judges score there.
            first = first_runs(stack, cookie, a.first_runs)
            panel = doors_judges.Panel(stack, tokens, stack.port)  # judges scoring
            files = doors_browser.first_load_files(pw, stack.url)
            report.say(
                f"{len(files)} files on a first load; {a.phones} phones within {a.within} s, one process"
            )
            base = {"dynamodb": [stack.db.pid], "engine": [engine.pid]}
            one = surge(stack.url, [web1.pid], files, a.phones, a.within, a.chromium, pw, live, base)
            panel.stop()
            panel = None
            processes.kill(web1)
            stack.procs.remove(web1)  # stopped on purpose: no longer checked as alive
            ports = [localdb.free_port() for _ in range(a.processes)]
            webs = [stack.start_web(env=ONE_ADDRESS, port=port) for port in ports]
            upstreams = [f"127.0.0.1:{port}" for port in ports]
            # Each phone holds two connections through nginx, each one upstream as well.
            where = stack.log_dir / f"{stack.prefix}nginx"
            front, front_url = nginx.serve(
                upstreams, where, stack.env, connections=8 * a.phones + 1024, per_client=4 * a.phones + 100
            )
            stack.procs.append(front)
            _wait_front(front_url)
            panel = doors_judges.Panel(stack, tokens, ports[0])  # on the first process, as one host would
            report.say(f"the same on {a.processes} processes behind nginx")
            nginx_pids = [front.pid] + [c.pid for c in psutil.Process(front.pid).children()]
            others = {**base, "nginx": nginx_pids}
            pids = [w.pid for w in webs]
            several = surge(front_url, pids, files, a.phones, a.within, a.chromium, pw, live, others)
        finally:
            if panel is not None:
                panel.stop()
        report.say("the judge's first load over the venue link")
        # A scoring window open for ten minutes. The show's event is still running: a transition of it
        # between the read and the write is refused as a conflict ("reload and try again"), so try again.
        wait_for(lambda: svc.create_event(*_judging_event(svc)), 10, "the judging event", 0.2, (Conflict,))
        events.start_event(svc)
        time.sleep(2.5)
        judge = doors_browser.judge_first_load(pw, front_url, cookie)
    doors_report.emit(a, first, files, one, several, judge)


def _wait_front(url: str) -> None:
    from tests.support.live import connection

    def answers() -> bool:
        conn = connection(url, 5)
        try:
            conn.request("GET", "/healthz")
            return conn.getresponse().status in (200, 503)
        finally:
            conn.close()

    wait_for(answers, 30, "nginx to answer", 0.2)


def _judging_event(svc):
    from engine.domain.model import Settings
    from engine.domain.roster import build_roster

    rows = [{"name": f"Performer {i}", "order": i, "category": "Bench"} for i in range(1, 4)]
    return Settings(event_name="Judge's first load", perform_seconds=1.0, score_seconds=600.0), build_roster(
        rows
    )


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--phones", type=int, default=1000)
    ap.add_argument("--judges", type=int, default=50, help="judges scoring over HTTP meanwhile")
    ap.add_argument("--within", type=float, default=60.0, help="seconds over which the phones arrive")
    ap.add_argument("--processes", type=int, default=2, help="web processes behind nginx in the second surge")
    ap.add_argument("--chromium", type=int, default=5, help="real Chromium board pages during each surge")
    ap.add_argument("--first-runs", type=int, default=20, help="sessions per page for the first-run cost")
    main(ap.parse_args())
