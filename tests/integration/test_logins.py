"""Logins on DynamoDB Local: links (one use, 15 minutes), the device swap, sessions that end when an
account is disabled or its password reset, and a lockout that cannot be turned against a judge."""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from engine.domain import accounts, devices, rules, throttle
from engine.domain.model import Command, CommandKind, InvalidInput, NotAllowed
from engine.service.logins import WRONG, LoginClient
from tests.support.events import PASSWORD, seed_event

JUDGE = "judge3@test.local"
ATTACKER = LoginClient("198.51.100.66", None, "curl/8")


@pytest.fixture
def tokens(svc):
    return seed_event(svc)


def _sessions(svc) -> int:
    return svc.store.client.call("scan", TableName=svc.store.tables.sessions)["Count"]


# ---- links


def test_a_link_logs_the_judge_in_once(svc, tokens):
    code = svc.logins.issue_link(tokens["admin@test.local"], JUDGE)
    session = svc.logins.login_with_link(code)
    assert svc.logins.whoami(session.token).email == JUDGE
    with pytest.raises(NotAllowed, match="already been used"):
        svc.logins.login_with_link(code)


def test_a_reused_link_writes_nothing(svc, tokens):
    code = svc.logins.issue_link(None, JUDGE)
    svc.logins.login_with_link(code)
    before = _sessions(svc)
    with pytest.raises(NotAllowed):
        svc.logins.login_with_link(code)
    assert _sessions(svc) == before


def test_a_link_expires_after_fifteen_minutes(svc, tokens, clock):
    code = svc.logins.issue_link(None, JUDGE)
    clock.advance(15 * 60)
    before = _sessions(svc)
    with pytest.raises(NotAllowed, match="expired"):
        svc.logins.login_with_link(code)
    assert _sessions(svc) == before
    assert svc.store.logins.link(accounts.token_hash(code)).get("used_at") is None


def test_two_phones_racing_for_one_link_get_one_session(svc, tokens):
    code = svc.logins.issue_link(None, JUDGE)

    def use(_):
        try:
            return svc.logins.login_with_link(code)
        except NotAllowed:
            return None

    with ThreadPoolExecutor(6) as pool:
        won = [s for s in pool.map(use, range(6)) if s]
    assert len(won) == 1


@pytest.mark.parametrize(
    "code",
    [None, "", "short", "x" * 43 + "!", devices.new_code()],
    ids=["none", "empty", "short", "bad-character", "unknown"],
)
def test_a_forged_or_malformed_code_is_refused(svc, tokens, code):
    before = _sessions(svc)
    with pytest.raises(NotAllowed, match="not valid"):
        svc.logins.login_with_link(code)
    assert _sessions(svc) == before


def test_only_the_admin_issues_links_and_only_for_judges(svc, tokens):
    with pytest.raises(NotAllowed):
        svc.logins.issue_link(tokens["judge1@test.local"], JUDGE)
    with pytest.raises(Exception, match="no judge"):
        svc.logins.issue_link(None, "admin@test.local")


def test_the_code_is_never_stored(svc, tokens):
    code = svc.logins.issue_link(None, JUDGE)
    items = svc.store.client.call("scan", TableName=svc.store.tables.logins)["Items"]
    assert code not in repr(items)


# ---- the device swap and ended sessions


def test_a_new_link_ends_the_judges_other_sessions_and_says_why(svc, tokens):
    old = svc.logins.login_with_link(svc.logins.issue_link(None, JUDGE)).token
    laptop = svc.logins.login(JUDGE, PASSWORD).token
    new = svc.logins.login_with_link(svc.logins.issue_link(None, JUDGE)).token

    assert svc.logins.whoami(new).email == JUDGE
    for token in (old, laptop):
        with pytest.raises(NotAllowed) as refused:
            svc.logins.whoami(token)
        assert str(refused.value) == devices.ENDED[devices.SWAPPED]
        assert svc.logins.session_state(token) == devices.ENDED[devices.SWAPPED]
    assert svc.logins.session_state(new) is None
    assert svc.logins.whoami(tokens["judge1@test.local"])  # other judges are untouched


def test_disabling_an_account_ends_its_sessions_at_once(svc, tokens):
    token = tokens[JUDGE]
    svc.set_account(tokens["admin@test.local"], JUDGE, active=False)
    assert svc.logins.session_state(token) == devices.ENDED[devices.DISABLED]
    svc.set_account(tokens["admin@test.local"], JUDGE, active=True)
    assert svc.logins.session_state(token) is not None  # re-enabling does not bring an ended session back


def test_resetting_a_password_ends_the_sessions(svc, tokens):
    token = tokens[JUDGE]
    svc.set_account(None, JUDGE, password="a brand new password")
    assert svc.logins.session_state(token) == devices.ENDED[devices.PASSWORD_CHANGED]
    assert svc.logins.login(JUDGE, "a brand new password").email == JUDGE


def test_the_admin_sees_a_judges_devices_and_ends_one(svc, tokens, clock):
    phone = LoginClient(
        "192.0.2.1", devices.new_device_id(), "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5) Safari/604"
    )
    s = svc.logins.login(JUDGE, PASSWORD, phone)
    clock.advance(600)
    listed = svc.logins.devices(tokens["admin@test.local"], JUDGE)
    assert len(listed) == 2  # the seed's login and the phone
    [mine] = [d for d in listed if d.browser == "Safari on iPhone"]
    assert not mine.present
    svc.logins.whoami(s.token)  # the phone is seen again
    assert [d.present for d in svc.logins.devices(None, JUDGE) if d.session_id == mine.session_id] == [True]

    svc.logins.end_device(tokens["admin@test.local"], JUDGE, mine.session_id)

    assert svc.logins.session_state(s.token) == devices.ENDED[devices.ENDED_BY_ADMIN]
    assert [d.session_id for d in svc.logins.devices(None, JUDGE)] == [
        d.session_id for d in listed if d != mine
    ]
    with pytest.raises(NotAllowed):
        svc.logins.devices(tokens["judge1@test.local"], JUDGE)


def test_a_session_expires(svc, tokens, clock):
    clock.advance(svc.store.config.session_hours * 3600 + 1)
    assert svc.logins.session_state(tokens[JUDGE]) == devices.SESSION_OVER


# ---- a lockout nobody can turn against a judge


def _hammer(svc, n: int, client: LoginClient = ATTACKER) -> list[str]:
    out = []
    for _ in range(n):
        try:
            svc.logins.login(JUDGE, "guess-" + "x" * 8, client)
        except NotAllowed as e:
            out.append(str(e))
    return out


def test_judges_logging_in_at_once_from_one_address_do_not_refuse_each_other(svc, tokens):
    venue = LoginClient("192.0.2.200")
    emails = [f"judge{i}@test.local" for i in (1, 2, 3)] * 2

    with ThreadPoolExecutor(6) as pool:
        sessions = list(pool.map(lambda e: svc.logins.login(e, PASSWORD, venue), emails))

    assert [s.email for s in sessions] == emails


def test_wrong_passwords_slow_down_the_client_not_the_account(svc, tokens):
    answers = _hammer(svc, throttle.FREE_FAILURES + 3)
    assert answers[: throttle.FREE_FAILURES] == [WRONG] * throttle.FREE_FAILURES
    assert all(a.startswith("Too many failed logins from this device or network") for a in answers[-3:])
    # Even the right password waits, from that client; from the judge's own phone it works at once.
    with pytest.raises(NotAllowed, match="Too many"):
        svc.logins.login(JUDGE, PASSWORD, ATTACKER)
    assert svc.logins.login(JUDGE, PASSWORD, LoginClient("203.0.113.7")).email == JUDGE
    assert svc.logins.whoami(tokens[JUDGE]).email == JUDGE  # the judge's running session is untouched
    assert (
        svc.logins.login_with_link(svc.logins.issue_link(None, JUDGE)).email == JUDGE
    )  # a link is never throttled


def test_the_delay_is_served_and_then_one_more_try_is_allowed(svc, tokens, clock):
    _hammer(svc, throttle.FREE_FAILURES)
    clock.advance(throttle.BASE_DELAY)
    assert _hammer(svc, 1) == [WRONG]
    assert "Too many" in _hammer(svc, 1)[0]


def test_a_known_device_keeps_its_own_allowance_behind_a_shared_address(svc, tokens):
    """The venue's wifi: attacker and judge share one public address; the judge's phone has logged in
    before, so its device cookie is its own client."""
    device = devices.new_device_id()
    svc.logins.logout(svc.logins.login(JUDGE, PASSWORD, LoginClient(ATTACKER.address, device)).token)
    _hammer(svc, 30)
    phone = LoginClient(ATTACKER.address, device, "Chrome on Android")
    assert svc.logins.login(JUDGE, PASSWORD, phone).email == JUDGE
    # A device id the attacker makes up is not a known device: it is charged to the address.
    with pytest.raises(NotAllowed, match="Too many"):
        svc.logins.login(JUDGE, PASSWORD, LoginClient(ATTACKER.address, devices.new_device_id()))


def test_a_thousand_wrong_passwords_in_a_minute_do_not_stop_the_judge(svc, tokens):
    """The attack of the issue, on the wall clock: 1,000 guesses for judge3 within a minute from one
    address (8 at a time). The judge's known phone logs in meanwhile and scores."""
    device = devices.new_device_id()
    svc.logins.logout(svc.logins.login(JUDGE, PASSWORD, LoginClient("203.0.113.7", device)).token)
    svc.clock = time.time
    started = time.monotonic()
    timings: list[float] = []

    def guess(_):
        t = time.monotonic()
        try:
            svc.logins.login(JUDGE, "guess-password", ATTACKER)
        except NotAllowed as e:
            timings.append(time.monotonic() - t)
            return str(e)
        return "LOGGED IN"

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(guess, range(1000)))
        t = time.monotonic()
        session = svc.logins.login(JUDGE, PASSWORD, LoginClient("203.0.113.7", device, "Chrome on Android"))
        judge_login = time.monotonic() - t
    elapsed = time.monotonic() - started

    assert elapsed < 60, f"the attack took {elapsed:.1f} s"
    assert "LOGGED IN" not in answers
    checked = answers.count(WRONG)
    assert checked <= throttle.FREE_FAILURES + 6
    refused_fast = [s for s, a in zip(timings, answers, strict=False) if a != WRONG]
    p95 = statistics.quantiles(refused_fast, n=20)[-1]
    print(
        f"\n1,000 guesses in {elapsed:.1f} s: {checked} reached the password check, {1000 - checked} were "
        f"refused (median {statistics.median(refused_fast) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms); "
        f"the judge's own phone logged in in {judge_login * 1000:.0f} ms meanwhile"
    )
    assert p95 < 1.0
    svc.command(tokens["admin@test.local"], Command(CommandKind.START, force=True))
    b = svc.bundle()
    (step,) = rules.due_steps(b.state, b.settings, b.state.deadline, 0)  # scoring opens, as the engine does
    svc.store.events.write_step(b.state.version, step, "test", step.at)
    score, _ = svc.submit_score(session.token, step.state.performer_id, {"Score": "7.5"})
    assert score.total == Decimal("7.5") and score.judge == JUDGE
    [desk] = [f for f in svc.logins.failed_logins(None) if f.email == JUDGE]
    assert desk.count == 1000 and desk.addresses == 1


def test_the_admin_unlocks_an_account_by_clearing_its_attackers_throttle(svc, tokens):
    _hammer(svc, throttle.FREE_FAILURES + 2)
    assert [
        (f.email, f.count, f.addresses) for f in svc.logins.failed_logins(tokens["admin@test.local"])
    ] == [(JUDGE, throttle.FREE_FAILURES + 2, 1)]
    assert svc.logins.unlock(tokens["admin@test.local"], JUDGE) == 1
    assert svc.logins.failed_logins(None) == []
    assert svc.logins.login(JUDGE, PASSWORD, ATTACKER).email == JUDGE


def test_the_failed_logins_figure_covers_the_last_minute(svc, tokens, clock):
    _hammer(svc, 3)
    clock.advance(75)
    assert svc.logins.failed_logins(None) == []


def test_an_unknown_email_and_a_wrong_password_cost_about_the_same(svc, tokens):
    # The account's password set as an admin sets it, so its hash has the product's cost (the seeded
    # accounts' hash is the cheapest argon2 allows: tests/support/events.py).
    svc.set_account(None, JUDGE, password=PASSWORD)

    def timed(email: str, i: int) -> float:
        t = time.perf_counter()
        with pytest.raises(NotAllowed, match=f"^{WRONG}$"):
            svc.logins.login(email, "wrong-password", LoginClient(f"192.0.2.{i}"))
        return time.perf_counter() - t

    # Interleaved, so the load of a shared machine falls on both alike.
    pairs = [(timed(JUDGE, 2 * i), timed("nobody@test.local", 2 * i + 1)) for i in range(1, 11)]
    a, b = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    print(f"\nwrong password {a * 1000:.0f} ms, unknown email {b * 1000:.0f} ms (medians of 10)")
    assert 0.5 < a / b < 2.0


def test_a_too_long_password_is_refused_without_hashing(svc, tokens):
    with pytest.raises(InvalidInput, match=WRONG):
        svc.logins.login(JUDGE, "p" * 100_000, ATTACKER)


def test_a_disabled_accounts_right_password_gets_the_wrong_password_sentence(svc, tokens):
    svc.set_account(tokens["admin@test.local"], JUDGE, active=False)
    for password in ("not-the-password", PASSWORD):
        with pytest.raises(NotAllowed, match=f"^{WRONG}$"):
            svc.logins.login(JUDGE, password, LoginClient("192.0.2.77"))
    [desk] = [f for f in svc.logins.failed_logins(None) if f.email == JUDGE]
    assert desk.count == 2  # the right one counts as a failure too, for the throttle and the desk


def test_a_good_login_between_guesses_keeps_the_guesses(svc, tokens):
    """A judge who knows their own password cannot wipe their guesses at the admin's."""
    for i in range(throttle.FREE_FAILURES + 2):  # 10 guesses, 2 good logins
        if i % 5 == 4:
            svc.logins.login("judge1@test.local", PASSWORD, ATTACKER)
            continue
        with pytest.raises(NotAllowed, match=f"^{WRONG}$"):
            svc.logins.login("admin@test.local", f"guess-{i}", ATTACKER)
    with pytest.raises(NotAllowed, match="Too many"):
        svc.logins.login("judge1@test.local", PASSWORD, ATTACKER)
