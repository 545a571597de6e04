"""What an event costs in DynamoDB requests, counted with botocore events (engine/store/client.py `watch`)
against DynamoDB Local, which also reports the capacity units each request consumed (bench/tally.py).

Measured in this process on the real Service, Store, Engine and live Hub (bench/live_cost.py), as the
servers run them; the event is walked to its last performer's scoring window, the timer's steps written
as the engine writes them:
  per command      an admin command (Service.command: start)
  per transition   the timer's write of one due step (events.write_step)
  per live score   a judge's score through the hub's Scorer and score context, as POST /live/score stores
                   it, the judge's stream connected (every judge, every performer; then one revision each)
  feed per move    what a server's feed reads more in the tick after the state's version moved (roster,
                   conflicts/round/release/checks, the previous performer's scores): a probe Feed
  live feed        one web server's Hub for --seconds, scaled to a minute, --judges judge streams open,
                   with no board viewer and then with --viewers: the tick's reads, presence (BatchWriteItem)
                   and the sessions check (BatchGetItem), in the last performer's long scoring window
  engines          two engines (holder and standby) for the same span, scaled to a minute
  health probe     one /healthz (service.health.engine_health)
  admin desk       one engine line of the admin desk (service.health.engine_desk; the hub's feed now reads
                   only its engines Query, every 2 s while an admin is connected)
  snapshot         one read model of the event (what the admin scores and results desks read, 1-2 s)
Then the README's evening (bench/evening.py) from these figures. Printed, and written to
bench/results/event_cost.json.

    .venv/bin/python -m bench.event_cost [--seconds 20] [--viewers 50]
"""

from __future__ import annotations

import argparse
import json
import time

from bench import evening, events, report
from bench.live_cost import LiveServer
from bench.stack import BenchStack
from bench.tally import Counts, Tally, per
from engine.domain import rules
from engine.domain.model import Command, CommandKind, Phase
from engine.service.core import Service
from engine.service.feed import Feed
from engine.store import Store
from engine.timer.runner import Engine


def walk(svc: Service, live: LiveServer, stack: BenchStack, tokens: dict[str, str], performers: int) -> dict:
    """Every performer up to the last one's scoring window: the engine's writes, the feed's reads after
    each move, every judge's score on the live path."""
    steps_tally, probe_tally = Tally(engine_store := stack.store()), Tally(probe_store := stack.store())
    probe = Feed(probe_store)
    after, ordinary = Counts(), Counts()
    n_steps = n_moves = n_scores = scored = 0
    while scored < performers:
        b = svc.bundle()
        steps = rules.due_steps(b.state, b.settings, b.state.deadline, len(tokens))
        if not steps:
            raise RuntimeError(f"nothing due in {b.state.phase}")
        probe.read()  # what was due anyway, so the next read is the move's
        probe_tally.take()
        version = b.state.version
        for step in steps:
            engine_store.events.write_step(version, step, "engine", step.at)
            version, n_steps = step.state.version, n_steps + 1
        n_moves += 1
        live.wake()  # the hub's read just after a deadline
        probe.read()
        after += probe_tally.take()
        probe.read()
        ordinary += probe_tally.take()
        live.wait_version(version)
        state = steps[-1].state
        if state.phase is Phase.SCORING:
            values = {c.name: str(c.max) for c in b.settings.criteria}
            for email, token in tokens.items():
                live.submit(token, state.performer_id, state.window_id, values, f"w{state.window_id}-{email}")
                n_scores += 1
            scored += 1
    out = {
        "steps": n_steps,
        "moves": n_moves,
        "scores": n_scores,
        "per_transition": per(steps_tally.take(), n_steps),
        "per_live_score": per(live.score_tally.take(), n_scores),
        "feed_tick_after_move": per(after, n_moves),
        "feed_tick_ordinary": per(ordinary, n_moves),
    }
    values = {c.name: str(c.min) for c in svc.bundle().settings.criteria}
    for email, token in tokens.items():  # one revision each, the last performer on stage
        live.submit(token, state.performer_id, state.window_id, values, f"r{state.window_id}-{email}")
    out["per_live_revision"] = per(live.score_tally.take(), len(tokens))
    return out


def minute(m: dict) -> dict:
    """A LiveServer.measure as requests and units per minute, and how they split."""
    scale = 60 / m["seconds"]
    return {
        **{k: m[k] for k in ("seconds", "judges", "viewers", "ticks", "documents_pushed")},
        "ticks_per_minute": round(m["ticks"] * scale, 1),
        "all": per(m["counts"], 1, scale),
        "tick_reads": per(m["tick_reads"], 1, scale),
        "presence": per(m["presence"], 1, scale),
        "sessions": per(m["sessions"], 1, scale),
    }


def steady(live: LiveServer, stack: BenchStack, a) -> dict:
    """The live feed with the judges' streams open, without and then with board viewers; two engines
    running meanwhile, counted apart."""
    engine_tally, engines = Tally(), []
    for _ in range(2):
        store = Store(stack.config())
        engine_tally.watch(store)
        engines.append(Engine(store))
    for e in engines:
        e.start()
    try:
        first = live.measure(a.seconds, warmup=3.0)
        engine_tally.take()  # both running by now, the lease taken
        t0 = time.monotonic()
        live.add_viewers(a.viewers)
        second = live.measure(a.seconds)
        engines_minute = per(engine_tally.take(), 1, 60 / (time.monotonic() - t0))
    finally:
        for e in engines:
            e.stop()
    return {
        "feed_no_viewers": minute(first),
        "feed_with_viewers": minute(second),
        "engines_per_minute": engines_minute,
    }


def singles(svc: Service, tally: Tally) -> dict:
    """One of each read a page or a probe makes, on the event as it stands."""
    out = {}
    for name, call in (
        ("per_health_probe", svc.health.engine_health),
        ("per_admin_desk_engine_line", svc.health.engine_desk),
        ("per_snapshot", svc.snapshot),
    ):
        tally.take()
        call()
        out[name] = per(tally.take(), 1)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="how long each live-feed level is counted")
    ap.add_argument("--performers", type=int, default=60)
    ap.add_argument("--judges", type=int, default=9)
    ap.add_argument("--viewers", type=int, default=50, help="board viewers at the second level")
    a = ap.parse_args()
    out: dict[str, dict] = {}
    with BenchStack("cost") as stack:
        svc = stack.service()
        tally = Tally(svc.store)
        judges = events.add_judges(svc, a.judges)
        tokens = events.login_all(svc, judges)
        events.create_event(svc, a.performers, 1.0, 600.0)
        tally.take()
        svc.command(None, Command(CommandKind.START, force=True))
        out["per_command"] = per(tally.take(), 1)
        with LiveServer(Service(stack.store()), stack.store()) as live:
            live.connect_judges(tokens)  # their streams open before the first window, as at an event
            out["walk"] = walk(svc, live, stack, tokens, a.performers)
            out.update(steady(live, stack, a))
            out["frames"] = dict(live.frames)
        out.update(singles(svc, tally))
    out["evening"] = evening.estimate(out, a.performers, a.judges)
    out["festival"] = evening.festival(out, performers=40, judges=a.judges)  # 4 stages, 3 days of 10 h
    print(json.dumps(out, indent=2))
    (report.RESULTS / "event_cost.json").write_text(json.dumps(out, indent=2) + "\n")
    report.emit("event_cost", out)


if __name__ == "__main__":
    main()
