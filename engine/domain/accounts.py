"""Passwords (argon2id) and session tokens. Pure apart from the randomness of tokens.
Failed passwords are throttled per client, never per account: engine/domain/throttle.py."""

from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from engine.domain.messages import N_
from engine.domain.model import InvalidInput

# OWASP's first recommended argon2id configuration: m=19 MiB, t=2, p=1.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16)
# A hash to verify against for unknown emails, so a miss costs the same time as a hit.
_DUMMY_HASH = _hasher.hash("stagescore-no-such-account")

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}$")
MIN_PASSWORD, MAX_PASSWORD = 8, 256


def hash_password(password: str) -> str:
    check_password_shape(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not email:
        raise InvalidInput(N_("Enter your email address."))
    if len(email) > 254 or not EMAIL_RE.match(email):
        raise InvalidInput(N_("That does not look like an email address."))
    return email


def check_password_shape(password: str) -> None:
    if not isinstance(password, str) or not password:
        raise InvalidInput(N_("Enter a password."))
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(N_("A password is at most {MAX_PASSWORD} characters."), MAX_PASSWORD=MAX_PASSWORD)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            N_("A password needs at least {MIN_PASSWORD} characters."), MIN_PASSWORD=MIN_PASSWORD
        )


def new_token() -> tuple[str, str]:
    """A session token for the browser and the hash that is stored."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_password() -> str:
    return secrets.token_urlsafe(12)
