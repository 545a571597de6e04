"""The login throttle's pure rules: failures slow down the client that sends them, never the account."""

from __future__ import annotations

import pytest

from engine.domain import throttle
from engine.domain.throttle import ThrottleState


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
        ("10.0.0.5", "198.51.100.1", "198.51.100.1"),  # from a configured proxy: its client
        ("10.0.0.5", "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # a forged left part is ignored
        ("10.0.0.5", "198.51.100.1, 10.0.0.7", "198.51.100.1"),  # a chain of configured proxies
        ("10.0.0.5", "not an address", "10.0.0.5"),
        ("127.0.0.1", "198.51.100.1", "127.0.0.1"),  # loopback is not implied: only what is configured
        ("::1", "198.51.100.1", "::1"),
        (None, None, "unknown"),
    ],
)
def test_the_remote_address_honours_forwarded_for_only_from_proxies(peer, forwarded, expected):
    trusted = throttle.trusted_proxies("10.0.0.0/8")
    assert throttle.remote_address(peer, forwarded, trusted) == expected


def test_no_proxy_is_trusted_unless_configured():
    assert throttle.trusted_proxies("") == ()
    assert throttle.remote_address("127.0.0.1", "198.51.100.1", throttle.trusted_proxies("")) == "127.0.0.1"
    local = throttle.trusted_proxies(" 127.0.0.1/32 , ::1 ")
    assert throttle.remote_address("127.0.0.1", "198.51.100.1", local) == "198.51.100.1"


@pytest.mark.parametrize("setting", ["10.0.0.0/33", "nginx", "10.0.0.0/8, 10.0.0.300"])
def test_a_malformed_proxy_setting_is_refused_with_one_sentence(setting):
    with pytest.raises(ValueError, match=r"^STAGESCORE_TRUSTED_PROXIES: .* is not a network"):
        throttle.trusted_proxies(setting)


# ---- a success forgives only that client's failures for that account


def _attempts(state: ThrottleState, account: str, n: int, now: float = 100.0) -> ThrottleState:
    for _ in range(n):
        state = throttle.after_attempt(state, now, account)
    return state


def test_a_success_forgives_only_the_attempts_on_its_own_account():
    state = _attempts(ThrottleState(), "admin@x", 9)
    state = _attempts(state, "judge1@x", 3)  # two typos, then the right password
    state = throttle.after_success(state, "judge1@x")
    assert state.failures == 9
    assert throttle.wait_seconds(_attempts(state, "admin@x", 1), 100.0) > 0


def test_a_judges_typos_are_forgiven_by_their_own_success():
    state = throttle.after_success(_attempts(ThrottleState(), "judge1@x", 4), "judge1@x")
    assert state.failures == 0 and throttle.wait_seconds(state, 100.0) == 0


def test_interleaved_guesses_and_good_logins_are_throttled():
    """The issue's attack: wrong admin passwords between good logins of judge1, from one client."""
    state, checked = ThrottleState(), 0
    for i in range(30):
        account = "judge1@x" if i % 10 == 9 else "admin@x"
        if throttle.wait_seconds(state, 100.0) > 0:
            continue
        state, checked = throttle.after_attempt(state, 100.0, account), checked + 1
        if account == "judge1@x":
            state = throttle.after_success(state, account)
    assert checked <= throttle.FREE_FAILURES + 1


def test_a_client_spraying_many_accounts_keeps_its_failures():
    state = ThrottleState()
    for i in range(throttle.MAX_ACCOUNTS + 5):
        state = throttle.after_attempt(state, 100.0, f"user{i}@x")
    assert len(state.accounts) <= throttle.MAX_ACCOUNTS
    last = f"user{throttle.MAX_ACCOUNTS + 4}@x"
    assert throttle.after_success(state, last).failures >= state.failures - 1
