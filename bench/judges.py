"""What N judges cost one web server process, at the protocol level: N = 1, 5, 10, 20, 50.

Each simulated judge is what the judge screen does in a browser: an open /live/judge event stream (its
session cookie) and POST /live/score. (The judge page itself runs once per window change; its
websocket session is not simulated here: see README, Performance.) Beside them one /live/public and
one /live/admin stream. The engine runs an event (perform 1.5 s, score 10 s) on DynamoDB Local.

Per N: server CPU per idle judge (the event paused: only ticks, presence, keep-alives), memory per
judge (resident, after opening the streams, over the N=0 baseline), "submit → acknowledged" p50/p95
one after another and all at once, the window flip (a transition at its scheduled time → the judge's
stream shows the new window) p95, and a new score → the admin desk shows it, p95 (the public board holds
the performer being scored back until the window closes: engine/domain/publicity.py).

    .venv/bin/python -m bench.judges [--levels 1,5,10,20,50] [--idle 6]
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from decimal import Decimal

from bench import report
from bench.drivers.live import StreamClient, post_score
from bench.stack import BenchStack
from engine.domain import accounts
from engine.domain.model import Account, Command, CommandKind, Role, Settings
from engine.domain.roster import build_roster
from ui.cookies import SESSION

PASSWORD = "bench-Password-1"
SCORE_SECONDS = 10.0  # 50 judges one after another must fit in one window on a loaded machine


def seed(stack: BenchStack, judges: int, performers: int) -> dict[str, str]:
    svc = stack.service()
    digest = accounts.hash_password(PASSWORD)
    for i in range(1, judges + 1):
        svc.store.accounts.put(Account(f"j{i:02d}@bench.local", f"Judge {i}", Role.JUDGE, Decimal(1)), digest)
    svc.store.accounts.put(Account("admin@bench.local", "Admin", Role.ADMIN), digest)
    roster = build_roster([{"name": f"Performer {i}", "order": i} for i in range(1, performers + 1)])
    settings = Settings(perform_seconds=1.5, score_seconds=SCORE_SECONDS, required_judges=1, auto_start=False)
    svc.create_event(settings, roster, open_lobby=True)
    emails = [f"j{i:02d}@bench.local" for i in range(1, judges + 1)] + ["admin@bench.local"]
    return {e: svc.logins.login(e, PASSWORD).token for e in emails}


class Bench:
    def __init__(self, stack: BenchStack, tokens: dict[str, str]):
        self.stack, self.tokens = stack, tokens
        self.svc = stack.service()
        self.host, self.port = "127.0.0.1", stack.port
        name = "".join(ch for ch in stack.prefix if ch.isalnum() or ch in "-_") + SESSION
        self.cookie = {e: f"{name}={t}" for e, t in tokens.items()}
        self.admin = tokens["admin@bench.local"]
        self.web = report.ProcStats(stack.web.pid)

    def command(self, kind: CommandKind) -> None:
        self.svc.command(self.admin, Command(kind, force=True))

    async def open(self, path: str, email: str = "") -> tuple[StreamClient, asyncio.Task]:
        client = StreamClient(self.host, self.port, path, self.cookie.get(email, ""))
        task = asyncio.create_task(client.run())
        await asyncio.wait_for(client.connected.wait(), 30)
        return client, task

    async def until_phase(self, public: StreamClient, phase: str, timeout: float = 30) -> dict:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            doc = public.last
            if doc and doc["phase"] == phase and not doc["paused"]:
                fresh = phase != "SCORING" or doc["deadline"] - time.time() > 0.7 * SCORE_SECONDS
                if fresh:  # a window just opened: the submits have its whole length
                    return doc
            await asyncio.sleep(0.02)
        raise TimeoutError(f"the event did not reach {phase}")

    async def submits(self, public, judges: list[str], at_once: bool) -> tuple[list[float], list[tuple]]:
        doc = await self.until_phase(public, "SCORING")
        state = self.svc.bundle().state
        bodies = {
            e: {"performer_id": state.performer_id, "window_id": doc["window_id"], "values": {"Score": "7"},
                "request_id": uuid.uuid4().hex}
            for e in judges
        }  # fmt: skip
        acks, done = [], []
        if at_once:
            outs = await asyncio.gather(
                *(post_score(self.host, self.port, self.cookie[e], bodies[e]) for e in judges)
            )
        else:
            outs = []
            for e in judges:
                outs.append(await post_score(self.host, self.port, self.cookie[e], bodies[e]))
                done.append((time.time(), len(outs)))
        for took, status, answer in outs:
            if status != 200:
                raise RuntimeError(f"a submit was answered {status}: {answer}")
            acks.append(took)
        return acks, done


def _shown_after(stream: StreamClient, done: list[tuple[float, int]], count) -> list[float]:
    """For each (acknowledged at, n-th score): how long until the stream's doc counted n scores."""
    out = []
    for at, n in done:
        seen = next((t for t, d in stream.docs if t >= at - 1 and count(d) >= n), None)
        if seen is not None:
            out.append(max(0.0, seen - at))
    return out


def _flips(streams: list[StreamClient]) -> list[float]:
    """Per judge, per new window: its doc's arrival after the window's scheduled start."""
    out = []
    for s in streams:
        seen = set()
        for t, d in s.docs:
            key = (d.get("window_id"), d.get("phase"))
            if d.get("window_started_at") and key not in seen and not d.get("paused"):
                if seen:
                    out.append(t - d["window_started_at"])
                seen.add(key)
    return out


async def paused_cost(b: Bench, idle: float) -> tuple[float, float]:
    """The web server's cores and RSS over `idle` seconds with the clock paused: nothing but the open
    streams costs anything then. The clock runs again afterwards."""
    b.command(CommandKind.PAUSE)
    await asyncio.sleep(1.0)
    b.web.mark()
    await asyncio.sleep(idle)
    _, cores = b.web.cpu_since_mark()
    rss = b.web.rss_mb()
    b.command(CommandKind.RESUME)
    return cores, rss


async def level(b: Bench, n: int, idle: float, baseline: dict) -> dict:
    judges = [f"j{i:02d}@bench.local" for i in range(1, n + 1)]
    public, pt = await b.open("/live/public")
    admin, at = await b.open("/live/admin", "admin@bench.local")
    opened = [await b.open("/live/judge", e) for e in judges]
    streams = [c for c, _ in opened]
    await asyncio.sleep(1.0)
    cores, rss = await paused_cost(b, idle)
    for s in [public, admin, *streams]:
        s.docs.clear()
    seq, done = await b.submits(public, judges, at_once=False)
    await b.until_phase(public, "PERFORMING")
    burst, _ = await b.submits(public, judges, at_once=True)
    await b.until_phase(public, "PERFORMING")
    await asyncio.sleep(0.5)
    figures = {
        "judges": n,
        "idle_cores": round(cores, 4),
        "idle_core_pct_per_judge": round(100 * (cores - baseline["cores"]) / n, 3),
        "rss_mb": round(rss, 1),
        "rss_mb_per_judge": round((rss - baseline["rss"]) / n, 3),
        "submit_one_after_another": report.ms_summary(seq),
        "submit_all_at_once": report.ms_summary(burst),
        "window_flip_seen": report.ms_summary(_flips(streams)),
        "score_on_admin": report.ms_summary(_shown_after(admin, done, lambda d: d.get("scores_in", 0))),
        "stream_errors": sorted({s.error for s in streams if s.error}),
    }
    for c, t in [(public, pt), (admin, at), *opened]:
        c.close()
        t.cancel()
    await asyncio.sleep(0.5)
    return figures


async def run(b: Bench, levels: list[int], idle: float) -> list[dict]:
    b.command(CommandKind.START)
    await asyncio.sleep(1.0)
    cores, rss = await paused_cost(b, idle)
    baseline = {"cores": cores, "rss": rss}
    out = [{"judges": 0, "idle_cores": round(cores, 4), "rss_mb": round(baseline["rss"], 1)}]
    for n in levels:
        report.say(f"{n} judges")
        out.append(await level(b, n, idle, baseline))
    return out


def _met(value, limit) -> bool:
    return value is not None and value <= limit


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--levels", default="1,5,10,20,50")
    ap.add_argument("--idle", type=float, default=6.0, help="seconds of idle CPU measurement per level")
    a = ap.parse_args()
    levels = [int(x) for x in a.levels.split(",")]
    with BenchStack("judges") as stack:
        tokens = seed(stack, max(levels), performers=4 * len(levels) + 6)
        stack.start_engine()
        stack.start_web()
        rows = asyncio.run(run(Bench(stack, tokens), levels, a.idle))
    top = rows[-1]
    columns = {
        "idle %core/judge": lambda r: r["idle_core_pct_per_judge"],
        "MB/judge": lambda r: r["rss_mb_per_judge"],
        "ack p95 seq": lambda r: r["submit_one_after_another"]["p95_ms"],
        "ack p95 all": lambda r: r["submit_all_at_once"]["p95_ms"],
        "flip p95": lambda r: r["window_flip_seen"]["p95_ms"],
        "admin p95": lambda r: r["score_on_admin"]["p95_ms"],
    }
    report.print_table(
        "Judges on one web server process",
        ["N", *columns],
        [[r["judges"], *(f(r) for f in columns.values())] for r in rows[1:]],
    )
    report.emit("judges", {"levels": rows}, targets(top))


def targets(top: dict, beside: str = "") -> dict[str, dict]:
    """The judges' targets for one level's figures; `beside` names what else ran (bench/hall.py)."""
    seq, burst, flip = (
        top[k]["p95_ms"] for k in ("submit_one_after_another", "submit_all_at_once", "window_flip_seen")
    )
    board = top["score_on_admin"]["p95_ms"] or 1e9
    idle = top["idle_core_pct_per_judge"]
    n = top["judges"]
    return {
        "idle": report.target(f"idle judge <= 0.5 % of a core (N={n}){beside}", idle, idle <= 0.5),
        "ack": report.target(f"submit -> ack p95 <= 300 ms, {n} judges{beside}", seq, _met(seq, 300)),
        "burst": report.target(f"{n} judges at once p95 <= 750 ms{beside}", burst, _met(burst, 750)),
        "flip": report.target("window flip seen <= 250 ms after the deadline p95", flip, _met(flip, 250)),
        "board": report.target("new score on the admin desk <= 500 ms p95", board, board <= 500),
    }


if __name__ == "__main__":
    main()
