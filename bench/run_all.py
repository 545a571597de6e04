"""`make bench`: run every benchmark in order, then write bench/results/latest.json, a JSON object keyed
by script name holding the last line each printed. A missed target is a finding, not a failure: the
exit code is non-zero only when a script crashed or printed no figures.

    .venv/bin/python -m bench.run_all [--soak-minutes 30] [--only clock,burst]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from bench import report
from tests.support.processes import ROOT

SCRIPTS = (
    "clock",
    "browser_latency",
    "db_cost",
    "viewers",
    "sse_viewers",
    "judges",
    "chromium_judges",
    "hall",
    "burst",
    "large_event",
    "doors",
    "festival",
    "votes",
    "soak",
)


def run(name: str, args: list[str]) -> dict:
    cmd = [sys.executable, "-m", f"bench.{name}", *args]
    report.say(f"=== {' '.join(cmd[1:])}")
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    last = ""
    for line in proc.stdout:
        sys.stdout.write(line)
        if line.strip():
            last = line.strip()
    rc = proc.wait()
    took = round(time.monotonic() - t0, 1)
    try:
        doc = json.loads(last)
        if not isinstance(doc, dict) or doc.get("script") != name:
            raise ValueError("not this script's figures")
    except ValueError:
        return {
            "script": name,
            "date": report.today(),
            "error": f"no figures (exit code {rc})",
            "seconds": took,
        }
    doc["seconds"] = took
    if rc:
        doc["error"] = f"exit code {rc}"
    return doc


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--soak-minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", "30")))
    ap.add_argument("--only", help="comma-separated script names")
    a = ap.parse_args()
    names = a.only.split(",") if a.only else list(SCRIPTS)
    unknown = set(names) - set(SCRIPTS)
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    report.RESULTS.mkdir(parents=True, exist_ok=True)
    out = report.RESULTS / "latest.json"
    results: dict[str, dict] = {}
    kept: dict[str, dict] = {}
    if a.only and out.exists():  # a selection updates its entries and keeps the others
        try:
            kept = {k: v for k, v in json.loads(out.read_text()).items() if k not in names}
        except ValueError:
            kept = {}
    for name in names:
        args = ["--minutes", f"{a.soak_minutes:g}"] if name == "soak" else []
        results[name] = run(name, args)
        tmp = out.with_suffix(".json.tmp")
        merged = {k: (results.get(k) or kept[k]) for k in SCRIPTS if k in results or k in kept}
        tmp.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")
        os.replace(tmp, out)

    rows = []
    for name, doc in results.items():
        if "error" in doc and "targets" not in doc:
            rows.append([name, "-", doc["error"], "CRASHED"])
        for t in doc.get("targets", {}).values():
            rows.append([name, t["target"], t["value"], "yes" if t["met"] else "NO"])
    report.print_table(
        f"All benchmarks (written to {out.relative_to(ROOT)})",
        ["script", "target", "value", "met"],
        rows,
    )
    return 1 if any("error" in d for d in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
