"""The append-only event log's hash chain. Pure.

The log is a set of streams (the engine, each admin, each judge). Every entry of a stream
carries its sequence number and the hash of the entry before it, so editing, inserting or
deleting an entry in the middle of a stream is detectable. Several streams rather than one
keep fifty judges submitting at once from queueing behind a single chain head.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

GENESIS = "0" * 64


@dataclass(frozen=True)
class LogEntry:
    event_id: str
    stream: str
    seq: int
    ts: float
    actor: str
    kind: str
    data: str  # canonical JSON
    prev: str
    hash: str

    def payload(self) -> dict:
        return json.loads(self.data)


def canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def entry_hash(
    event_id: str, stream: str, seq: int, ts: float, actor: str, kind: str, data: str, prev: str
) -> str:
    body = canonical(
        {"e": event_id, "s": stream, "n": seq, "t": f"{ts:.6f}", "a": actor, "k": kind, "d": data, "p": prev}
    )
    return hashlib.sha256(body.encode()).hexdigest()


def make_entry(
    event_id: str, stream: str, head_seq: int, head_hash: str, ts: float, actor: str, kind: str, data: dict
) -> LogEntry:
    seq = head_seq + 1
    text = canonical(data)
    digest = entry_hash(event_id, stream, seq, ts, actor, kind, text, head_hash)
    return LogEntry(event_id, stream, seq, ts, actor, kind, text, head_hash, digest)


def verify(entries: Iterable[LogEntry], heads: dict[str, tuple[int, str]]) -> list[str]:
    """Problems found in the chains (empty list: the log is intact)."""
    problems: list[str] = []
    by_stream: dict[str, list[LogEntry]] = defaultdict(list)
    for e in entries:
        by_stream[e.stream].append(e)
    for stream, items in sorted(by_stream.items()):
        items.sort(key=lambda e: e.seq)
        prev = GENESIS
        for expected_seq, e in enumerate(items, start=1):
            if e.seq != expected_seq:
                problems.append(f"{stream}: entry {expected_seq} is missing (found {e.seq}).")
                break
            if e.prev != prev:
                problems.append(f"{stream}: entry {e.seq} does not follow entry {e.seq - 1}.")
            recomputed = entry_hash(e.event_id, e.stream, e.seq, e.ts, e.actor, e.kind, e.data, e.prev)
            if recomputed != e.hash:
                problems.append(f"{stream}: entry {e.seq} was altered after it was written.")
            prev = e.hash
        head = heads.get(stream)
        if head is not None and (head[0] != items[-1].seq or head[1] != items[-1].hash):
            problems.append(f"{stream}: the chain head does not match its last entry.")
    for stream in heads.keys() - by_stream.keys():
        problems.append(f"{stream}: the chain head points at entries that are gone.")
    return problems
