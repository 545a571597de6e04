"""The read API's keys and rate limit (engine/domain/apikeys.py): pure rules."""

from __future__ import annotations

import pytest

from engine.domain import apikeys
from engine.domain.apikeys import ApiKey, Limit
from engine.domain.model import InvalidInput, NotAllowed


def stored(key: str, revoked: float | None = None) -> ApiKey:
    return ApiKey(apikeys.parse(key), "Vendor", 1.0, "admin@x", apikeys.key_hash(key), revoked)


def test_a_new_key_parses_to_its_id_and_only_its_hash_is_kept():
    key, key_id, key_hash = apikeys.new_key()
    assert apikeys.parse(key) == key_id and key_hash == apikeys.key_hash(key) and key not in key_hash
    assert apikeys.check(stored(key), key).key_id == key_id
    assert "key_hash" not in stored(key).as_json()


@pytest.mark.parametrize(
    "bad", ["", "ssk_", "ssk_0000000_" + "A" * 43, "Bearer x", None, 42, "ssk_0badc0de_" + "A" * 44]
)
def test_a_malformed_key_is_refused_before_any_read(bad):
    with pytest.raises(NotAllowed, match="not valid"):
        apikeys.parse(bad)


def test_a_revoked_or_different_key_is_refused():
    key, _, _ = apikeys.new_key()
    with pytest.raises(NotAllowed):
        apikeys.check(stored(key, revoked=5.0), key)
    other = key[:-1] + ("B" if key[-1] != "B" else "C")
    with pytest.raises(NotAllowed):
        apikeys.check(stored(key), other)
    with pytest.raises(NotAllowed):
        apikeys.check(None, key)


def test_the_header_takes_a_bearer_key_only():
    assert apikeys.bearer(None) is None and apikeys.bearer("Bearer  ssk_x ") == "ssk_x"
    assert apikeys.bearer("bearer abc") == "abc"
    for bad in ("Basic abc", "Bearer", "Token abc"):
        with pytest.raises(NotAllowed, match="Authorization: Bearer KEY"):
            apikeys.bearer(bad)


def test_a_keys_name_is_short_plain_text():
    assert apikeys.clean_name("  Federation  ") == "Federation"
    for bad in ("", "x" * 61, "a\u202eb", "a\nb"):
        with pytest.raises(InvalidInput):
            apikeys.clean_name(bad)
    with pytest.raises(InvalidInput, match="8 hex digits"):
        apikeys.clean_id("nothex!!")


def test_the_bucket_lets_a_burst_through_then_one_request_per_interval():
    limit = Limit(per_minute=60, burst=3)
    bucket, now, waits = None, 100.0, []
    for _ in range(4):
        bucket, wait = limit.take(bucket, now)
        waits.append(wait)
    assert waits[:3] == [0, 0, 0] and waits[3] == pytest.approx(1.0)
    assert limit.wait(bucket, now + 0.5) == pytest.approx(0.5)
    assert limit.take(bucket, now + 1.0)[1] == 0
    assert limit.take(None, 0)[0].tokens == 2  # a new client starts with a full burst
    assert apikeys.too_many(0.2, True) == "Too many requests from this API key; try again in 1 s."
