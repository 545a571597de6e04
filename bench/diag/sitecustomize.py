"""Diagnosis hooks for a process a benchmark starts with this folder leading its PYTHONPATH (Python
imports `sitecustomize` at start-up). Both off unless their variable is set; both slow the process.

BENCH_TRACEMALLOC_OUT   tracemalloc on; every BENCH_TRACEMALLOC_EVERY seconds the allocation sites that
                        grew most since the first snapshot are appended to that file.
BENCH_CPU_PROFILE_OUT   a CPU profiler of every thread (pyinstrument follows one thread only): every
                        5 ms, each thread that used CPU time since the last look (its own CPU clock)
                        has its stack charged with that time; every BENCH_CPU_PROFILE_EVERY seconds the
                        totals (by thread, by function, and the heaviest stacks) replace that file.
"""

import os
import threading
import time


def _tracemalloc(path: str, every: float) -> None:
    import tracemalloc

    tracemalloc.start(30)

    def watch() -> None:
        time.sleep(every)
        first = tracemalloc.take_snapshot()
        while True:
            time.sleep(every)
            snap = tracemalloc.take_snapshot()
            stats = snap.compare_to(first, "traceback")[:15]
            current, peak = tracemalloc.get_traced_memory()
            with open(path, "a") as out:
                mb = f"{current / 2**20:.1f} MB (peak {peak / 2**20:.1f})"
                out.write(f"=== {time.strftime('%H:%M:%S')} traced {mb}\n")
                for s in stats:
                    out.write(f"{s.size_diff / 1024:+.0f} KiB in {s.count_diff:+d} blocks\n")
                    # The project's own frames (where the memory is held from), then the innermost ones.
                    frames = list(s.traceback)
                    ours = [
                        f
                        for f in frames[:-6]
                        if "site-packages" not in f.filename and "/lib/python" not in f.filename
                    ]
                    for f in ours + frames[-6:]:
                        out.write(f"    {f.filename}:{f.lineno}\n")

    threading.Thread(target=watch, name="bench-tracemalloc", daemon=True).start()


def _cpu_profile(path: str, every: float, interval: float = 0.005) -> None:
    import collections
    import sys

    stacks: collections.Counter = collections.Counter()
    threads: collections.Counter = collections.Counter()
    last: dict[int, float] = {}

    def cpu_of(ident: int) -> float | None:
        try:
            return time.clock_gettime(time.pthread_getcpuclockid(ident))
        except (OSError, OverflowError):
            return None

    def label(frame) -> tuple[str, ...]:
        out = []
        while frame is not None:
            code = frame.f_code
            out.append(f"{code.co_name} ({os.path.basename(code.co_filename)}:{code.co_firstlineno})")
            frame = frame.f_back
        return tuple(reversed(out))

    def write(total: float) -> None:
        inclusive: collections.Counter = collections.Counter()
        for stack, t in stacks.items():
            for f in set(stack[1:]):
                inclusive[f] += t
        lines = [f"CPU seconds profiled: {total:.2f} (every {interval * 1000:.0f} ms)", "", "by thread:"]
        lines += [f"  {t:8.2f} s  {name}" for name, t in threads.most_common(15)]
        lines += ["", "by function (inclusive):"]
        lines += [f"  {t:8.2f} s  {f}" for f, t in inclusive.most_common(60)]
        lines += ["", "heaviest stacks (innermost 14 frames):"]
        for stack, t in stacks.most_common(25):
            lines.append(f"  {t:8.2f} s  [{stack[0]}]")
            lines += [f"              {f}" for f in stack[1:][-14:]]
        tmp = path + ".tmp"
        with open(tmp, "w") as out:
            out.write("\n".join(lines) + "\n")
        os.replace(tmp, path)

    def sample() -> None:
        me = threading.get_ident()
        names = {}
        next_write = time.monotonic() + every
        total = 0.0
        while True:
            time.sleep(interval)
            frames = sys._current_frames()
            for gone in set(last) - set(frames):  # a finished thread's id may be reused by a new one
                del last[gone]
            for t in threading.enumerate():
                names[t.ident] = t.name
            for ident, frame in frames.items():
                if ident == me:
                    continue
                now = cpu_of(ident)
                if now is None:
                    continue
                used = now - last.get(ident, now)
                last[ident] = now
                if used > 0:
                    name = names.get(ident, str(ident))
                    name = name.rstrip("0123456789-_ ") or name  # thread pools: one line per pool
                    stacks[(name, *label(frame))] += used
                    threads[name] += used
                    total += used
            if time.monotonic() >= next_write:
                next_write += every
                write(total)

    threading.Thread(target=sample, name="bench-cpu-profile", daemon=True).start()


if os.environ.get("BENCH_TRACEMALLOC_OUT"):
    _tracemalloc(os.environ["BENCH_TRACEMALLOC_OUT"], float(os.environ.get("BENCH_TRACEMALLOC_EVERY", "60")))
if os.environ.get("BENCH_CPU_PROFILE_OUT"):
    _cpu_profile(os.environ["BENCH_CPU_PROFILE_OUT"], float(os.environ.get("BENCH_CPU_PROFILE_EVERY", "10")))
