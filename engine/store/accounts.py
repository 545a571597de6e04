"""Accounts (judges and admins, with their password hash) and login sessions."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.domain.messages import N_
from engine.domain.model import Account, Role, StagescoreError
from engine.store.client import Client, ConditionFailed, to_item, to_key
from engine.store.schema import TableNames


@dataclass(frozen=True)
class StoredAccount:
    account: Account
    password_hash: str


def _account_from(i: dict) -> StoredAccount:
    return StoredAccount(
        account=Account(
            email=i["email"],
            name=i.get("name", ""),
            role=Role(i["role"]),
            weight=Decimal(i.get("weight", 1)),
            active=bool(i.get("active", True)),
            stage=i.get("stage"),
        ),
        password_hash=i["password_hash"],
    )


class Accounts:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.table = tables.accounts

    def put(self, account: Account, password_hash: str, create_only: bool = False) -> None:
        """Create (or with create_only=False, replace) an account; Conflict if create_only and it exists."""
        item = {
            "email": account.email,
            "name": account.name,
            "role": account.role.value,
            "weight": account.weight,
            "active": account.active,
            "password_hash": password_hash,
            "stage": account.stage,
        }
        condition = {"ConditionExpression": "attribute_not_exists(email)"} if create_only else {}
        try:
            self.client.call("put_item", TableName=self.table, Item=to_item(item), **condition)
        except ConditionFailed as e:
            raise ConditionFailed(f"An account for {account.email} already exists.") from e

    def get(self, email: str) -> StoredAccount | None:
        item = self.client.get(self.table, {"email": email})
        return _account_from(item) if item else None

    def list(self, role: Role | None = None) -> list[Account]:
        out = []
        for r in [role] if role else list(Role):
            items = self.client.query_all(
                TableName=self.table,
                IndexName="by_role",
                KeyConditionExpression="#r = :r",
                ExpressionAttributeNames={"#r": "role"},
                ExpressionAttributeValues=to_key(**{":r": r.value}),
            )
            out += [_account_from(i).account for i in items]
        return out

    def update(self, email: str, **fields) -> None:
        """Set some attributes of an existing account."""
        try:
            self.client.call(
                "update_item",
                TableName=self.table,
                Key=to_key(email=email),
                UpdateExpression="SET " + ", ".join(f"#{k} = :{k}" for k in fields),
                ConditionExpression="attribute_exists(email)",
                ExpressionAttributeNames={f"#{k}": k for k in fields},
                ExpressionAttributeValues=to_key(**{f":{k}": v for k, v in fields.items()}),
            )
        except ConditionFailed as e:
            raise StagescoreError(N_("There is no account for {email}."), email=email) from e


class Sessions:
    """A login: the token's hash (never the token) -> who and until when."""

    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.table = tables.sessions

    def put(
        self, token_hash: str, email: str, role: Role, expires_at: float, now: float = 0.0, agent: str = ""
    ) -> None:
        item = {
            "token_hash": token_hash,
            "email": email,
            "role": role.value,
            "expires_at": int(expires_at),
            "first_seen": int(now),
            "last_seen": int(now),
            "agent": agent[:60],
        }
        self.client.call("put_item", TableName=self.table, Item=to_item(item))

    def _set(self, token_hash: str, name: str, value: object, condition: str) -> None:
        """Set one attribute of an existing session if `condition` holds; quietly nothing otherwise."""
        self.client.call(
            "update_item",
            TableName=self.table,
            Key=to_key(token_hash=token_hash),
            UpdateExpression=f"SET {name} = :v",
            ConditionExpression=condition,
            ExpressionAttributeValues=to_key(**{":v": value}),
            tolerate={"ConditionalCheckFailedException"},
        )

    def seen(self, token_hash: str, now: float) -> None:
        self._set(token_hash, "last_seen", int(now), "attribute_exists(token_hash)")

    def end(self, token_hash: str, reason: str) -> None:
        """End a session, keeping why (its page says so) until it would have expired."""
        self._set(token_hash, "ended", reason, "attribute_exists(token_hash) AND attribute_not_exists(ended)")

    def get(self, token_hash: str) -> dict | None:
        # Consistent: a session ended a moment ago (device swap, disabled account) must not pass.
        return self.client.get(self.table, {"token_hash": token_hash})

    def get_many(self, token_hashes: list[str]) -> dict[str, dict]:
        """token_hash -> session item, for those that exist (one BatchGetItem per 100)."""
        items = self.client.batch_get(self.table, [{"token_hash": h} for h in token_hashes])
        return {i["token_hash"]: i for i in items}

    def delete(self, token_hash: str) -> None:
        self.client.call("delete_item", TableName=self.table, Key=to_key(token_hash=token_hash))
