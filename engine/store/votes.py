"""The audience vote in DynamoDB: each window's item beside the event's status, the counters, and the
engine's and the admin's writes (opens, closes with their tallies, the reveal, a void).

  TimerStatus   (event_id, VOTE#key)   a window: code, opened_at, closes_at, closed_at, tally (read with
                                       the event's bundle: engine/store/events.py)
                (event_id, VOTES)      revealed_at: the admin showed the audience's results
                (VOTER, SECRET)        the key that signs voters' device cookies (made once)
  audience_votes  pk event_id#key, sk  D#device: the device's vote (value, revision, request id, address)
                                       S#n: a counter shard (n votes, stars, c_<performer> votes)
                                       S#VOID: what the admin voided, subtracted

A vote's one commit is store/vote_commit.py; the tally is one Query of a window's shards.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping

from engine.domain import tallies
from engine.domain.messages import N_
from engine.domain.model import Conflict, InvalidInput
from engine.domain.tallies import Tally
from engine.domain.votes import FINAL, CloseWindow, OpenWindow, SetClose, TallyWindow, VoteWindow
from engine.store import codec, tx
from engine.store.client import RETRY, Client, to_key
from engine.store.eventlog import EventLog
from engine.store.schema import LEASE, TableNames, per_stage

SHARDS = 16
VOID_BATCH = 90  # ballots marked in one transaction (with the counter and the log's two items)
WINDOW = "VOTE#"
REVEAL = "VOTES"
SECRET = {"pk": "VOTER", "sk": "SECRET"}


def window_from_item(i: Mapping) -> VoteWindow:
    return VoteWindow(
        i["sk"].removeprefix(WINDOW),
        i["code"],
        float(i["opened_at"]),
        float(i["closes_at"]) if i.get("closes_at") is not None else None,
        i.get("closed_at") is not None,
        i.get("tally") is not None,
        tuple(i.get("flags") or ()),
    )


def counts_of(key: str, value: int | str, sign: int) -> dict[str, int]:
    """What one vote adds to a counter (sign -1: what taking it back subtracts)."""
    return {f"c_{value}": sign} if key == FINAL else {"stars": sign * int(value)}


def add_expression(counts: Mapping[str, int], votes_added: int) -> tuple[str, dict, dict]:
    """An ADD expression of a counter shard: (expression, values, names)."""
    names, values, parts = {"#n": "n"}, {":n": votes_added}, ["#n :n"]
    for i, (name, delta) in enumerate(sorted(counts.items())):
        names[f"#a{i}"], values[f":a{i}"] = name, delta
        parts.append(f"#a{i} :a{i}")
    return "ADD " + ", ".join(parts), values, names


STILL_OPEN = "attribute_exists(sk) AND attribute_not_exists(closed_at)"
UNTALLIED = "attribute_exists(closed_at) AND attribute_not_exists(tally)"


def _window_set(table: str, key: dict, name: str, value: object, condition: str, **more: object) -> tx.Op:
    """The window item's `name` (and `more`) set, on `condition`: each step of a window is written once."""
    fields = {name: value, **more}
    expression = "SET " + ", ".join(f"#{n} = :{n}" for n in fields)
    values = {f":{n}": v for n, v in fields.items()}
    return tx.update("window", table, key, expression, condition, values, {f"#{n}": n for n in fields})


class Votes:
    def __init__(self, client: Client, tables: TableNames, log: EventLog):
        self.client = client
        self.status = tables.status
        self.table = tables.votes
        self.log = log
        self._secret: bytes | None = None

    # ---- the voter's device -----------------------------------------------------------------------
    def secret(self) -> bytes:
        """The key that signs device cookies: made by the first process that needs it, then shared."""
        if self._secret is None:
            made = {**SECRET, "key": secrets.token_hex(32)}
            self.client.call(
                "put_item",
                tolerate={"ConditionalCheckFailedException"},
                TableName=self.status,
                Item={k: {"S": v} for k, v in made.items()},
                ConditionExpression="attribute_not_exists(pk)",
            )
            self._secret = bytes.fromhex(self.client.get(self.status, SECRET)["key"])
        return self._secret

    def secret_known(self) -> bool:
        return self._secret is not None

    # ---- reading ----------------------------------------------------------------------------------
    def windows(self, event_id: str) -> dict[str, VoteWindow]:
        items = self.client.query_all(
            TableName=self.status,
            KeyConditionExpression="pk = :p AND begins_with(sk, :w)",
            ExpressionAttributeValues=to_key(**{":p": event_id, ":w": WINDOW}),
        )
        return {w.key: w for w in map(window_from_item, items)}

    def tally(self, event_id: str, key: str) -> Tally:
        """A window's tally: one Query of its counter shards (eventually consistent: a desk's live view)."""
        return tallies.tally_of(self._query(event_id, key, "S#"))

    def ballots(self, event_id: str, key: str) -> list[dict]:
        """Every device's vote in a window (the flags' and the void's reading; once per window)."""
        return self._query(event_id, key, "D#", consistent=True)

    def _query(self, event_id: str, key: str, prefix: str, consistent: bool = False) -> list[dict]:
        return self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues=to_key(**{":p": f"{event_id}#{key}", ":s": prefix}),
            ConsistentRead=consistent,
        )

    def revealed(self, event_id: str) -> bool:
        return self.client.get(self.status, {"pk": event_id, "sk": REVEAL}) is not None

    # ---- the engine's (and the admin's) writes ----------------------------------------------------
    def apply(
        self, event_id: str, stage: str, change, actor: str, now: float, lease_owner: str | None = None
    ) -> None:
        """Write one change to a window, conditional on its stored state (and the stage's lease, for the
        engine). A close writes the window's tally and flags to the hash-chained log. Conflict: the
        window had moved on (another engine, or the admin, wrote it first)."""
        key = {"pk": event_id, "sk": WINDOW + change.key}
        ops = [self._lease_check(stage, now, lease_owner)] if lease_owner else []
        if isinstance(change, OpenWindow):
            item = {**key, "code": change.code, "opened_at": codec.to_decimal(change.at)}
            item["closes_at"] = codec.to_decimal(change.closes_at)
            ops.append(tx.put("window", self.status, item, condition="attribute_not_exists(sk)"))
            data = {"window": change.key, "closes_at": change.closes_at}
            kind = "vote_opened"
        elif isinstance(change, SetClose):
            ops.append(
                _window_set(self.status, key, "closes_at", codec.to_decimal(change.closes_at), STILL_OPEN)
            )
            data, kind = {"window": change.key, "closes_at": change.closes_at}, "vote_closes"
        elif isinstance(change, CloseWindow):
            data, kind = self._closing(change, key, ops)
        else:
            data, kind = self._tallying(event_id, change, key, ops)
        # The engine's own stream, whose head it knows (it writes the transitions on it too): a head read
        # here instead would leave the one it keeps stale, and its next transition refused once.
        stream = "engine" if lease_owner else f"admin:{actor}"
        log_ops = self.log.append_ops(event_id, stream, now, actor, kind, data, cached=bool(lease_owner))
        try:
            tx.Transaction(self.client, [*ops, *log_ops]).commit()
        except tx.Cancelled as c:
            self.log.refused(event_id, stream)
            raise Conflict(N_("The vote changed meanwhile; nothing was written.")) from c
        if lease_owner:
            self.log.committed(log_ops)

    def _closing(self, change: CloseWindow, key: dict, ops: list[tx.Op]) -> tuple[dict, str]:
        """No vote commits once this is written (each vote's transaction checks closed_at): the tally,
        read after it, is final."""
        ops.append(_window_set(self.status, key, "closed_at", codec.to_decimal(change.at), STILL_OPEN))
        return {"window": change.key}, "vote_ended"

    def _tallying(self, event_id: str, change: TallyWindow, key: dict, ops: list[tx.Op]) -> tuple[dict, str]:
        t = tallies.tally_of(self._query(event_id, change.key, "S#", consistent=True))
        flags = [f.as_dict() for f in tallies.flags(self.ballots(event_id, change.key))]
        tally = {"votes": t.votes, "stars": t.stars, "by_performer": t.by_performer}
        ops.append(_window_set(self.status, key, "tally", tally, UNTALLIED, flags=flags))
        return {"window": change.key, "tally": tally, "flags": flags}, "vote_closed"

    def _lease_check(self, stage: str, at: float, owner: str) -> tx.Op:
        return tx.condition_check(
            "lease",
            self.status,
            per_stage(LEASE, stage),
            "#o = :me AND expires > :now",
            values={":me": owner, ":now": codec.to_decimal(at)},
            names={"#o": "owner"},
        )

    def reveal(self, event_id: str, actor: str, now: float, shown: bool) -> None:
        key = {"pk": event_id, "sk": REVEAL}
        op = (
            tx.put("reveal", self.status, {**key, "revealed_at": codec.to_decimal(now)})
            if shown
            else tx.delete("reveal", self.status, key)
        )
        kind = "votes_revealed" if shown else "votes_hidden"
        log_ops = self.log.append_ops(event_id, f"admin:{actor}", now, actor, kind, {})
        for _ in RETRY.tries():
            try:
                tx.Transaction(self.client, [op, *log_ops]).commit()
                return
            except tx.Cancelled:
                log_ops = self.log.append_ops(event_id, f"admin:{actor}", now, actor, kind, {})
        raise Conflict(N_("Too many changes at once; please try again."))

    def void(self, event_id: str, key: str, address: str, actor: str, now: float) -> int:
        """Take the votes of devices new in this window from one address off the tally (the surplus of a
        flagged address; its returning devices keep their votes). Returns how many were voided."""
        chosen = [
            b
            for b in self.ballots(event_id, key)
            if b.get("addr") == address and b.get("new") and not b.get("voided")
        ]
        if not chosen:
            raise InvalidInput(N_("No vote from new devices of that address is left to void in this window."))
        for start in range(0, len(chosen), VOID_BATCH):
            self._void(event_id, key, address, chosen[start : start + VOID_BATCH], actor, now)
        return len(chosen)

    def _void(self, event_id: str, key: str, address: str, chosen: list[dict], actor: str, now: float):
        counts: dict[str, int] = {}
        for b in chosen:
            for name, delta in counts_of(key, b["value"], -1).items():
                counts[name] = counts.get(name, 0) + delta
        expression, values, names = add_expression(counts, -len(chosen))
        pk = f"{event_id}#{key}"
        void = {"pk": pk, "sk": "S#VOID"}
        ops = [tx.update("void", self.table, void, expression, values=values, names=names)]
        for i, b in enumerate(chosen):  # each ballot once: a void that raced another's is refused whole
            ops.append(
                tx.update(
                    f"ballot{i}",
                    self.table,
                    {"pk": pk, "sk": b["sk"]},
                    "SET voided = :t",
                    condition="rev = :r AND attribute_not_exists(voided)",
                    values={":t": True, ":r": b["rev"]},
                )
            )
        data = {"window": key, "address": address, "voided": len(chosen)}
        ops += self.log.append_ops(event_id, f"admin:{actor}", now, actor, "votes_voided", data)
        try:
            tx.Transaction(self.client, ops).commit()
        except tx.Cancelled as c:
            raise Conflict(N_("Votes changed meanwhile; nothing more was voided, try again.")) from c
