"""DynamoDB requests and the capacity units DynamoDB Local reports for them, counted per operation on a
store's client (engine/store/client.py `watch`, botocore events); refused requests (a failed condition,
a cancelled transaction) are counted apart: DynamoDB Local reports no units for them, AWS bills them."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"}


@dataclass
class Counts:
    requests: Counter = field(default_factory=Counter)
    read: Counter = field(default_factory=Counter)  # read units by operation
    write: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)

    def only(self, ops: set[str] | None = None, without: set[str] = frozenset()) -> Counts:
        keep = {k for k in self.requests if (ops is None or k in ops) and k not in without}
        return Counts(*(Counter({k: v for k, v in c.items() if k in keep}) for c in self._all()))

    def __iadd__(self, other: Counts) -> Counts:
        for mine, theirs in zip(self._all(), other._all(), strict=True):
            mine.update(theirs)
        return self

    def _all(self) -> tuple[Counter, ...]:
        return self.requests, self.read, self.write, self.refused


class Tally:
    def __init__(self, store=None):
        self.lock = threading.Lock()
        self.counts = Counts()
        if store is not None:
            self.watch(store)

    def watch(self, store) -> Tally:
        store.client.watch(self)
        store.client.boto.meta.events.register("after-call.dynamodb", self._refused)
        return self

    def __call__(self, operation: str, consumed: list[dict]) -> None:
        with self.lock:
            c = self.counts
            c.requests[operation] += 1
            for cc in consumed:
                c.read[operation] += float(cc.get("ReadCapacityUnits", 0) or 0)
                c.write[operation] += float(cc.get("WriteCapacityUnits", 0) or 0)
                if "ReadCapacityUnits" not in cc and "WriteCapacityUnits" not in cc:
                    kind = c.write if operation in WRITES else c.read
                    kind[operation] += float(cc.get("CapacityUnits", 0) or 0)

    def _refused(self, parsed, model, **_) -> None:
        if isinstance(parsed, dict) and parsed.get("Error"):
            with self.lock:
                self.counts.refused[model.name] += 1

    def take(self) -> Counts:
        with self.lock:
            taken, self.counts = self.counts, Counts()
        return taken


def per(c: Counts, n: float, scale: float = 1.0) -> dict:
    """Requests and units per one of n (times scale: 60 / seconds for a minute)."""
    f = scale / n if n else 0.0

    def r(x: float) -> float:
        return round(x * f, 2)

    out = {
        "requests": r(sum(c.requests.values())),
        "by_operation": {k: r(v) for k, v in sorted(c.requests.items())},
        "read_units": r(sum(c.read.values())),
        "write_units": r(sum(c.write.values())),
    }
    if c.refused:
        out["refused"] = {k: r(v) for k, v in sorted(c.refused.items())}
    return out
