"""What every benchmark shares: the stack it starts and stops, statistics, and how figures are printed.

A benchmark prints tables for people and, as its last line, one JSON object:
{"script", "date", "machine", "figures", "targets"}; `bench/run_all.py` collects those lines.
"""

from __future__ import annotations

import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from engine import accounts, localdb
from engine.config import Config
from engine.model import Account, Command, CommandKind, Role, Settings
from engine.roster import build_roster
from engine.service import Service
from engine.store import Store

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LOGS = RESULTS / "logs"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A page in a background tab has its timers throttled; every benchmark page is "visible".
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
PASSWORD = "bench-Password-42"


# ---- output ---------------------------------------------------------------------------------------


def machine() -> dict:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cores": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "load_avg_at_start": [round(x, 2) for x in load],
    }


_MACHINE = machine()  # the load average before this script added its own


def today() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def target(description: str, value, met: bool) -> dict:
    return {"target": description, "value": value, "met": bool(met)}


def emit(script: str, figures: dict, targets: dict[str, dict] | None = None) -> None:
    """Print the verdicts, then the one JSON line `make bench` collects (it must stay the last line)."""
    if targets:
        print_table(
            "Targets",
            ["target", "value", "met"],
            [[t["target"], t["value"], "yes" if t["met"] else "NO"] for t in targets.values()],
        )
    doc = {
        "script": script,
        "date": today(),
        "machine": {**_MACHINE, "load_avg_at_end": [round(x, 2) for x in os.getloadavg()]},
        "figures": figures,
        "targets": targets or {},
    }
    sys.stdout.flush()
    print(json.dumps(doc, default=_json_default, separators=(",", ":")), flush=True)


def _json_default(o):
    if isinstance(o, Decimal):
        return float(o)
    if isinstance(o, Path):
        return str(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def print_table(title: str, headers: Sequence[str], rows: Iterable[Sequence]) -> None:
    rows = [["" if c is None else (f"{c:.1f}" if isinstance(c, float) else str(c)) for c in r] for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in rows:
        print("  ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(r, widths, strict=True)))
    sys.stdout.flush()


def _numeric(text: str) -> bool:
    try:
        float(text.replace("%", ""))
        return True
    except ValueError:
        return False


def say(msg: str) -> None:
    """Progress, on stderr: stdout holds only tables and the JSON line."""
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# ---- statistics -----------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    xs = sorted(values)
    if not xs:
        return None
    k = (len(xs) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def ms_summary(seconds: Sequence[float], ps: Sequence[int] = (50, 95, 99)) -> dict:
    """Milliseconds: n, the chosen percentiles, max and mean, rounded to 0.1 ms."""
    out: dict = {"n": len(seconds)}
    for p in ps:
        v = percentile(seconds, p)
        out[f"p{p}_ms"] = None if v is None else round(v * 1000, 1)
    out["max_ms"] = round(max(seconds) * 1000, 1) if seconds else None
    out["mean_ms"] = round(sum(seconds) / len(seconds) * 1000, 1) if seconds else None
    return out


def wait_for(cond: Callable[[], object], timeout: float, what: str, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


class ProcStats:
    """CPU seconds and resident memory of one process (psutil), sampled between marks."""

    def __init__(self, pid: int):
        import psutil

        self.proc = psutil.Process(pid)
        self._mark = self._now()

    def _now(self) -> tuple[float, float]:
        t = self.proc.cpu_times()
        return time.monotonic(), t.user + t.system

    def rss_mb(self) -> float:
        return self.proc.memory_info().rss / 2**20

    def mark(self) -> None:
        self._mark = self._now()

    def cpu_since_mark(self) -> tuple[float, float]:
        """(cpu seconds, cores busy on average) since the last mark."""
        wall0, cpu0 = self._mark
        wall1, cpu1 = self._now()
        cpu = cpu1 - cpu0
        return cpu, cpu / max(1e-9, wall1 - wall0)


# ---- the stack ------------------------------------------------------------------------------------


class Stack:
    """DynamoDB Local in memory on a free port, a fresh table prefix, and on demand the engine and
    Streamlit as subprocesses on free ports. A context manager: everything started is stopped."""

    def __init__(self, name: str):
        self.name = name
        self.prefix = f"b{name[:8]}{uuid.uuid4().hex[:6]}_"
        self.procs: list[subprocess.Popen] = []
        self.db: subprocess.Popen | None = None
        self.db_url = ""
        self.env: dict[str, str] = {}
        self.web_url = ""
        self.web: subprocess.Popen | None = None
        LOGS.mkdir(parents=True, exist_ok=True)
        _tidy_logs(f"b{name[:8]}")

    # lifecycle
    def __enter__(self) -> Stack:
        # SIGTERM (a killed `make`) must still run __exit__, so nothing outlives the benchmark.
        signal.signal(signal.SIGTERM, _raise_exit)
        try:
            port = localdb.free_port()
            self.db = localdb.start(port, in_memory=True, log_path=LOGS / f"{self.prefix}dynamodb.log")
            self.db_url = localdb.endpoint_url(port)
            self.env = _clean_env(self.db_url, self.prefix)
            # boto3 in this process reads credentials from the environment, not from Config.
            for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"):
                os.environ[k] = self.env[k]
            for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
                os.environ.pop(k, None)
            self.store().create_tables()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for p in reversed(self.procs):
            kill(p)
        self.procs.clear()
        if self.db is not None:
            localdb.stop(self.db)
            self.db = None
        board = ROOT / "static" / f"{self.prefix}board.json"
        board.unlink(missing_ok=True)

    # in-process access to the same tables
    def config(self, **env) -> Config:
        return Config.from_env({**self.env, **env})

    def store(self, **env) -> Store:
        return Store(self.config(**env))

    def service(self, **env) -> Service:
        return Service(self.store(**env))

    # processes
    def spawn(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
        log = LOGS / f"{self.prefix}{name}.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(
                cmd,
                cwd=ROOT,
                env={**self.env, **(env or {})},
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        proc.log_path = log  # type: ignore[attr-defined]
        self.procs.append(proc)
        return proc

    def start_engine(self, wait: float = 30) -> subprocess.Popen:
        """`python -m engine run`; returns once it holds the lease."""
        proc = self.spawn("engine", [sys.executable, "-m", "engine", "run"])
        store = self.store()

        def leased():
            self.check_alive()
            lease = store.lease.current()
            return lease and lease.get("owner") and float(lease["expires"]) > time.time()

        wait_for(leased, wait, "the engine to take the lease", 0.1)
        return proc

    def start_streamlit(
        self, env: dict[str, str] | None = None, wait: float = 60, args: Sequence[str] = ()
    ) -> subprocess.Popen:
        """The app as `make run` starts it (`python -m ui.serve run Home.py`, else `streamlit run Home.py`)
        on a free port; `args`: more options, e.g. for an experiment."""
        port = localdb.free_port()
        launcher = "ui.serve" if (ROOT / "ui" / "serve.py").is_file() else "streamlit"
        cmd = [
            sys.executable,
            "-m",
            launcher,
            "run",
            "Home.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
            "--server.fileWatcherType",
            "none",
            "--browser.gatherUsageStats",
            "false",
            *args,
        ]
        proc = self.spawn("streamlit", cmd, env)
        self.web, self.web_url = proc, f"http://127.0.0.1:{port}"

        def healthy():
            self.check_alive()
            try:
                with urllib.request.urlopen(self.web_url + "/_stcore/health", timeout=2) as r:
                    return r.status == 200
            except (OSError, urllib.error.URLError):
                return False

        wait_for(healthy, wait, "Streamlit's /_stcore/health", 0.2)
        return proc

    @property
    def board_url(self) -> str:
        """Where this stack's Streamlit publishes the board JSON (ui/board.py)."""
        name = "".join(ch for ch in self.prefix if ch.isalnum() or ch in "-_") + "board.json"
        return f"{self.web_url}/app/static/{name}"

    def check_alive(self) -> None:
        for p in self.procs:
            if p.poll() is not None:
                tail = read_log(p)[-1500:]
                raise RuntimeError(f"{' '.join(p.args[:4])} exited with code {p.returncode}:\n{tail}")


def _tidy_logs(stem: str, keep: int = 3, min_age: float = 3600) -> None:
    """Keep the logs of a benchmark's latest `keep` runs, and any written to in the last hour (a run of
    the same benchmark may be going on in another shell)."""
    runs: dict[str, list[Path]] = {}
    for f in LOGS.glob(f"{stem}*.log"):
        runs.setdefault(f.name.rsplit("_", 1)[0], []).append(f)
    newest = sorted(runs.values(), key=lambda fs: max(f.stat().st_mtime for f in fs), reverse=True)
    for files in newest[keep:]:
        if all(time.time() - f.stat().st_mtime > min_age for f in files):
            for f in files:
                f.unlink(missing_ok=True)


def read_log(proc: subprocess.Popen) -> str:
    """A child's log ('' if it is gone)."""
    try:
        return Path(proc.log_path).read_text(errors="replace")  # type: ignore[attr-defined]
    except OSError:
        return ""


def _raise_exit(signum, _frame):
    raise SystemExit(128 + signum)


def _clean_env(db_url: str, prefix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STAGESCORE_"))}
    env.update(
        AWS_ENDPOINT_URL_DYNAMODB=db_url,
        AWS_ACCESS_KEY_ID="local",
        AWS_SECRET_ACCESS_KEY="local",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        STAGESCORE_TABLE_PREFIX=prefix,
        PYTHONUNBUFFERED="1",
    )
    return env


def kill(proc: subprocess.Popen, timeout: float = 5.0) -> None:
    """SIGTERM the process group this benchmark started, then SIGKILL."""
    if proc.poll() is not None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            continue


# ---- events ---------------------------------------------------------------------------------------

_HASH: list[str] = []


def add_judges(svc: Service, n: int, weight: Decimal = Decimal(1)) -> list[str]:
    """n judge accounts sharing one password (hashed once: argon2 is slow on purpose)."""
    if not _HASH:
        _HASH.append(accounts.hash_password(PASSWORD))
    emails = [f"judge{i:03d}@bench.local" for i in range(1, n + 1)]
    for i, email in enumerate(emails, start=1):
        svc.store.accounts.put(Account(email, f"Judge {i}", Role.JUDGE, weight, True), _HASH[0])
    return emails


def login_all(svc: Service, emails: Sequence[str]) -> dict[str, str]:
    """email -> session token, each through Service.login as a judge's page does."""
    return {e: svc.login(e, PASSWORD).token for e in emails}


def create_event(
    svc: Service,
    performers: int,
    perform_seconds: float,
    score_seconds: float,
    required_judges: int = 1,
    **settings,
):
    """A new current event in SETUP (not started). Timers may be shorter than the UI allows."""
    rows = [{"name": f"Performer {i:04d}", "order": i, "category": "Bench"} for i in range(1, performers + 1)]
    s = Settings(
        event_name="Stagescore benchmark",
        perform_seconds=perform_seconds,
        score_seconds=score_seconds,
        required_judges=required_judges,
        **settings,
    )
    return svc.create_event(s, build_roster(rows))


def start_event(svc: Service):
    """The admin's Start (forced: no quorum needed)."""
    return svc.command(None, Command(CommandKind.START, force=True))


def transitions(svc: Service, event_id: str, kinds: Iterable[str] | None = None) -> list[dict]:
    """State-change log entries (they carry `version` and `written_at`), oldest first."""
    wanted = set(kinds) if kinds else None
    entries, _ = svc.store.log.entries(event_id)
    out = []
    for e in entries:
        if wanted is not None and e.kind not in wanted:
            continue
        data = e.payload()
        if "written_at" not in data:
            continue
        out.append({"kind": e.kind, "ts": e.ts, "version": int(data["version"]), **data})
    return sorted(out, key=lambda d: d["version"])


class Repeater(threading.Thread):
    """Call fn every `period` seconds in a daemon thread until stopped; counts exceptions."""

    def __init__(self, fn: Callable[[], None], period: float, name: str = "repeater"):
        super().__init__(name=name, daemon=True)
        self.fn, self.period = fn, period
        self.stopped = threading.Event()
        self.errors: list[str] = []

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                self.fn()
            except Exception as e:  # recorded, and the benchmark reports it
                self.errors.append(f"{type(e).__name__}: {e}")
            self.stopped.wait(self.period)

    def stop(self) -> None:
        self.stopped.set()
        self.join(5)


# ---- scoring judges ---------------------------------------------------------------------------------


class ScoreDriver(threading.Thread):
    """Judges scoring through Service.submit_score, as their pages would: in every scoring window each
    judge submits once, at a planned moment (evenly spaced over `spread` of the window, or at random
    there), each from a thread of its own. Records every submission and every error."""

    def __init__(
        self,
        svc: Service,
        tokens: dict[str, str],
        event_id: str,
        spread: tuple[float, float] = (0.2, 0.8),
        random_times: bool = False,
        revise: float = 0.0,
        seed: int = 7,
    ):
        super().__init__(name="score-driver", daemon=True)
        import random
        from concurrent.futures import ThreadPoolExecutor

        self.svc, self.tokens, self.event_id = svc, tokens, event_id
        self.spread, self.random_times, self.revise = spread, random_times, revise
        self.rng = random.Random(seed)
        self.pool = ThreadPoolExecutor(max_workers=max(1, len(tokens)), thread_name_prefix="judge")
        self.stopped = threading.Event()
        self._lock = threading.Lock()
        self.submitted: list[dict] = []  # judge, performer_id, submitted_at, call_seconds, revision
        self.refused: list[str] = []  # ScoreRefused: the window closed under the judge (a race, not a bug)
        self.errors: list[str] = []  # anything else
        self.skipped = 0  # planned too close to the deadline to be fair
        self.windows = 0

    def run(self) -> None:
        seen = None
        while not self.stopped.is_set():
            try:
                state = self.svc.store.events.state(self.event_id)
            except Exception as e:
                with self._lock:
                    self.errors.append(f"load_state: {type(e).__name__}: {e}")
                self.stopped.wait(0.2)
                continue
            if state is None or state.phase.value == "FINISHED":
                self.stopped.wait(0.2)
                continue
            if state.phase.value == "SCORING" and state.window_id != seen and state.deadline:
                seen = state.window_id
                self.windows += 1
                self._plan(state)
            self.stopped.wait(0.05)

    def _plan(self, state) -> None:
        start, end = state.window_started_at or time.time(), state.deadline
        lo, hi = self.spread
        judges = list(self.tokens)
        k = len(judges)
        for i, judge in enumerate(judges):
            f = self.rng.uniform(lo, hi) if self.random_times else lo + (hi - lo) * (i + 0.5) / k
            at = start + (end - start) * f
            self.pool.submit(self._submit, judge, state.performer_id, at, end)
            if self.revise and self.rng.random() < self.revise:
                again = start + (end - start) * self.rng.uniform(f, hi)
                self.pool.submit(self._submit, judge, state.performer_id, again, end)

    def _submit(self, judge: str, performer_id: str, at: float, deadline: float) -> None:
        from engine.model import ScoreRefused

        delay = at - time.time()
        if delay > 0 and self.stopped.wait(delay):
            return
        if deadline - time.time() < 0.15:
            with self._lock:
                self.skipped += 1
            return
        value = f"{self.rng.randint(30, 100) / 10:.1f}"
        t0 = time.perf_counter()
        try:
            score, _ = self.svc.submit_score(self.tokens[judge], performer_id, {"Score": value})
        except ScoreRefused as e:
            with self._lock:
                self.refused.append(f"{judge} {performer_id}: {e}")
            return
        except Exception as e:
            with self._lock:
                self.errors.append(f"{judge} {performer_id}: {type(e).__name__}: {e}")
            return
        with self._lock:
            self.submitted.append(
                {
                    "judge": judge,
                    "performer_id": performer_id,
                    "submitted_at": score.submitted_at,
                    "revision": score.revision,
                    "call_seconds": time.perf_counter() - t0,
                }
            )

    def stop(self) -> None:
        self.stopped.set()
        self.join(5)
        self.pool.shutdown(wait=True, cancel_futures=True)


# ---- changes and who saw them --------------------------------------------------------------------


def board_changes(svc: Service, event_id: str) -> list[tuple[float, str, int]]:
    """Every change the public board shows, as (written at, "version" | "scores", value):
    each state change (its log entry's written_at, the state version it wrote), and the k-th score
    stored (its submitted_at; the board's "scores in" column then sums to k)."""
    out = [(t["written_at"], "version", t["version"]) for t in transitions(svc, event_id)]
    scores = sorted(svc.store.scores.list(event_id, consistent=True), key=lambda s: s.first_submitted_at)
    out += [(s.first_submitted_at, "scores", k) for k, s in enumerate(scores, start=1)]
    return sorted(out)


def seen_latencies(
    changes: Sequence[tuple[float, str, int]],
    observations: Sequence[tuple[float, int, int]],
    since: float = 0.0,
    until: float = float("inf"),
) -> list[float]:
    """For one viewer: seconds from each change (written in [since, until]) to the first observation
    (seen at, state version, scores in) that shows it. Changes before the viewer's first observation
    are skipped (it was not watching yet); a change never seen is reported as infinity."""
    import bisect

    if not observations:
        return []
    times = [o[0] for o in observations]
    # Running maxima, so that both sequences are sorted for bisect.
    versions, scores, v, n = [], [], -1, -1
    for _, ver, cnt in observations:
        v, n = max(v, ver), max(n, cnt)
        versions.append(v)
        scores.append(n)
    out = []
    for written, kind, value in changes:
        if written < since or written > until or written < times[0]:
            continue
        seq = versions if kind == "version" else scores
        i = bisect.bisect_left(seq, value)
        out.append(times[i] - written if i < len(seq) else float("inf"))
    return out


# ---- real browsers on the board -----------------------------------------------------------------

# Installed in the page: a MutationObserver on the board's root records, in the page's own clock
# (performance.timeOrigin + performance.now(), milliseconds since the epoch), every render that
# changed the state version or the number of scores shown.
OBSERVER_JS = """(root) => {
  window.__bench = [];
  let last = null;
  const sample = () => {
    const v = root.dataset.version || "";
    let n = 0;
    for (const tr of root.querySelectorAll("table.ranking tbody tr")) {
      const cell = tr.children[3];
      if (cell) n += parseInt(cell.textContent, 10) || 0;
    }
    const parts = v.split(":");
    const key = parts[0] + ":" + parts[1] + "|" + n;
    if (v && key !== last) {
      last = key;
      window.__bench.push([performance.timeOrigin + performance.now(), parseInt(parts[1], 10), n]);
    }
  };
  new MutationObserver(sample).observe(root, {childList: true, subtree: true, attributes: true});
  sample();
  return true;
}"""


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def open_board(browser, url: str, timeout_ms: int = 60_000):
    """A page in a context of its own (its own Streamlit session) on the board, observer installed."""
    ctx = browser.new_context(viewport={"width": 1000, "height": 700})
    ctx.set_default_timeout(timeout_ms)
    page = ctx.new_page()
    page.goto(url + "/leaderboard", wait_until="domcontentloaded")
    board = page.locator(".board[data-version]")
    board.wait_for(state="attached")
    page.evaluate(OBSERVER_JS, board.element_handle())
    return page


def board_observations(page) -> list[tuple[float, int, int]]:
    """(seen at in seconds since the epoch, state version, scores in) from the page's observer."""
    return [(t / 1000.0, int(v), int(n)) for t, v, n in page.evaluate("window.__bench || []")]


# ---- diagnosis ------------------------------------------------------------------------------------


def diag_env(cpu_profile: str | None = None, tracemalloc: str | None = None, every: float = 10.0) -> dict:
    """Environment for a child process that loads bench/diag/sitecustomize.py: an all-threads CPU
    profile and/or tracemalloc growth, written under bench/results/profiles/<name>."""
    out_dir = RESULTS / "profiles"
    out_dir.mkdir(parents=True, exist_ok=True)
    env = {"PYTHONPATH": str(ROOT / "bench" / "diag")}
    if cpu_profile:
        env.update(BENCH_CPU_PROFILE_OUT=str(out_dir / cpu_profile), BENCH_CPU_PROFILE_EVERY=str(every))
        say(f"CPU profile of every thread: {out_dir / cpu_profile}")
    if tracemalloc:
        (out_dir / tracemalloc).write_text("")
        env.update(BENCH_TRACEMALLOC_OUT=str(out_dir / tracemalloc), BENCH_TRACEMALLOC_EVERY=str(every))
        say(f"tracemalloc growth by allocation site: {out_dir / tracemalloc}")
    return env
