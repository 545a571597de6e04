"""The hash-chained event log: the operations that append an entry (other repositories put them into
their own transactions, so a change and its log entry commit together), the chain heads, the reads."""

from __future__ import annotations

import threading

from engine.domain import eventlog
from engine.domain.eventlog import GENESIS, LogEntry
from engine.domain.messages import N_
from engine.domain.model import Conflict
from engine.store import tx
from engine.store.client import RETRY, Client, from_item, to_key
from engine.store.codec import to_decimal
from engine.store.schema import TableNames

ENTRY, HEAD = "log_entry", "log_head"  # the names of the two operations an append adds


def _entry_from(i: dict) -> LogEntry:
    return LogEntry(
        i["event_id"],
        i["stream"],
        int(i["seq"]),
        float(i["ts"]),
        i["actor"],
        i["kind"],
        i["data"],
        i["prev"],
        i["hash"],
    )


class EventLog:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.table = tables.log
        # (event_id, stream) -> (seq, hash) of the head this process last wrote: a guess that saves a read
        # (the lease holder's transitions, a judge's scores and flags); the head's condition keeps the
        # chain whole when it is stale, and the refusal corrects it.
        self._heads: dict[tuple[str, str], tuple[int, str]] = {}
        self._lock = threading.Lock()

    def head(self, event_id: str, stream: str) -> tuple[int, str]:
        item = self.client.get(self.table, {"event_id": event_id, "sk": f"HEAD#{stream}"})
        return (int(item["seq"]), item["hash"]) if item else (0, GENESIS)

    def append_ops(
        self, event_id: str, stream: str, ts: float, actor: str, kind: str, data: dict, cached: bool = False
    ) -> list[tx.Op]:
        """The entry and the head update, named ENTRY and HEAD. `cached`: this process is the stream's only
        writer (the lease holder), so the head it last wrote is the head; call `committed` or `refused`
        after the transaction."""
        with self._lock:
            known = self._heads.get((event_id, stream)) if cached else None
        seq, prev = known or self.head(event_id, stream)
        return self.ops_after(event_id, stream, seq, prev, ts, actor, kind, data)

    def ops_after(
        self, event_id: str, stream: str, seq: int, prev: str, ts: float, actor: str, kind: str, data: dict
    ) -> list[tx.Op]:
        """The entry following head (seq, prev) and the head update, named ENTRY and HEAD; the head's
        condition (its seq is still `seq`) is what keeps the chain whole when the head given is stale."""
        entry = eventlog.make_entry(event_id, stream, seq, prev, ts, actor, kind, data)
        head = tx.put(
            HEAD,
            self.table,
            {"event_id": event_id, "sk": f"HEAD#{stream}", "seq": entry.seq, "hash": entry.hash},
            condition="seq = :seq" if seq else "attribute_not_exists(sk)",
            values={":seq": seq} if seq else None,
        )
        item = {
            "event_id": event_id,
            "sk": f"{stream}#{entry.seq:09d}",
            "ts_key": f"{ts:017.6f}#{stream}#{entry.seq:09d}",
            "stream": stream,
            "seq": entry.seq,
            "ts": to_decimal(ts),
            "actor": actor,
            "kind": kind,
            "data": entry.data,
            "prev": entry.prev,
            "hash": entry.hash,
        }
        return [tx.put(ENTRY, self.table, item, condition="attribute_not_exists(sk)"), head]

    def committed(self, ops: list[tx.Op]) -> None:
        """Remember the head that `ops` (from append_ops) wrote."""
        item = next(op for op in ops if op.name == HEAD).body["Item"]
        with self._lock:
            self._heads[(item["event_id"]["S"], item["sk"]["S"][5:])] = (
                int(item["seq"]["N"]),
                item["hash"]["S"],
            )

    def known_head(self, event_id: str, stream: str) -> tuple[int, str] | None:
        """The head this process last wrote or learnt for a stream, if any (a guess, never a fact)."""
        with self._lock:
            return self._heads.get((event_id, stream))

    def learnt(self, event_id: str, stream: str, head: tuple[int, str]) -> None:
        """Remember a stream's head learnt from a commit or a refusal."""
        with self._lock:
            self._heads[(event_id, stream)] = head

    def refused(self, event_id: str, stream: str) -> None:
        """A transaction with this stream's append was refused: the cached head may be stale."""
        with self._lock:
            self._heads.pop((event_id, stream), None)

    def append(self, event_id: str, stream: str, ts: float, actor: str, kind: str, data: dict) -> None:
        """Append one entry on its own, retrying when another writer of the stream got there first. The
        head this process knows is tried first (no read); a refusal forgets it and the retry reads it."""
        for _ in RETRY.tries():
            ops = self.append_ops(event_id, stream, ts, actor, kind, data, cached=True)
            try:
                tx.Transaction(self.client, ops).commit()
            except tx.Cancelled:
                self.refused(event_id, stream)
                continue
            self.committed(ops)
            return
        raise Conflict(N_("Too many simultaneous changes to the event log; please try again."))

    def entries(self, event_id: str) -> tuple[list[LogEntry], dict[str, tuple[int, str]]]:
        """Every entry, oldest first, and every stream's head."""
        items = self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="event_id = :e",
            ExpressionAttributeValues=to_key(**{":e": event_id}),
            ConsistentRead=True,
        )
        entries, heads = [], {}
        for i in items:
            if i["sk"].startswith("HEAD#"):
                heads[i["sk"][5:]] = (int(i["seq"]), i["hash"])
            else:
                entries.append(_entry_from(i))
        entries.sort(key=lambda e: (e.ts, e.stream, e.seq))
        return entries, heads

    def since(self, event_id: str, ts: float) -> list[LogEntry]:
        """Every entry from time `ts` on (by the entries' own times), oldest first (the webhooks' reads)."""
        items = self.client.query_all(
            TableName=self.table,
            IndexName="by_time",
            KeyConditionExpression="event_id = :e AND ts_key >= :t",
            ExpressionAttributeValues=to_key(**{":e": event_id, ":t": f"{max(0.0, ts):017.6f}"}),
            ConsistentRead=True,
        )
        return sorted((_entry_from(i) for i in items), key=lambda e: (e.ts, e.stream, e.seq))

    def recent(self, event_id: str, limit: int = 100) -> list[LogEntry]:
        """The latest `limit` entries of every stream, newest first."""
        out = self.client.call(
            "query",
            TableName=self.table,
            IndexName="by_time",
            KeyConditionExpression="event_id = :e",
            ExpressionAttributeValues=to_key(**{":e": event_id}),
            ScanIndexForward=False,
            Limit=limit,
        )
        return [_entry_from(from_item(x)) for x in out.get("Items", [])]
