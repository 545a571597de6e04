"""Login throttling: failed passwords slow down the client that sends them, never the account.

A client is a device that has logged in before (its device cookie), else the remote address (an IPv6
address counts as its whole /64, which one attacker usually holds). After FREE_FAILURES failed attempts
each further attempt must wait a delay that doubles, up to MAX_DELAY; an attempt made during the delay is
refused before any password is checked. So an attacker hammering one judge's account only slows down
themselves: the judge's own known device is another client, and a login link is never throttled.
A right password forgives only that client's attempts on that account: a judge who also knows their own
password cannot wipe their guesses at the admin's by logging in between them.
The remote address is the peer's, unless the peer is in STAGESCORE_TRUSTED_PROXIES (nothing is trusted
by default, not even loopback: a local process could otherwise forge any X-Forwarded-For).
Pure: the store keeps a ThrottleState per client key.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

FREE_FAILURES = 10  # enough for a panel logging in at once from one venue address
BASE_DELAY = 1.0  # seconds, after the free failures; doubles with each further failure
MAX_DELAY = 300.0
FORGET_AFTER = 3600.0  # a client quiet this long starts afresh
MAX_ACCOUNTS = 20  # accounts whose attempts a client's state tells apart; the rest are never forgiven
SETTING = "STAGESCORE_TRUSTED_PROXIES"


@dataclass(frozen=True)
class ThrottleState:
    failures: int = 0
    last_attempt: float = 0.0
    accounts: tuple[tuple[str, int], ...] = ()  # the attempts counted by account, oldest account first


def delay_after(failures: int) -> float:
    """How long a client that has failed `failures` times waits before its next attempt."""
    if failures < FREE_FAILURES:
        return 0.0
    return min(MAX_DELAY, BASE_DELAY * 2 ** min(failures - FREE_FAILURES, 32))


def _current(state: ThrottleState, now: float) -> ThrottleState:
    return ThrottleState() if now - state.last_attempt > FORGET_AFTER else state


def wait_seconds(state: ThrottleState, now: float) -> float:
    """0 if the client may try a password now, else how long it must still wait."""
    state = _current(state, now)
    return max(0.0, state.last_attempt + delay_after(state.failures) - now)


def after_attempt(state: ThrottleState, now: float, account: str = "") -> ThrottleState:
    """The state once an attempt on `account` is counted (counted before the password is checked, so
    parallel attempts cannot slip past the delay; a right password then forgives it, after_success).
    Past MAX_ACCOUNTS accounts an attempt is counted but not told apart, so it is never forgiven."""
    state = _current(state, now)
    counts = dict(state.accounts)
    if account in counts or len(counts) < MAX_ACCOUNTS:
        counts[account] = counts.get(account, 0) + 1
    return ThrottleState(state.failures + 1, now, tuple(counts.items()))


def after_success(state: ThrottleState, account: str) -> ThrottleState:
    """The state once `account`'s right password was given: that account's attempts from this client
    are forgiven, and only those (the others still count towards the delay)."""
    counts = dict(state.accounts)
    forgiven = counts.pop(account, 0)
    return ThrottleState(max(0, state.failures - forgiven), state.last_attempt, tuple(counts.items()))


def client_key(address: str, known_device: str | None) -> str:
    """Whom failures are charged to: a known device by its id's hash, else the (network) address."""
    if known_device:
        return f"device:{known_device}"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return f"addr:{address[:64]}"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return f"addr:{ip.ipv4_mapped}"
        return f"addr:{ipaddress.ip_network(f'{ip}/64', strict=False)}"
    return f"addr:{ip}"


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]


def trusted_proxies(setting: str = "") -> Networks:
    """The networks in `setting` (STAGESCORE_TRUSTED_PROXIES: comma-separated addresses or CIDR
    networks); none when empty. ValueError with one sentence for a part that is not a network."""
    nets = []
    for part in (p.strip() for p in setting.split(",")):
        if not part:
            continue
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            raise ValueError(
                f"{SETTING}: {part[:60]!r} is not a network (write addresses or CIDR networks such as "
                "10.0.0.0/8, separated by commas)."
            ) from None
    return tuple(nets)


def _trusted(address: str, trusted: Networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in trusted if net.version == ip.version)


def remote_address(peer: str | None, forwarded_for: str | None, trusted: Networks) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the nearest address in
    X-Forwarded-For that is not a trusted proxy (entries further left may be forged by the client)."""
    if not peer:
        return "unknown"
    if not forwarded_for or not _trusted(peer, trusted):
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer
        if not _trusted(hop, trusted):
            return hop
    return peer
