"""The one way in for an audience vote, in DynamoDB: one transaction (a revision, two), nothing read
before it. POST /vote, the service and the benchmark all commit here:
  window  ConditionCheck on the window's item: this code, not closed, before its close (DynamoDB decides)
  vote    Put of the device's vote, conditional on the revision this process believes (none: the first)
  shard   ADD to one counter shard, chosen at random: a crowd's votes never queue on one hot item
A refused first vote returns the stored one (ReturnValuesOnConditionCheckFailure): a retry of the same
request is answered from it, a revision goes again on the right revision.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from engine.domain import votes
from engine.domain.messages import N_
from engine.domain.model import Conflict, ScoreRefused
from engine.store import codec, tx
from engine.store.client import RETRY, Client
from engine.store.schema import TableNames
from engine.store.votes import SHARDS, WINDOW, add_expression, counts_of

OPEN = (
    "code = :code AND attribute_not_exists(closed_at)"
    " AND (attribute_not_exists(closes_at) OR closes_at > :now)"
)


@dataclass(frozen=True)
class Ballot:
    """One device's vote, as the vote route hands it over (checked by the service first)."""

    event_id: str
    key: str  # the window: a performer's id, or FINAL
    code: str
    device: str  # the device token's hash
    address: str  # the client's address, hashed
    new_device: bool  # the device was issued after the window opened
    value: int | str  # stars, or the favourite's performer id
    request_id: str
    now: float


class VoteCommits:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.status = tables.status
        self.table = tables.votes

    # ---- a vote: the one commit --------------------------------------------------------------------
    def commit(self, b: Ballot) -> tuple[dict, bool]:
        """Store the ballot: (the stored vote, replayed). The first vote of a device is one request; a
        revision two (the refusal of the first returns the stored vote). ScoreRefused for a closed window
        or a stale code; Conflict when the device's votes raced past every retry."""
        current: dict | None = None
        for _ in RETRY.tries():
            ops, item = self._ops(b, current)
            try:
                tx.Transaction(self.client, [tx.returning_old(op) for op in ops]).commit()
            except tx.Cancelled as c:
                if c.failed("window"):
                    raise _closed(c.items.get("window"), b) from None
                stored = c.items.get("vote")
                if stored and stored.get("request_id") == b.request_id:
                    return stored, True  # a retry of a vote already counted
                current = stored
                continue
            return item, False
        raise Conflict(N_("Too many votes from this phone at once; please vote again."))

    def _ops(self, b: Ballot, current: dict | None) -> tuple[list[tx.Op], dict]:
        pk = f"{b.event_id}#{b.key}"
        rev = int(current["rev"]) + 1 if current else 1
        item = {
            "pk": pk,
            "sk": f"D#{b.device}",
            "value": b.value,
            "rev": rev,
            "request_id": b.request_id,
            "at": codec.to_decimal(b.now),
            "addr": b.address,
            "new": b.new_device or None,
        }
        counts = counts_of(b.key, b.value, 1)
        if current:  # a revision: the old vote comes off the counters, the device counts once
            for name, delta in counts_of(b.key, current["value"], -1).items():
                counts[name] = counts.get(name, 0) + delta
        expression, values, names = add_expression(
            {k: v for k, v in counts.items() if v}, 0 if current else 1
        )
        shard = {"pk": pk, "sk": f"S#{random.randrange(SHARDS)}"}
        window = {"pk": b.event_id, "sk": WINDOW + b.key}
        ops = [
            tx.condition_check(
                "window", self.status, window, OPEN, {":code": b.code, ":now": codec.to_decimal(b.now)}
            ),
            tx.put(
                "vote",
                self.table,
                item,
                condition="rev = :rev" if current else "attribute_not_exists(sk)",
                values={":rev": int(current["rev"])} if current else None,
            ),
            tx.update("shard", self.table, shard, expression, values=values, names=names),
        ]
        return ops, item


def _closed(window: dict | None, b: Ballot) -> ScoreRefused:
    """Why the window refused: a stale code, or closed (or never opened for this)."""
    if window and window.get("closed_at") is None and window.get("code") != b.code:
        if window.get("closes_at") is None or float(window["closes_at"]) > b.now:
            return ScoreRefused(votes.WRONG_CODE)
    return ScoreRefused(votes.CLOSED)
