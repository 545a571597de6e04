"""What a benchmark reports: statistics, tables for people and, as its last line, one JSON object
{"script", "date", "machine", "figures", "targets"} that `bench/run_all.py` collects into
bench/results/latest.json; also the process statistics and diagnosis settings the figures come from."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from tests.support.processes import ROOT

RESULTS = ROOT / "bench" / "results"
LOGS = RESULTS / "logs"


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


def at_most(value: float | None, limit: float) -> bool:
    """A figure's target of the form `value <= limit`; a figure that could not be measured misses it."""
    return value is not None and value <= limit


def ms_summary(seconds: Sequence[float], ps: Sequence[int] = (50, 95, 99)) -> dict:
    """Milliseconds: n, the chosen percentiles, max and mean, rounded to 0.1 ms."""
    out: dict = {"n": len(seconds)}
    for p in ps:
        v = percentile(seconds, p)
        out[f"p{p}_ms"] = None if v is None else round(v * 1000, 1)
    out["max_ms"] = round(max(seconds) * 1000, 1) if seconds else None
    out["mean_ms"] = round(sum(seconds) / len(seconds) * 1000, 1) if seconds else None
    return out


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


# ---- diagnosis ------------------------------------------------------------------------------------


def add_profile_server_option(ap: argparse.ArgumentParser) -> None:
    """`--profile-server`: see diag_env's cpu_profile."""
    ap.add_argument(
        "--profile-server",
        action="store_true",
        help="diagnosis: CPU profile of every Streamlit thread to bench/results/profiles/",
    )


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
