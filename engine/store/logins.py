"""The logins table: what password throttling, login links and device lists need beside the sessions.

  (CLIENT#<client key>, THROTTLE)   failures, last_attempt, accounts one per throttled client
  (FAILS#<email>, <10 s bucket>)       count, addresses, clients        failed logins per account per 10 s
  (LINK#<code hash>, LINK)          email, expires_at, used_at       a login link (the code is never stored)
  (DEVICE#<device hash>, DEVICE)    first_seen                       a device that has logged in
  (USER#<email>, S#<token hash>)    created                          the sessions of an account
Every item carries `ttl` (DynamoDB's TTL tidies them; every rule checks its own times on read).
"""

from __future__ import annotations

from engine.domain.messages import N_
from engine.domain.model import Conflict
from engine.domain.throttle import ThrottleState
from engine.store import codec
from engine.store.client import Client, ConditionFailed, to_item, to_key
from engine.store.schema import TableNames

DAY = 86400


def _bucket(now: float) -> str:
    """Failed logins are counted in 10 s buckets, so "the last minute" is right to within 10 s."""
    return f"{int(now // 10):012d}"


class Logins:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.table = tables.logins

    def _get(self, pk: str, sk: str) -> dict | None:
        return self.client.get(self.table, {"pk": pk, "sk": sk})

    def _delete(self, pk: str, sk: str) -> None:
        self.client.call("delete_item", TableName=self.table, Key=to_key(pk=pk, sk=sk))

    # ---- throttling
    def throttle(self, client_key: str) -> ThrottleState:
        item = self._get(f"CLIENT#{client_key}", "THROTTLE")
        if not item:
            return ThrottleState()
        # A map keeps no order: the accounts come back sorted, which only decides which are told apart.
        counts = tuple(sorted((str(k), int(v)) for k, v in item.get("accounts", {}).items()))
        return ThrottleState(int(item["failures"]), float(item["last_attempt"]), counts)

    def swap_throttle(self, client_key: str, before: ThrottleState, after: ThrottleState) -> None:
        """Store `after` (an attempt counted, or an account's attempts forgiven), if the client's state
        is still `before`; Conflict if a parallel attempt won."""
        item = {
            "pk": f"CLIENT#{client_key}",
            "sk": "THROTTLE",
            "failures": after.failures,
            "last_attempt": codec.to_decimal(after.last_attempt),
            "accounts": dict(after.accounts),
            "ttl": int(after.last_attempt) + DAY,
        }
        same = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if before.failures == 0 and before.last_attempt == 0
            else {
                "ConditionExpression": "failures = :f AND last_attempt = :t",
                "ExpressionAttributeValues": to_key(
                    **{":f": before.failures, ":t": codec.to_decimal(before.last_attempt)}
                ),
            }
        )
        try:
            self.client.call("put_item", TableName=self.table, Item=to_item(item), **same)
        except ConditionFailed as e:
            raise Conflict(N_("Another login attempt from this device is under way.")) from e

    def clear_throttle(self, client_key: str) -> None:
        self._delete(f"CLIENT#{client_key}", "THROTTLE")

    def record_failure(self, email: str, address: str, client_key: str, now: float) -> None:
        self.client.call(
            "update_item",
            TableName=self.table,
            Key=to_key(pk=f"FAILS#{email}", sk=_bucket(now)),
            UpdateExpression="ADD #c :one, addresses :a, clients :k SET #t = :ttl",
            ExpressionAttributeNames={"#c": "count", "#t": "ttl"},
            ExpressionAttributeValues=to_key(
                **{":one": 1, ":a": {address[:64]}, ":k": {client_key}, ":ttl": int(now) + DAY}
            ),
        )

    def failures(self, email: str, since: float) -> list[dict]:
        """The failure items of an account from the bucket of `since` on."""
        return self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="pk = :p AND sk >= :s",
            ExpressionAttributeValues=to_key(**{":p": f"FAILS#{email}", ":s": _bucket(since)}),
        )

    def clear_failures(self, email: str, items: list[dict]) -> None:
        for item in items:
            self._delete(f"FAILS#{email}", item["sk"])

    # ---- login links
    def put_link(self, code_hash: str, email: str, expires_at: float) -> None:
        item = {
            "pk": f"LINK#{code_hash}",
            "sk": "LINK",
            "email": email,
            "expires_at": codec.to_decimal(expires_at),
            "ttl": int(expires_at) + DAY,
        }
        self.client.call("put_item", TableName=self.table, Item=to_item(item))

    def link(self, code_hash: str) -> dict | None:
        return self._get(f"LINK#{code_hash}", "LINK")

    def use_link(self, code_hash: str, now: float) -> None:
        """Mark the link used, once: Conflict if it was used (or expired) meanwhile."""
        try:
            self.client.call(
                "update_item",
                TableName=self.table,
                Key=to_key(pk=f"LINK#{code_hash}", sk="LINK"),
                UpdateExpression="SET used_at = :now",
                ConditionExpression=(
                    "attribute_exists(pk) AND attribute_not_exists(used_at) AND expires_at > :now"
                ),
                ExpressionAttributeValues=to_key(**{":now": codec.to_decimal(now)}),
            )
        except ConditionFailed as e:
            raise Conflict(N_("This login link was used meanwhile.")) from e

    # ---- devices and the sessions of an account
    def known_device(self, device_hash: str) -> bool:
        return self._get(f"DEVICE#{device_hash}", "DEVICE") is not None

    def remember_device(self, device_hash: str, now: float) -> None:
        item = {
            "pk": f"DEVICE#{device_hash}",
            "sk": "DEVICE",
            "first_seen": int(now),
            "ttl": int(now) + 400 * DAY,
        }
        self.client.call(
            "put_item",
            TableName=self.table,
            Item=to_item(item),
            tolerate={"ConditionalCheckFailedException"},
            ConditionExpression="attribute_not_exists(pk)",
        )

    def add_session(self, email: str, token_hash: str, expires_at: float) -> None:
        item = {"pk": f"USER#{email}", "sk": f"S#{token_hash}", "ttl": int(expires_at) + DAY}
        self.client.call("put_item", TableName=self.table, Item=to_item(item))

    def session_hashes(self, email: str) -> list[str]:
        items = self.client.query_all(
            TableName=self.table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
            ExpressionAttributeValues=to_key(**{":p": f"USER#{email}", ":s": "S#"}),
        )
        return [i["sk"][2:] for i in items]

    def remove_session(self, email: str, token_hash: str) -> None:
        self._delete(f"USER#{email}", f"S#{token_hash}")
