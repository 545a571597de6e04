"""The head judge's deductions: one item per entry in the event's status partition (sk DEDUCT#id), read
with the state by Events.load, so every tick's snapshot has them at no extra request.

Entering one is a transaction: the item, a check that the round is not signed off (the results item), a
check that the performer is on stage or has performed, and the entry's log line in the enterer's chain."""

from __future__ import annotations

from decimal import Decimal

from engine.domain.deductions import FROZEN_WITHDRAW, PERFORMED, Deduction
from engine.domain.messages import N_
from engine.domain.model import Conflict, InvalidInput, ScoreRefused
from engine.store import tx
from engine.store.client import RETRY, Client
from engine.store.codec import to_decimal
from engine.store.eventlog import EventLog
from engine.store.results import NOT_SIGNED_OFF, RESULTS
from engine.store.schema import TableNames

PREFIX = "DEDUCT#"
REFUSED = {
    "frozen": (ScoreRefused, N_("The results are official, so deductions can no longer change.")),
    "performer": (ScoreRefused, N_("That performer has not performed yet.")),
}
WITHDRAW_REFUSED = {
    "frozen": (ScoreRefused, FROZEN_WITHDRAW),
    "deduction": (InvalidInput, N_("That deduction is withdrawn already.")),
}


def to_item(event_id: str, d: Deduction) -> dict:
    return {
        "pk": event_id,
        "sk": PREFIX + d.entry_id,
        "performer_id": d.performer_id,
        "kind": d.kind,
        "points": d.points,
        "reason": d.reason,
        "by": d.by,
        "at": to_decimal(d.at),
        "count": d.count,
    }


def from_item(i: dict) -> Deduction:
    return Deduction(
        i["sk"].removeprefix(PREFIX),
        i["performer_id"],
        i.get("kind", ""),
        Decimal(i["points"]),
        i.get("reason", ""),
        i.get("by", ""),
        float(i["at"]),
        int(i.get("count", 1)),
    )


class Deductions:
    def __init__(self, client: Client, tables: TableNames, log: EventLog):
        self.client, self.log = client, log
        self.table = tables.status
        self.performers_table = tables.performers

    def add(self, event_id: str, d: Deduction, stream: str) -> bool:
        """Store `d` and log it (kind deduction_entered) in `stream`; False (nothing written) when an entry
        of its id is there already, withdrawn or not (a time penalty's id is the performer's). ScoreRefused
        (one sentence) once the round is signed off or for a performer still waiting."""
        data = {"performer_id": d.performer_id, "kind": d.kind, "count": d.count, "points": str(d.points)}
        data["reason"] = d.reason
        allowed = {f":s{i}": s.value for i, s in enumerate(PERFORMED)}
        for _ in RETRY.tries():
            ops = [
                tx.put("deduction", self.table, to_item(event_id, d), condition="attribute_not_exists(sk)"),
                tx.condition_check("frozen", self.table, {"pk": event_id, "sk": RESULTS}, NOT_SIGNED_OFF),
                tx.condition_check(
                    "performer",
                    self.performers_table,
                    {"event_id": event_id, "performer_id": d.performer_id},
                    f"#s IN ({', '.join(allowed)})",
                    values=allowed,
                    names={"#s": "status"},
                ),
                *self.log.append_ops(event_id, stream, d.at, d.by, "deduction_entered", data),
            ]
            try:
                tx.Transaction(self.client, ops).commit()
                return True
            except tx.Cancelled as c:
                _refused(c)
                if c.failed("deduction"):
                    return False
                continue  # another entry of the same chain took the log's head first
        raise Conflict(N_("Too many entries at once; please enter the deduction again."))

    def withdraw(self, event_id: str, d: Deduction, by: str, at: float, stream: str) -> None:
        """Mark `d` withdrawn (read no more with the state; its item and its log entry stay) and log the
        withdrawal (kind deduction_withdrawn) in `stream`. ScoreRefused once the round is signed off,
        InvalidInput when it is withdrawn already."""
        data = {"entry_id": d.entry_id, "performer_id": d.performer_id, "kind": d.kind, "count": d.count}
        data |= {"points": str(d.points), "reason": d.reason}
        for _ in RETRY.tries():
            ops = [
                tx.update(
                    "deduction",
                    self.table,
                    {"pk": event_id, "sk": PREFIX + d.entry_id},
                    "SET withdrawn_at = :t, withdrawn_by = :b",
                    condition="attribute_exists(sk) AND attribute_not_exists(withdrawn_at)",
                    values={":t": to_decimal(at), ":b": by},
                ),
                tx.condition_check("frozen", self.table, {"pk": event_id, "sk": RESULTS}, NOT_SIGNED_OFF),
                *self.log.append_ops(event_id, stream, at, by, "deduction_withdrawn", data),
            ]
            try:
                tx.Transaction(self.client, ops).commit()
                return
            except tx.Cancelled as c:
                _refused(c, WITHDRAW_REFUSED)
                continue
        raise Conflict(N_("Too many entries at once; please withdraw the deduction again."))


def withdrawn(item: dict) -> bool:
    """A withdrawn entry's item stays (the log names it); the state is read without it."""
    return "withdrawn_at" in item


def _refused(c: tx.Cancelled, refusals: dict | None = None) -> None:
    for name, (error, sentence) in (refusals or REFUSED).items():
        if c.failed(name):
            raise error(sentence) from c
