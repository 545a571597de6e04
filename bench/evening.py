"""The README's typical evening from bench/event_cost.py's measured figures: the performers and judges of
the run, 3 web servers, 2 engines, 3 hours, a load balancer probing each server every 10 s, one admin desk
open all evening; at DynamoDB on-demand prices in US East (README, "Operations and the cost of an event").

Assumptions, not measurements: the judges spread over the servers (each server writes presence and checks
sessions; the units are per judge, so they are those of all judges on one server), every score wakes the
feed of the server that took it once (one ordinary tick more), every server's feed reads each move once
more, the standby's refused conditional writes are billed 1 write unit each (DynamoDB Local reports none).
"""

from __future__ import annotations

SERVERS, ENGINES, HOURS, PROBE_SECONDS, DESK_SECONDS = 3, 2, 3.0, 10.0, 2.0
READ_PRICE, WRITE_PRICE = 0.125e-6, 0.625e-6  # $ per read / write request unit


def _line(requests: float, read: float, write: float) -> dict:
    return {"requests": round(requests), "read_units": round(read), "write_units": round(write)}


def _times(p: dict, n: float) -> dict:
    return _line(p["requests"] * n, p["read_units"] * n, p["write_units"] * n)


def estimate(out: dict, performers: int, judges: int, hours: float = HOURS) -> dict:
    minutes = hours * 60
    w = out["walk"]
    feed = out["feed_with_viewers"]
    scores = performers * judges
    moves = round(w["moves"] / w["scores"] * scores) if w["scores"] else 0  # the walk's moves per score
    steps = round(w["steps"] / w["scores"] * scores) + 1 if w["scores"] else 0  # +1: the last close
    after, ordinary = w["feed_tick_after_move"], w["feed_tick_ordinary"]
    extra = {k: after[k] - ordinary[k] for k in ("requests", "read_units", "write_units")}
    tick = {k: feed["tick_reads"][k] / feed["ticks_per_minute"] for k in extra}
    eng = out["engines_per_minute"]
    refused = sum(eng.get("refused", {}).get(op, 0) for op in ("UpdateItem", "PutItem"))
    lines = {
        "scores": _times(w["per_live_score"], scores),
        "transitions": _times(w["per_transition"], steps),
        "engines": _times({**eng, "write_units": eng["write_units"] + refused}, minutes),
        "feed_ticks": _times(feed["tick_reads"], minutes * SERVERS),
        "feed_moves": _times(extra, moves * SERVERS),
        "feed_score_wakes": _times(tick, scores),
        "presence": _line(
            feed["presence"]["requests"] * minutes * SERVERS,
            feed["presence"]["read_units"] * minutes,
            feed["presence"]["write_units"] * minutes,
        ),
        "sessions": _line(
            feed["sessions"]["requests"] * minutes * SERVERS,
            feed["sessions"]["read_units"] * minutes,
            feed["sessions"]["write_units"] * minutes,
        ),
        "health_probes": _times(out["per_health_probe"], SERVERS * minutes * 60 / PROBE_SECONDS),
        "admin_desk": _times(out["per_admin_desk_engine_line"], minutes * 60 / DESK_SECONDS),
    }
    read = sum(x["read_units"] for x in lines.values())
    write = sum(x["write_units"] for x in lines.values())
    # Not in the total: an admin keeping the results desk open all evening (one snapshot a second).
    desk = _times(out["per_snapshot"], minutes * 60)
    return {
        "assumed": {
            "performers": performers,
            "judges": judges,
            "servers": SERVERS,
            "engines": ENGINES,
            "hours": hours,
            "probe_every_seconds": PROBE_SECONDS,
            "scores": scores,
            "transitions": steps,
            "moves": moves,
        },
        "lines": lines,
        "read_units": round(read),
        "write_units": round(write),
        "requests": sum(x["requests"] for x in lines.values()),
        "dollars": round(read * READ_PRICE + write * WRITE_PRICE, 3),
        "dollars_reads": round(read * READ_PRICE, 3),
        "dollars_writes": round(write * WRITE_PRICE, 3),
        "results_desk_open_all_evening": {**desk, "dollars": round(desk["read_units"] * READ_PRICE, 3)},
    }


def festival(
    out: dict, performers: int, judges: int, stages: int = 4, days: int = 3, hours: float = 10.0
) -> dict:
    """A festival: `stages` stages, `days` days of `hours` hours, each stage an evening of `performers` a day
    with its own `judges`. Each stage costs what one event costs (its feed on every server, its engine
    lease and watcher, its judges' presence and sessions); the load balancer's probes and the admin's
    desk are the deployment's, counted once."""
    day = estimate(out, performers, judges, hours)
    once = ("health_probes", "admin_desk")
    per_stage = {k: v for k, v in day["lines"].items() if k not in once}
    n = stages * days
    read = sum(v["read_units"] for v in per_stage.values()) * n
    read += sum(day["lines"][k]["read_units"] for k in once) * days
    write = sum(v["write_units"] for v in per_stage.values()) * n
    write += sum(day["lines"][k]["write_units"] for k in once) * days
    return {
        "assumed": {**day["assumed"], "stages": stages, "days": days},
        "read_units": round(read),
        "write_units": round(write),
        "dollars": round(read * READ_PRICE + write * WRITE_PRICE, 2),
    }
