"""Logging in and staying logged in: passwords (throttled per client), one-time login links (the device
swap), sessions checked on every call, and what the admin sees and ends: `service.logins`.

A session token is random, stored only as its hash, and expires; a session that was ended keeps why
(another device, the admin, a new password), so its page can say so.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from engine.domain import accounts, devices, throttle
from engine.domain.messages import N_
from engine.domain.model import Account, Conflict, InvalidInput, NotAllowed, Role, Session, StagescoreError
from engine.store import RETRY, Store

WRONG = N_("Wrong email or password.")
FAILURE_WINDOW = 60.0  # the control desk counts failed logins over this many seconds


@dataclass(frozen=True)
class LoginClient:
    """Who is logging in, as the web route sees them: the remote address (after trusted proxies), the
    device cookie's value if the browser sent one, and the User-Agent header."""

    address: str = "local"
    device: str | None = None
    agent: str = ""


@dataclass(frozen=True)
class Device:
    """A live session of an account, for the admin; `session_id` is the token's hash, not the token."""

    session_id: str
    browser: str
    first_seen: float
    last_seen: float
    present: bool


@dataclass(frozen=True)
class FailedLogins:
    email: str
    count: int
    addresses: int


def _too_many(wait: float) -> NotAllowed:
    return NotAllowed(
        f"Too many failed logins from this device or network; try again in {math.ceil(wait)} s."
    )


@dataclass
class Logins:
    """The login use cases, as `service.logins`; also who acts for a token (`actor`) and the admin's log
    entry for acts on accounts (`log_admin`)."""

    store: Store
    clock: Callable[[], float] = time.time

    def actor(self, token: str | None, role: Role) -> str:
        """Who does an act: the session's email, or the operator at the shell when there is no token."""
        return OPERATOR if token is None else self.whoami(token, role).email

    def log_admin(self, actor: str, kind: str, data: dict) -> None:
        """An admin's act on accounts or logins, in the current event's log (if there is an event)."""
        eid = self.store.events.current_id()
        if eid:
            self.store.log.append(eid, f"admin:{actor}", self.clock(), actor, kind, data)

    # ---- logging in
    def login(self, email: str, password: str, client: LoginClient | None = None) -> Session:
        """A password login. Failures slow down `client` (engine/domain/throttle.py), never the account; an
        unknown email and a disabled account cost the same work and get the same sentence as a wrong
        password (a disabled account's right password too)."""
        client = client or LoginClient()
        email = accounts.normalise_email(email)
        if not password:
            raise InvalidInput(N_("Enter your password."))
        if len(password) > accounts.MAX_PASSWORD:  # never hashed; says nothing about the account
            raise InvalidInput(WRONG)
        now = self.clock()
        device_hash = accounts.token_hash(client.device) if client.device else None
        known = device_hash is not None and self.store.logins.known_device(device_hash)
        key = throttle.client_key(client.address, device_hash if known else None)
        wait = self._claim_attempt(key, now, email)
        if wait > 0:
            self.store.logins.record_failure(email, client.address, key, now)
            raise _too_many(wait)
        stored = self.store.accounts.get(email)
        right = accounts.verify_password(stored.password_hash if stored else None, password)
        # A disabled account gets the wrong password's sentence even for its right password, and its
        # attempt is not forgiven: neither the answer nor the throttle tells a guesser they were right.
        if not right or not stored.account.active:
            self.store.logins.record_failure(email, client.address, key, now)
            raise NotAllowed(WRONG)
        self._forgive(key, email)
        return self._start_session(stored.account, client, now)

    def _claim_attempt(self, key: str, now: float, email: str) -> float:
        """Count one attempt of client `key` on `email` before its password is checked, so parallel
        attempts cannot slip past the delay; returns 0 if it may go on, else the seconds it must wait.
        Parallel logins from one address (judges behind the venue's wifi) retry rather than refuse
        each other."""
        for _ in RETRY.tries():
            state = self.store.logins.throttle(key)
            wait = throttle.wait_seconds(state, now)
            if wait > 0:
                return wait
            try:
                self.store.logins.swap_throttle(key, state, throttle.after_attempt(state, now, email))
                return 0.0
            except Conflict:
                continue
        return throttle.BASE_DELAY

    def _forgive(self, key: str, email: str) -> None:
        """A right password: forgive client `key`'s attempts on `email`, and only those (a judge who
        logs in between guesses at the admin's password keeps those guesses). If the races are lost
        every time the attempts stay counted, which only errs towards slowing the client down."""
        for _ in RETRY.tries():
            state = self.store.logins.throttle(key)
            if not dict(state.accounts).get(email):
                return
            try:
                self.store.logins.swap_throttle(key, state, throttle.after_success(state, email))
                return
            except Conflict:
                continue

    def issue_link(self, token: str | None, email: str) -> str:
        """A judge's one-time login code (15 minutes, one use); the admin shows it as a link and a QR code."""
        actor = self.actor(token, Role.ADMIN)
        email = accounts.normalise_email(email)
        stored = self.store.accounts.get(email)
        if not stored or stored.account.role is not Role.JUDGE:
            raise StagescoreError(N_("There is no judge {email}."), email=email)
        if not stored.account.active:
            raise StagescoreError(N_("{email} is disabled; enable the account first."), email=email)
        code = devices.new_code()
        self.store.logins.put_link(accounts.token_hash(code), email, devices.link_expiry(self.clock()))
        self.log_admin(actor, "login_link_issued", {"email": email})
        return code

    def login_with_link(self, code: str | None, client: LoginClient | None = None) -> Session:
        """Exchange a login link's code for a session, once; the judge's other sessions end (device swap).
        A bad code gets one sentence and writes nothing."""
        if not devices.well_formed_code(code):
            raise NotAllowed(devices.LINK_INVALID)
        now = self.clock()
        digest = accounts.token_hash(code)
        item = self.store.logins.link(digest)
        if refusal := devices.link_refusal(item, now):
            raise NotAllowed(refusal)
        stored = self.store.accounts.get(item["email"])
        if not stored or not stored.account.active:
            raise NotAllowed(devices.ENDED[devices.DISABLED])
        try:
            self.store.logins.use_link(digest, now)
        except Conflict:
            raise NotAllowed(devices.LINK_USED) from None
        session = self._start_session(stored.account, client or LoginClient(), now)
        self.end_sessions(session.email, devices.SWAPPED, keep=accounts.token_hash(session.token))
        return session

    def _start_session(self, account: Account, client: LoginClient, now: float) -> Session:
        token, digest = accounts.new_token()
        expires = now + self.store.config.session_hours * 3600
        # The account's index first: a session that exists is always one its account can end.
        self.store.logins.add_session(account.email, digest, expires)
        # Only "Chrome on Android" and the like is kept, never the User-Agent header itself.
        browser = devices.describe_agent(client.agent)
        self.store.sessions.put(digest, account.email, account.role, expires, now, browser)
        if client.device:
            self.store.logins.remember_device(accounts.token_hash(client.device), now)
        return Session(token, account.email, account.role, account.name)

    # ---- being logged in
    def whoami(self, token: str | None, role: Role | None = None) -> Session:
        """The session behind a token, checked against the database on every call."""
        if not token or not isinstance(token, str) or len(token) > 200:
            raise NotAllowed(N_("Please log in."))
        digest = accounts.token_hash(token)
        item = self.store.sessions.get(digest)
        now = self.clock()
        if not item or float(item["expires_at"]) <= now:
            raise NotAllowed(devices.SESSION_OVER)
        if item.get("ended"):
            raise NotAllowed(devices.ENDED.get(item["ended"], devices.SESSION_OVER))
        stored = self.store.accounts.get(item["email"])
        if not stored or not stored.account.active:
            raise NotAllowed(devices.ENDED[devices.DISABLED])
        if now - float(item.get("last_seen", 0)) >= devices.SEEN_EVERY:
            self.store.sessions.seen(digest, now)
        session = Session(token, stored.account.email, stored.account.role, stored.account.name)
        if role is not None and session.role is not role:
            raise NotAllowed(ONLY[role])
        return session

    def session_state(self, token: str | None) -> str | None:
        """None while the session is live, else the one sentence that says why it is not (e.g. "This
        judge has logged in on another device; …"). For pages and live routes that only need to know."""
        try:
            self.whoami(token)
        except NotAllowed as e:
            return str(e)
        return None

    def logout(self, token: str | None) -> None:
        if not token or len(token) > 200:
            return
        digest = accounts.token_hash(token)
        item = self.store.sessions.get(digest)
        self.store.sessions.delete(digest)
        if item:
            self.store.logins.remove_session(item["email"], digest)

    def end_sessions(self, email: str, reason: str, keep: str | None = None) -> int:
        """End every session of `email` but `keep` (a token hash); returns how many ended."""
        ended = 0
        for digest in self.store.logins.session_hashes(email):
            if digest != keep:
                self.store.sessions.end(digest, reason)
                self.store.logins.remove_session(email, digest)
                ended += 1
        return ended

    # ---- what the admin sees and does
    def devices(self, token: str | None, email: str) -> list[Device]:
        """The live sessions of an account, oldest first."""
        if token is not None:
            self.whoami(token, Role.ADMIN)
        now, out = self.clock(), []
        for digest in self.store.logins.session_hashes(email):
            item = self.store.sessions.get(digest)
            if not item or item.get("ended") or float(item["expires_at"]) <= now:
                continue
            last = float(item.get("last_seen", 0))
            first = float(item.get("first_seen", 0))
            browser = item.get("agent") or "Unknown browser"
            out.append(Device(digest, browser, first, last, devices.present(last, now)))
        return sorted(out, key=lambda d: d.first_seen)

    def end_device(self, token: str | None, email: str, session_id: str) -> None:
        actor = self.actor(token, Role.ADMIN)
        if session_id not in self.store.logins.session_hashes(email):
            raise StagescoreError(N_("That device has already logged out."))
        self.store.sessions.end(session_id, devices.ENDED_BY_ADMIN)
        self.store.logins.remove_session(email, session_id)
        self.log_admin(actor, "device_ended", {"email": email})

    def failed_logins(self, token: str | None) -> list[FailedLogins]:
        """Accounts with failed logins in the last minute, most first."""
        if token is not None:
            self.whoami(token, Role.ADMIN)
        since, out = self.clock() - FAILURE_WINDOW, []
        for account in self.store.accounts.list():
            items = self.store.logins.failures(account.email, since)
            count = sum(int(i.get("count", 0)) for i in items)
            if count:
                addresses = set().union(*(i.get("addresses", set()) for i in items))
                out.append(FailedLogins(account.email, count, len(addresses)))
        return sorted(out, key=lambda f: -f.count)

    def unlock(self, token: str | None, email: str) -> int:
        """Clear the throttle of every client that failed on `email` lately; returns how many."""
        actor = self.actor(token, Role.ADMIN)
        email = accounts.normalise_email(email)
        items = self.store.logins.failures(email, self.clock() - throttle.FORGET_AFTER)
        clients = set().union(*(i.get("clients", set()) for i in items)) if items else set()
        for key in clients:
            self.store.logins.clear_throttle(key)
        self.store.logins.clear_failures(email, items)
        self.log_admin(actor, "logins_unlocked", {"email": email, "clients": len(clients)})
        return len(clients)


ONLY = {
    Role.ADMIN: N_("Only an admin can do that."),
    Role.JUDGE: N_("Only a judge can do that."),
    Role.STREAMING: N_("Only the streaming operator can do that."),
}
OPERATOR = "operator"  # the shell: whoever can run the CLI already holds the database credentials
