"""API keys of the read API's private scope, and the API's rate limit. Pure.

A key reads `ssk_<id>_<secret>`: the id (8 hex digits) names the key in lists and logs, the secret (256
random bits) proves it. Only the SHA-256 hash of the whole key is stored, so the admin sees a key once,
when it is made. A key is sent in the `Authorization: Bearer …` header, never in an address.

The rate limit is a token bucket per client (a key, or an address without one): `burst` requests at
once, then `per_minute` a minute.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
import unicodedata
from dataclasses import dataclass

from engine.domain.messages import N_
from engine.domain.model import InvalidInput, NotAllowed

MAX_NAME = 60
_KEY = re.compile(r"ssk_([0-9a-f]{8})_([A-Za-z0-9_-]{43})")

NOT_VALID = N_("This API key is not valid: it was revoked, or it is mistyped.")
IN_ADDRESS = N_(
    "An API key goes in the Authorization header (Authorization: Bearer KEY), never in the address."
)
NO_KEY = N_("This needs an API key: send it as Authorization: Bearer KEY.")


@dataclass(frozen=True)
class ApiKey:
    """A key as stored and listed: never the key itself."""

    key_id: str
    name: str
    created_at: float
    created_by: str
    key_hash: str = ""
    revoked_at: float | None = None
    revoked_by: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_json(self) -> dict:
        fields = ("key_id", "name", "created_at", "created_by", "revoked_at", "revoked_by")
        return {f: getattr(self, f) for f in fields}  # never the hash


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> tuple[str, str, str]:
    """(the key to hand out once, its id, the hash to store)."""
    key_id = secrets.token_hex(4)
    key = f"ssk_{key_id}_{secrets.token_urlsafe(32)}"
    return key, key_id, key_hash(key)


def parse(text: object) -> str:
    """The id of a well-formed key; NotAllowed(NOT_VALID) for anything else, before any database read."""
    m = _KEY.fullmatch(text) if isinstance(text, str) else None
    if m is None:
        raise NotAllowed(NOT_VALID)
    return m.group(1)


def check(stored: ApiKey | None, key: str) -> ApiKey:
    """The stored key that `key` proves, if it is still active; NotAllowed(NOT_VALID) otherwise."""
    if stored is None or not stored.active or not hmac.compare_digest(stored.key_hash, key_hash(key)):
        raise NotAllowed(NOT_VALID)
    return stored


def bearer(header: str | None) -> str | None:
    """The key of an `Authorization: Bearer KEY` header; None without one."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise NotAllowed(NO_KEY)
    return value.strip()


def clean_name(raw: object) -> str:
    """What the admin calls a key (who uses it): short plain text."""
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise InvalidInput(N_("Give the key a name: who or what will use it."))
    if len(text) > MAX_NAME:
        raise InvalidInput(N_("A key's name is at most {MAX_NAME} characters."), MAX_NAME=MAX_NAME)
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text):
        raise InvalidInput(N_("A key's name can hold text only, without control characters."))
    return text


def clean_id(raw: object) -> str:
    text = "" if raw is None else str(raw).strip()
    if not re.fullmatch(r"[0-9a-f]{8}", text):
        raise InvalidInput(
            N_("There is no API key {shown}: a key's id is 8 hex digits (see the list)."),
            shown=repr(text[:20]),
        )
    return text


@dataclass(frozen=True)
class Bucket:
    tokens: float
    at: float


@dataclass(frozen=True)
class Limit:
    per_minute: int
    burst: int

    def take(self, bucket: Bucket | None, now: float) -> tuple[Bucket, float]:
        """(the bucket after this request, 0) when it may go, else (the bucket as it is, seconds to wait)."""
        tokens = self._tokens(bucket, now)
        if tokens >= 1:
            return Bucket(tokens - 1, now), 0.0
        return Bucket(tokens, now), self.wait(bucket, now)

    def wait(self, bucket: Bucket | None, now: float) -> float:
        """Seconds until a request may go (0: now), taking nothing."""
        return max(0.0, (1 - self._tokens(bucket, now)) / (self.per_minute / 60.0))

    def _tokens(self, bucket: Bucket | None, now: float) -> float:
        if bucket is None:
            return float(self.burst)
        return min(float(self.burst), bucket.tokens + max(0.0, now - bucket.at) * self.per_minute / 60.0)


def too_many(wait: float, keyed: bool) -> str:
    who = "this API key" if keyed else "this address"
    return f"Too many requests from {who}; try again in {max(1, math.ceil(wait))} s."
