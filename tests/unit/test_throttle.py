"""The login throttle's pure rules: failures slow down the client that sends them, never the account."""

from __future__ import annotations

import pytest

from engine import throttle
from engine.throttle import ThrottleState


def test_the_first_failures_are_free():
    state = ThrottleState()
    for _ in range(throttle.FREE_FAILURES):
        assert throttle.wait_seconds(state, now=100.0) == 0
        state = throttle.after_attempt(state, now=100.0)
    assert throttle.wait_seconds(state, now=100.0) > 0


def test_the_delay_grows_with_each_failure_and_is_capped():
    delays = [throttle.delay_after(n) for n in range(throttle.FREE_FAILURES, throttle.FREE_FAILURES + 20)]
    assert delays[0] == throttle.BASE_DELAY
    assert all(b >= a for a, b in zip(delays, delays[1:], strict=False))
    assert delays[1] == 2 * delays[0]
    assert max(delays) == throttle.MAX_DELAY


def test_waiting_out_the_delay_allows_one_more_attempt():
    state = ThrottleState()
    for _ in range(throttle.FREE_FAILURES):
        state = throttle.after_attempt(state, now=100.0)
    wait = throttle.wait_seconds(state, now=100.0)
    assert wait == throttle.BASE_DELAY
    assert throttle.wait_seconds(state, now=100.0 + wait) == 0


def test_failures_are_forgotten_after_a_quiet_spell():
    state = ThrottleState()
    for _ in range(throttle.FREE_FAILURES + 3):
        state = throttle.after_attempt(state, now=100.0)
    later = 100.0 + throttle.FORGET_AFTER + 1
    assert throttle.wait_seconds(state, now=later) == 0
    assert throttle.after_attempt(state, now=later).failures == 1


def test_an_attacker_gets_few_checked_guesses_in_a_minute():
    """1,000 tries in a minute from one client: only a handful reach the password check."""
    state, checked, now = ThrottleState(), 0, 0.0
    for i in range(1000):
        now = i * 0.06
        if throttle.wait_seconds(state, now) == 0:
            state = throttle.after_attempt(state, now)
            checked += 1
    assert checked <= throttle.FREE_FAILURES + 7


def test_a_known_device_is_its_own_client_else_the_address():
    assert throttle.client_key("1.2.3.4", "dev-hash") == "device:dev-hash"
    assert throttle.client_key("1.2.3.4", None) == "addr:1.2.3.4"


def test_an_ipv6_client_is_its_whole_64_network():
    a = throttle.client_key("2001:db8:1:2:aaaa::1", None)
    b = throttle.client_key("2001:db8:1:2:bbbb::9", None)
    assert a == b == "addr:2001:db8:1:2::/64"
    assert throttle.client_key("2001:db8:1:3::1", None) != a


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        ("203.0.113.9", None, "203.0.113.9"),
        ("203.0.113.9", "198.51.100.1", "203.0.113.9"),  # not from a proxy: the header is ignored
        ("127.0.0.1", "198.51.100.1", "198.51.100.1"),  # from the local proxy: its client
        ("127.0.0.1", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # a forged left part is ignored
        ("10.0.0.5", "198.51.100.1, 10.0.0.7", "198.51.100.1"),  # a chain of configured proxies
        ("127.0.0.1", "not an address", "127.0.0.1"),
        (None, None, "unknown"),
    ],
)
def test_the_remote_address_honours_forwarded_for_only_from_proxies(peer, forwarded, expected):
    trusted = throttle.trusted_proxies("10.0.0.0/8")
    assert throttle.remote_address(peer, forwarded, trusted) == expected
