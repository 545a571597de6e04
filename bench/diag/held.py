"""What a held phone costs the web processes, as bench/doors.py's second surge measures it, in a few minutes:

    .venv/bin/python -m bench.diag.held [--phones 600] [--within 40] [--hold 40] [--repeat 2] [--profile 20]

The same stack as bench/doors.py (DynamoDB Local in memory, the engine, the event with three judges
scoring, perform 2 s / score 3 s windows; `--processes` web processes behind the shipped nginx site). The
web processes' CPU with nobody on the page (over `--hold` s), then `--phones` phones (bench/drivers/
crowd.py, each the crowd's board /leaderboard, a plain page, and its /live/public stream)
arriving within `--within` s, then the held CPU over `--hold` s, `--repeat` times; each line gives the
machine's load (its other work counts in no figure: CPU time of the web processes only). With
`--profile S`, py-spy then records each web process for S s while the phones stay (raw folded stacks in
bench/results/logs/held-<pid>.txt) and the top frames by own time are printed.
"""

from __future__ import annotations

import argparse
import collections
import math
import os
import subprocess
import threading
import time
from pathlib import Path

import psutil
from playwright.sync_api import sync_playwright

from bench import doors_browser, events, report
from bench.doors import ONE_ADDRESS, _wait_front, rss_mb
from bench.drivers.crowd import Crowd
from bench.drivers.judges import ScoreDriver
from bench.stack import BenchStack
from engine import localdb
from tests.support import nginx

PY_SPY = Path(".venv/bin/py-spy")


def _times(pids: list[int]) -> tuple[float, float, float]:
    """(user, system, the main threads') CPU seconds of the processes."""
    user = system = main = 0.0
    for pid in pids:
        t = psutil.Process(pid).cpu_times()
        user, system = user + t.user, system + t.system
        fields = Path(f"/proc/{pid}/task/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        main += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return user, system, main


def cores(pids: list[int], seconds: float, docs: list[int] | None = None) -> float:
    (u0, s0, m0), t0, d0 = _times(pids), time.monotonic(), docs[0] if docs else 0
    time.sleep(seconds)
    (u1, s1, m1), took = _times(pids), time.monotonic() - t0
    rate = f", {(docs[0] - d0) / took:.2f} docs/s of {docs[1]} B on a stream" if docs else ""
    print(
        f"  user {(u1 - u0) / took:.4f} system {(s1 - s0) / took:.4f}"
        f" main threads {(m1 - m0) / took:.4f}{rate}"
    )
    return (u1 + s1 - u0 - s0) / took


def count_docs(url: str, docs: list[int]) -> None:
    """One more stream of the board, read in a thread: how many documents it receives."""
    from tests.support.live import connection

    conn = connection(url, 30)
    conn.request("GET", "/live/public", headers={"Accept": "text/event-stream"})
    resp = conn.getresponse()
    while line := resp.readline():
        if line.startswith(b"data: {"):
            docs[0] += 1
            docs[1] = len(line)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def profile(pids: list[int], seconds: float, where: Path) -> None:
    runs = []
    for pid in pids:
        out = where / f"held-{pid}.txt"
        cmd = [
            str(PY_SPY),
            "record",
            "--gil",
            "--nonblocking",
            "-p",
            str(pid),
            "-d",
            str(int(seconds)),
            "-f",
            "raw",
            "-o",
            str(out),
        ]
        runs.append((out, subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)))
    for out, proc in runs:
        proc.wait()
        own, total = collections.Counter(), collections.Counter()
        samples = 0
        for line in out.read_text().splitlines():
            stack, _, n = line.rpartition(" ")
            frames = stack.split(";")
            samples += int(n)
            own[frames[-1]] += int(n)
            for f in set(frames):
                total[f] += int(n)
        print(f"== {out.name}: {samples} samples (idle threads included)")
        for f, n in own.most_common(25):
            print(f"  own {n:6d}  {f[:150]}")
        for f, n in total.most_common(40):
            print(f"  all {n:6d}  {f[:150]}")


def _inclusive(text: str) -> dict[str, float]:
    """A bench/diag/sitecustomize.py profile's seconds by thread and by function (inclusive)."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        parts = line.split(" s  ", 1)
        if len(parts) == 2 and parts[0].strip().replace(".", "", 1).isdigit():
            out[parts[1]] = out.get(parts[1], 0.0) + float(parts[0])
    return out


def profile_delta(paths: list[Path], before: list[str], seconds: float) -> None:
    """What each web process's profile gained over the hold: CPU seconds a second, by thread and function."""
    for path, old in zip(paths, before, strict=True):
        a, b = _inclusive(old), _inclusive(path.read_text())
        gained = sorted(((b[k] - a.get(k, 0.0)) / seconds, k) for k in b)[::-1]
        print(f"== {path.name}: cores over the hold (inclusive)")
        for v, k in gained[:45]:
            print(f"  {v:8.4f}  {k[:150]}")


def main(a: argparse.Namespace) -> None:
    performers = math.ceil((a.within * 2 + 600) / 5) + 20
    with BenchStack("held") as stack, sync_playwright() as pw:
        svc = stack.service()
        tokens = events.login_all(svc, events.add_judges(svc, 3))
        events.create_event(svc, performers, 2.0, 3.0)
        stack.start_engine()
        ports = [localdb.free_port() for _ in range(a.processes)]
        profiles = [report.RESULTS / "profiles" / f"held-{port}.txt" for port in ports]
        diag = [report.diag_env(cpu_profile=p.name, every=5) if a.profile_server else {} for p in profiles]
        webs = [
            stack.start_web(env={**ONE_ADDRESS, **d}, port=port) for port, d in zip(ports, diag, strict=True)
        ]
        where = stack.log_dir / f"{stack.prefix}nginx"
        front, url = nginx.serve(
            [f"127.0.0.1:{p}" for p in ports],
            where,
            stack.env,
            connections=8 * a.phones + 1024,
            per_client=4 * a.phones + 100,
        )
        stack.procs.append(front)
        _wait_front(url)
        events.start_event(svc)
        driver = ScoreDriver(svc, tokens, svc.bundle().state.event_id)
        driver.start()
        pids = [w.pid for w in webs]
        try:
            files = doors_browser.first_load_files(
                pw, f"http://127.0.0.1:{ports[0]}"
            )  # as bench/doors.py: from one process
            docs = [0, 0]
            threading.Thread(target=count_docs, args=(url, docs), daemon=True).start()
            idle = cores(pids, a.hold, docs)
            print(f"idle: {idle:.4f} cores over {a.hold:g} s (load {load()})", flush=True)
            rss0 = rss_mb(pids)
            crowd = Crowd(url, files, a.phones, a.within, follow=a.follow)
            n_in = crowd.wait_in(a.within + 600)
            time.sleep(5)
            before = [p.read_text() for p in profiles] if a.profile_server else []
            t_hold = time.monotonic()
            for i in range(a.repeat):
                held = cores(pids, a.hold, docs)
                per = (held - idle) * 100 / max(1, n_in)
                mb = (rss_mb(pids) - rss0) / max(1, n_in)
                print(
                    f"held {i + 1}: {n_in} phones, {held:.4f} cores over {a.hold:g} s, idle {idle:.4f}:"
                    f" {per:.5f} % of a core and {mb:.3f} MB a phone (load {load()})",
                    flush=True,
                )
            if a.profile_server:
                time.sleep(5.5)  # the profiles' next write
                profile_delta(profiles, before, time.monotonic() - t_hold)
            if a.profile:
                profile(pids, a.profile, stack.log_dir)
            phones = crowd.leave()
            failed = [p["error"] for p in phones if p["error"]]
            print(f"{len(failed)} failed {sorted(set(failed))[:3]}")
            idle2 = cores(pids, a.hold)
            print(f"idle after: {idle2:.4f} cores over {a.hold:g} s (load {load()})", flush=True)
        finally:
            driver.stop()
    report.say("done")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--phones", type=int, default=600)
    ap.add_argument("--within", type=float, default=40.0)
    ap.add_argument("--hold", type=float, default=40.0, help="seconds of each CPU measurement")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--profile", type=float, default=0.0, help="py-spy record seconds per web process")
    ap.add_argument(
        "--follow", action="store_true", help="phones read their stream (bench/doors.py's do not)"
    )
    ap.add_argument("--profile-server", action="store_true", help="bench/diag/sitecustomize.py's CPU profile")
    main(ap.parse_args())
