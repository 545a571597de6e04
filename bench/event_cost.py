"""What an event costs in DynamoDB requests, counted with botocore events (engine/store/client.py `watch`)
against DynamoDB Local, which also reports the capacity units each request consumed.

Measured, in this process on the real Service, Store and Engine:
  per score        a judge's Service.submit_score in an open window (9 judges, averaged)
  per transition   the timer's write of one due step (events.write_step), as the engine writes it
  per command      an admin command (Service.command: start)
  engine, idle     two engines (holder and standby) for --seconds, scaled to a minute: lease renewals,
                   seen items, the presence poll (the event in a long scoring window, 9 judges present)
  health probe     one /healthz (Service.engine_health)
  snapshot         one read model of the finished event (what a server's feed reads per tick)
  heartbeat        one judge page's presence heartbeat (Service.heartbeat)
The web servers' live feed is bench/db_cost.py's figure (a counting proxy in front of the server process).

    .venv/bin/python -m bench.event_cost [--seconds 20]
"""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections import Counter

from bench import events
from bench.stack import BenchStack
from engine import rules
from engine.model import Command, CommandKind, Phase
from engine.runner import Engine
from engine.store import Store


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self.units = Counter()

    def __call__(self, operation: str, consumed: list[dict]) -> None:
        with self.lock:
            self.requests[operation] += 1
            for c in consumed:
                self.units["read"] += float(c.get("ReadCapacityUnits", 0) or 0)
                self.units["write"] += float(c.get("WriteCapacityUnits", 0) or 0)
                if "ReadCapacityUnits" not in c and "WriteCapacityUnits" not in c:
                    kind = "write" if operation in WRITES else "read"
                    self.units[kind] += float(c.get("CapacityUnits", 0) or 0)

    def take(self) -> dict:
        with self.lock:
            out = {"requests": dict(self.requests), "total": sum(self.requests.values()), **self.units}
            self.requests.clear()
            self.units.clear()
        return out


WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


def per(tally: Tally, n: int) -> dict:
    t = tally.take()
    return {
        "requests": round(t["total"] / n, 2),
        "by_operation": {k: round(v / n, 2) for k, v in sorted(t["requests"].items())},
        "read_units": round(t.get("read", 0) / n, 2),
        "write_units": round(t.get("write", 0) / n, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="how long the idle engines are counted")
    ap.add_argument("--performers", type=int, default=60)
    ap.add_argument("--judges", type=int, default=9)
    a = ap.parse_args()
    out: dict[str, dict] = {}
    with BenchStack("cost") as stack:
        svc = stack.service()
        tally = Tally()
        svc.store.client.watch(tally)
        judges = events.add_judges(svc, a.judges)
        tokens = events.login_all(svc, judges)
        events.create_event(svc, a.performers, 1.0, 600.0)
        for email in judges:
            svc.store.presence.heartbeat(svc.event_id(), email, time.time())
        tally.take()
        svc.command(None, Command(CommandKind.START, force=True))
        out["per_command"] = per(tally, 1)
        tallies = {"transition": Tally(), "score": Tally(), "other": Tally()}
        counting = {"what": "other"}
        svc.store.client.watch(lambda op, cc: tallies[counting["what"]](op, cc))
        n_steps = n_scores = 0
        while (b := svc.bundle()).state.phase is not Phase.FINISHED:
            # the timer's write of what is due at the deadline (the engine has the bundle from its poll,
            # counted under engines_per_minute)
            steps = rules.due_steps(b.state, b.settings, b.state.deadline, a.judges)
            counting["what"] = "transition"
            version = b.state.version
            for step in steps:
                svc.store.events.write_step(version, step, "engine", step.at)
                version, n_steps = step.state.version, n_steps + 1
            counting["what"] = "other"
            b = svc.bundle()
            if b.state.phase is Phase.SCORING:
                counting["what"] = "score"
                values = {c.name: str(c.max) for c in b.settings.criteria}
                for email in judges:
                    svc.submit_score(tokens[email], b.state.performer_id, values)
                    n_scores += 1
                counting["what"] = "other"
        transitions, scores = tallies["transition"], tallies["score"]
        tally.take()
        out["per_transition"] = per(transitions, n_steps)
        out["per_score"] = per(scores, n_scores)
        svc.snapshot()
        out["per_snapshot_full_event"] = per(tally, 1)
        svc.engine_health()
        out["per_health_probe"] = per(tally, 1)
        svc.heartbeat(tokens[judges[0]])
        out["per_judge_heartbeat"] = per(tally, 1)
        engine_tally = Tally()
        engines = []
        for _ in range(2):
            store = Store(stack.config())
            store.client.watch(engine_tally)
            engines.append(Engine(store))
        for e in engines:
            e.start()
        time.sleep(2)  # both running, the lease taken
        engine_tally.take()
        time.sleep(a.seconds)
        out["engines_per_minute"] = per(engine_tally, 1)
        for k in ("requests", "read_units", "write_units"):
            out["engines_per_minute"][k] = round(out["engines_per_minute"][k] * 60 / a.seconds, 1)
        out["engines_per_minute"]["by_operation"] = {
            k: round(v * 60 / a.seconds, 1) for k, v in out["engines_per_minute"]["by_operation"].items()
        }
        for e in engines:
            e.stop()
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
