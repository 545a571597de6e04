"""bench/votes.py's figures from its observations (bench/results/logs/votes-raw.pickle): the votes, the
tally checked against what the phones were told, the DynamoDB requests per vote, the judges and the
board meanwhile, the page in Chromium, and what the votes cost; its targets and tables.

Counted exactly once: each device whose vote was acknowledged (200) counts one vote, with the stars of
its last acknowledged vote; the window's tally in its `vote_closed` log entry and in its counter shards
must equal those sums, and every vote sent after the close must be refused (409).
DynamoDB requests per vote: the web process's requests (its /metrics, by operation) while the phones
voted, less what it made at the rate of the acts before the window (the feed, the judges' scores), over
the votes acknowledged; the page, the window lookups and every retry count in it."""

from __future__ import annotations

from collections import Counter

from bench import events, report
from bench.evening import READ_PRICE, WRITE_PRICE
from bench.festival_live import _flips

CHECK_UNITS = 2  # a ConditionCheck billed as a transactional write of an item under 1 KB
LIMITS = {"ack": 500, "per_vote": 2, "judge_ack": 300, "judge_flip": 250, "kb": 150, "venue": 3}


def _counted(raw: dict) -> tuple[dict[str, int], int, int]:
    """Each acknowledged device's last value; first votes and revisions acknowledged (phones and pages)."""
    last: dict[str, int] = {}
    firsts = revisions = 0
    for i, p in enumerate(raw["phones"]):
        ok = [v for v in p["votes"] if v["kind"] != "late" and v["status"] == 200]
        if ok:
            last[f"phone{i}"] = int(ok[-1]["counted"])
        firsts += any(v["kind"] == "first" for v in ok)
        revisions += sum(v["kind"] == "revision" for v in ok)
    for i, c in enumerate(raw["chromium"]):
        acks = [c["ack"]] if "ack" in c else c.get("acks", [])
        if c["last_value"] is not None:
            last[f"chromium{i}"] = c["last_value"]
        firsts += bool(acks)
        revisions += max(0, len(acks) - 1)
    return last, firsts, revisions


def _db(raw: dict, acked: int) -> dict:
    (tb, b, *_), (to, o, *so), (te, e, *se) = raw["db"]["base"], raw["db"]["opened"], raw["db"]["ended"]
    ops = sorted(set(b) | set(o) | set(e))
    # The web process's wait for DynamoDB while the phones voted, per operation (its own histogram's sum).
    took = {op: (se[0][op] - so[0][op]) / (e[op] - o[op]) for op in ops if so and e[op] > o[op]}
    rate = {op: (o[op] - b[op]) / (to - tb) for op in ops}
    added = {op: (e[op] - o[op]) - rate[op] * (te - to) for op in ops}
    total = sum(added.values())
    return {
        "baseline_seconds": round(to - tb, 1),
        "baseline_per_second": round(sum(rate.values()), 2),
        "voting_seconds": round(te - to, 1),
        "added": round(total),
        "added_by_operation": {op: round(v, 1) for op, v in added.items() if abs(v) >= 0.5},
        "per_vote": round(total / acked, 3) if acked else None,
        "transactions_per_vote": round(added.get("transact_write_items", 0) / acked, 3) if acked else None,
        "mean_ms_by_operation": {op: round(1000 * t, 1) for op, t in took.items()},
    }


def _judges(raw: dict, lo: float, hi: float) -> dict:
    acks, flips, errors = [], [], []
    for _, docs, judge_acks, _, judge_errors in raw["judges"]:
        flips += _flips(docs, lo, hi)[0]
        acks += [a for a in judge_acks if lo <= a["sent"] < hi]
        errors += [e for e in judge_errors if not e.startswith("HTTP")]
    ok = [a["seconds"] for a in acks if a["status"] == 200]
    return {"ack": report.ms_summary(ok), "flip": report.ms_summary(flips), "scores": len(ok),
            "refused_or_failed": len(acks) - len(ok) + len(errors)}  # fmt: skip


def _board(raw: dict, lo: float, hi: float) -> dict:
    changes = [(t["written_at"], "version", t["version"]) for t in raw["stored"]["transitions"]]
    seen = []
    for p in raw["board"]:
        if p["error"] is None:
            seen += events.seen_latencies(changes, p["seen"], lo, hi)
    shown = [s for s in seen if s != float("inf")]
    failed = sum(bool(p["error"]) for p in raw["board"])
    return {"viewers": len(raw["board"]) - failed, "failed": failed,
            "new_state": report.ms_summary(shown), "never_shown": len(seen) - len(shown)}  # fmt: skip


def _cost(raw: dict, firsts: int, revisions: int, db: dict) -> dict:
    u = raw["units"]
    wf, wr = u["first"]["write_units"], u["revision"]["write_units"]
    refused = u["revision"].get("refused", {}).get("TransactWriteItems", 0)
    look = u["window_read"]
    reads = max(0.0, db["added"] - db["added_by_operation"].get("transact_write_items", 0))
    read_units = reads * look["read_units"] / max(1, look["requests"])
    writes = firsts * wf + revisions * wr
    dollars = writes * WRITE_PRICE + read_units * READ_PRICE
    # DynamoDB Local reports no units for a refused transaction nor for a ConditionCheck: the bound bills
    # a revision's refused first try as a vote, and each transaction's window check as a transactional write.
    transactions = firsts + revisions * (1 + refused)
    bound = dollars + (revisions * refused * wf + transactions * CHECK_UNITS) * WRITE_PRICE
    return {"units_per_vote": u["first"], "units_per_revision": u["revision"], "window_read": look,
            "write_units": round(writes, 1), "read_units": round(read_units, 1),
            "dollars": round(dollars, 6), "dollars_upper_bound": round(bound, 6),
            "dollars_per_2000_votes": round(dollars * 2000 / max(1, firsts), 6),
            "dollars_per_2000_votes_upper_bound": round(bound * 2000 / max(1, firsts), 6)}  # fmt: skip


def analyse(raw: dict) -> dict:
    z, zero, closed = raw["sizes"], raw["zero"], raw["t_closed"]
    phones = raw["phones"]
    votes = [v for p in phones for v in p["votes"]]
    acked = [v for v in votes if v["kind"] != "late" and v["status"] == 200]
    late = [v for v in votes if v["kind"] == "late"]
    last, firsts, revisions = _counted(raw)
    expected = {"votes": len(last), "stars": sum(last.values())}
    logged, shards = raw["stored"]["logged"], raw["stored"]["shards"]
    logged = logged and {"votes": int(logged["votes"]), "stars": int(logged["stars"])}
    first_sent = [v["sent"] - raw["opened_at"] for v in votes if v["kind"] == "first"]
    db = _db(raw, firsts + revisions)
    chromium = [c for c in raw["chromium"] if "link" not in c]
    venue = next((c for c in raw["chromium"] if "link" in c), None)
    return {
        "sizes": z,
        "window": {
            "code": raw["code"],
            "seen_after_s": round(zero - raw["opened_at"], 3),
            "open_s": round(raw["closes_at"] - raw["opened_at"], 1),
        },  # fmt: skip
        "phones": len(phones),
        "failed": sum(bool(p["error"]) for p in phones),
        "failures": sorted({p["error"] for p in phones if p["error"]})[:5],
        "statuses": dict(Counter(str(v["status"]) for v in votes)),
        "retried_503": sum(v["retries"] for v in votes),
        "first_votes_sent_within_s": sum(s <= z["within"] for s in first_sent),
        "ack": report.ms_summary([v["seconds"] for v in acked]),
        "ack_first": report.ms_summary([v["seconds"] for v in acked if v["kind"] == "first"]),
        "ack_revision": report.ms_summary([v["seconds"] for v in acked if v["kind"] == "revision"]),
        "page": report.ms_summary([p["page"]["seconds"] for p in phones if "page" in p]),
        "lookup": report.ms_summary([p["window"]["seconds"] for p in phones if "window" in p]),
        "page_bytes_br": max((p["page"]["bytes"] for p in phones if "page" in p), default=None),
        "page_encodings": dict(Counter(p["page"]["encoding"] for p in phones if "page" in p)),
        "counted": {
            "expected": expected,
            "logged": logged,
            "shards": shards,
            "first_votes": firsts,
            "revisions": revisions,
        },  # fmt: skip
        "late": {
            "sent": len(late),
            "refused_409": sum(v["status"] == 409 for v in late),
            "accepted": sum(v["status"] == 200 for v in late),
            "answers": dict(Counter(v["error"] or str(v["status"]) for v in late)),
        },  # fmt: skip
        "db_requests": db,
        "judges_before": _judges(raw, raw["t_start"], zero),
        "judges_during": _judges(raw, zero, closed),
        "board": {"arrived": raw["viewers_in"], **_board(raw, zero, closed)},
        "chromium_venue": venue,
        "chromium_acks": report.ms_summary([x for c in chromium for x in c["acks"]]),
        "chromium_errors": [c["error"] for c in raw["chromium"] if c["error"]],
        "cost": _cost(raw, firsts, revisions, db),
        "cores": raw["cores"],
    }


def _vs(t: dict | None) -> str:
    return "-" if t is None else f"{t['votes']} votes {t['stars']} stars"


def targets(f: dict) -> dict[str, dict]:
    c, late, db, j, cost = f["counted"], f["late"], f["db_requests"], f["judges_during"], f["cost"]
    venue = f["chromium_venue"] or {}
    kb = venue.get("kb_over_the_wire", None if f["page_bytes_br"] is None else f["page_bytes_br"] / 1000)
    shown = venue.get("seconds_to_code_field")
    tallies = " / ".join(f"{k} {_vs(c[k])}" for k in ("logged", "shards", "expected"))
    usd = f"${cost['dollars_per_2000_votes']:.4f} (${cost['dollars_per_2000_votes_upper_bound']:.4f})"
    rows = {
        "ack": (
            f"{f['phones']} phones within {f['sizes']['within']:g} s: vote acknowledged p95 <= 500 ms",
            f["ack"]["p95_ms"],
            report.at_most(f["ack"]["p95_ms"], LIMITS["ack"]),
        ),
        "none_failed": ("every phone loaded, found its window, was answered", f["failed"], f["failed"] == 0),
        "exactly_once": (
            "every vote counted exactly once (the log's tally and the shards vs acknowledged)",
            tallies,
            c["logged"] == c["expected"] and c["shards"] == c["expected"],
        ),
        "late_refused": (
            "every vote after the close refused (409)",
            f"{late['refused_409']} of {late['sent']}",
            late["sent"] > 0 and late["refused_409"] == late["sent"],
        ),
        "per_vote": (
            "<= 2 DynamoDB requests per vote (the web process's, above its rate before)",
            db["per_vote"],
            report.at_most(db["per_vote"], LIMITS["per_vote"]),
        ),
        "judge_ack": (
            "judges meanwhile: score acknowledged p95 <= 300 ms",
            j["ack"]["p95_ms"],
            report.at_most(j["ack"]["p95_ms"], LIMITS["judge_ack"]),
        ),
        "judge_flip": (
            "judges meanwhile: window flip p95 <= 250 ms",
            j["flip"]["p95_ms"],
            report.at_most(j["flip"]["p95_ms"], LIMITS["judge_flip"]),
        ),
        "judge_lost": (
            "judges meanwhile: no score refused or failed",
            j["refused_or_failed"],
            j["refused_or_failed"] == 0,
        ),
        "page_kb": ("/vote over the wire (br, cold) <= 150 KB", kb, report.at_most(kb, LIMITS["kb"])),
        "venue": (
            "/vote over the venue link: code field shown <= 3 s",
            shown,
            report.at_most(shown, LIMITS["venue"]),
        ),
        "cost": ("DynamoDB cost of 2,000 votes stated (on demand; upper bound)", usd, True),
    }
    return {k: report.target(*v) for k, v in rows.items()}


def print_tables(f: dict) -> None:
    a, c, late = f["ack"], f["counted"], f["late"]
    report.print_table(
        f"{f['phones']} phones voting within {f['sizes']['within']:g} s of window {f['window']['code']} "
        f"opening (open {f['window']['open_s']} s; ms)",
        ["failed", "sent in time", "acked", "revised", "503 retried", "late 409", "ack p50", "ack p95",
         "ack max", "page p95", "lookup p95", "page B (br)"],
        [[f["failed"], f["first_votes_sent_within_s"], c["first_votes"], c["revisions"], f["retried_503"],
          f"{late['refused_409']}/{late['sent']}", a["p50_ms"], a["p95_ms"], a["max_ms"],
          f["page"]["p95_ms"], f["lookup"]["p95_ms"], f["page_bytes_br"]]],
    )  # fmt: skip
    report.print_table(
        "The window's tally: what the phones were told vs the log's vote_closed and the shards",
        ["", "votes", "stars"],
        [[k, (v or {}).get("votes"), (v or {}).get("stars")]
         for k, v in (("acknowledged", c["expected"]), ("log", c["logged"]), ("shards", c["shards"]))],
    )  # fmt: skip
    db = f["db_requests"]
    report.print_table(
        f"The web process's DynamoDB requests: {db['baseline_per_second']}/s before the window; "
        f"added while voting ({db['voting_seconds']} s)",
        ["operation", "added", "mean ms while voting"],
        [*([op, n, db.get("mean_ms_by_operation", {}).get(op)] for op, n in db["added_by_operation"].items()),
         ["per vote", db["per_vote"], None], ["transactions per vote", db["transactions_per_vote"], None]],
    )  # fmt: skip
    rows = []
    for name in ("judges_before", "judges_during"):
        j = f[name]
        rows.append([name.split("_")[1], j["scores"], j["refused_or_failed"], j["ack"]["p50_ms"],
                     j["ack"]["p95_ms"], j["flip"]["p95_ms"]])  # fmt: skip
    report.print_table(
        f"{f['sizes']['judges']} judges (ms)", ["", "scores", "lost", "ack p50", "ack p95", "flip p95"], rows
    )
    b, v = f["board"], f["chromium_venue"] or {}
    report.print_table(
        "Board viewers while voting; Chromium",
        ["viewers", "failed", "new state p95", "never", "venue code s", "venue ballot s", "venue KB",
         "Chromium ack p50", "simulated ack p50"],
        [[b["viewers"], b["failed"], b["new_state"]["p95_ms"], b["never_shown"],
          v.get("seconds_to_code_field"), v.get("seconds_to_ballot"), v.get("kb_over_the_wire"),
          f["chromium_acks"]["p50_ms"], a["p50_ms"]]],
    )  # fmt: skip
    cost = f["cost"]
    usd = lambda x: f"${x:.4f}"  # noqa: E731
    report.print_table(
        "DynamoDB cost of the votes (on demand, US East; upper bound: refused tries and checks billed)",
        ["write units", "read units", "this run", "upper bound", "per 2,000 votes", "upper bound"],
        [[cost["write_units"], cost["read_units"], usd(cost["dollars"]), usd(cost["dollars_upper_bound"]),
          usd(cost["dollars_per_2000_votes"]), usd(cost["dollars_per_2000_votes_upper_bound"])]],
    )  # fmt: skip
    k = f["cores"]
    report.print_table(
        "Cores busy while the phones voted (of the machine's cores)",
        list(k), [list(k.values())],
    )  # fmt: skip
