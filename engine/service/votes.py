"""The audience vote's use cases: a voter's device, the one way in for a vote (`cast`), the admin's acts
and what the desk, the results and the command line read.

A vote needs no login: a phone holds a device token (an HttpOnly cookie issued by /vote, signed with
the deployment's key so its issue time cannot be forged) and types or scans the code the kiosk shows.
The code says which window (stage, event, performer or the final) the vote is for; this process finds
it in what it read of the open windows at most a second ago, and the commit's condition on the window's
item decides (engine/store/vote_commit.py): a vote is one DynamoDB request, a revision two.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from engine.domain import votes
from engine.domain.messages import N_
from engine.domain.model import CommandRefused, InvalidInput, NotAllowed, Role, ScoreRefused, VoteMode
from engine.domain.votes import FINAL, OpenWindow, SetClose
from engine.store.vote_commit import Ballot
from engine.views import votes as views
from engine.views.votes import Audience

if TYPE_CHECKING:
    from engine.service.core import Service

RECENT = 600.0  # seconds a closed window's code is still recognised (to say it closed)
FRESH_SECONDS = 1.0  # the open windows this process knows are at most this old (a miss reads again)
STALE_SECONDS = 3.0  # ... or this old, while one thread reads them again (the others do not wait)
MISS_SECONDS = 0.25  # a code not found reads the windows again at most this often
ADDRESS_PER_MINUTE = 6000  # votes and lookups from one address a minute: a venue's crowd shares one
REQUEST_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
NO_DEVICE = N_("Open the vote page first: it gives this phone its place in the vote.")
TOO_MANY = N_("Too many votes from this network right now; try again in a minute.")
NO_VOTE = N_("Audience voting is not on for this event.")


@dataclass(frozen=True)
class OpenVote:
    """A window as a voter's phone sees it: what it is for and what it takes."""

    event_id: str
    stage: str
    key: str
    code: str
    title: str  # the performer's name, or the event's name for the final vote
    opened_at: float
    closes_at: float | None
    choices: tuple[tuple[str, str], ...] = ()  # final: (performer_id, name) of every act

    def public(self) -> dict:
        """What /vote/window answers (never the code itself: the voter typed it)."""
        kind = "final" if self.key == FINAL else "stars"
        choices = [{"id": pid, "name": name} for pid, name in self.choices]
        fields = {"window": self.key, "kind": kind, "title": self.title, "closes_at": self.closes_at}
        return {**fields, "choices": choices}


@dataclass(frozen=True)
class Device:
    digest: str  # what is stored: never the token
    issued_at: float


class AudienceVotes:
    def __init__(self, svc: Service):
        self.svc = svc
        self.store = svc.store
        self.clock: Callable[[], float] = lambda: svc.clock()
        self._open: dict[str, OpenVote] = {}
        self._read_at = self._missed_at = 0.0
        self._lock = threading.Lock()
        self._reader = threading.Lock()  # one read of the open windows at a time
        self._per_address: dict[str, list[float]] = {}  # [minute, count]

    # ---- a voter's device ---------------------------------------------------------------------------
    def signing_ready(self) -> bool:
        """The key that signs device tokens is in memory: new_device() and device() read nothing."""
        return self.store.votes.secret_known()

    def new_device(self) -> str:
        issued = f"{int(self.clock()):x}-{secrets.token_hex(12)}"
        return f"{issued}-{self._mac(issued)}"

    def device(self, token: str | None) -> Device | None:
        """The device a cookie names, if this deployment issued it; None for anything else."""
        parts = (token or "").split("-")
        if len(parts) != 3 or len(token) > 100:
            return None
        issued = f"{parts[0]}-{parts[1]}"
        if not hmac.compare_digest(parts[2], self._mac(issued)):
            return None
        return Device(hashlib.sha256(token.encode()).hexdigest()[:32], float(int(parts[0], 16)))

    def _mac(self, text: str) -> str:
        return hmac.new(self.store.votes.secret(), text.encode(), hashlib.sha256).hexdigest()[:24]

    def _address(self, address: str) -> str:
        key = self.store.votes.secret()
        return hmac.new(key, b"addr:" + address.encode(), hashlib.sha256).hexdigest()[:10]

    def _count(self, address: str) -> None:
        """The per-address ceiling: high, because a whole venue arrives from one address."""
        minute = int(self.clock() // 60)
        with self._lock:
            seen = self._per_address.get(address)
            if not seen or seen[0] != minute:
                if len(self._per_address) > 10_000:
                    self._per_address.clear()
                seen = self._per_address[address] = [minute, 0]
            seen[1] += 1
            if seen[1] > ADDRESS_PER_MINUTE:
                raise NotAllowed(TOO_MANY)

    # ---- finding a window by its code ----------------------------------------------------------------
    def window(self, code: object, address: str = "") -> OpenVote:
        """The open window a code is for (ScoreRefused when no open window has it)."""
        if address:
            self._count(address)
        wanted = votes.normal_code(code)
        found = self._known(wanted, fresh_only=True)
        if found is None:
            found = self._known(wanted, fresh_only=False)
        if found is None:
            raise ScoreRefused(votes.WRONG_CODE)
        return self._still_open(found)

    def known_window(self, code: object, address: str = "") -> OpenVote | None:
        """window() when it can answer from memory, reading nothing (an event loop may call it); None when
        the answer needs a read (what this process knows is stale, or has no such code): call window()."""
        wanted = votes.normal_code(code)
        if not self._usable():
            return None
        with self._lock:
            found = self._open.get(wanted)
        if found is None:
            return None
        if address:
            self._count(address)
        return self._still_open(found)

    def _usable(self) -> bool:
        """What this process knows of the windows is fresh, or not stale while another thread reads."""
        age = time.monotonic() - self._read_at
        return age <= FRESH_SECONDS or (age <= STALE_SECONDS and self._reader.locked())

    def _still_open(self, found: OpenVote) -> OpenVote:
        if found.closes_at is not None and self.clock() >= found.closes_at:
            raise ScoreRefused(votes.CLOSED)
        return found

    def _known(self, code: str, fresh_only: bool) -> OpenVote | None:
        """The window of `code` as this process knows it, read again when older than FRESH_SECONDS (or,
        for a code not found, MISS_SECONDS): one thread reads while the others wait for its answer, so a
        crowd's votes never read the windows more than once a second between them. A vote queues behind
        that read only when what this process knows is older than STALE_SECONDS (the commit decides)."""
        if fresh_only and self._usable():
            with self._lock:
                return self._open.get(code)
        with self._reader:
            now = time.monotonic()
            with self._lock:
                stale = now - self._read_at > FRESH_SECONDS
                may_read = stale if fresh_only else now - self._missed_at > MISS_SECONDS
                if may_read and not fresh_only:
                    self._missed_at = now
            if may_read:
                self._read()
        with self._lock:
            return self._open.get(code)

    def _read(self) -> None:
        found: dict[str, OpenVote] = {}
        now = self.clock()
        for stage in self.svc.stages.list():
            eid = self.store.events.current_id(stage.stage_id)
            bundle = self.store.events.load(eid, consistent=False) if eid else None
            if bundle is None or bundle.settings.votes.mode is VoteMode.OFF:
                continue
            # Open windows, and those closed lately: a late vote hears "closed", not "wrong code".
            live = [w for w in bundle.votes.values() if w.open_at(now) or (w.closes_at or now) > now - RECENT]
            if not live:
                continue
            names = {p.performer_id: p.name for p in self.store.performers.list(eid)}
            choices = tuple((pid, names.get(pid, pid)) for pid in bundle.state.order)
            for w in live:
                title = bundle.settings.event_name if w.key == FINAL else names.get(w.key, w.key)
                extra = choices if w.key == FINAL else ()
                found[w.code] = OpenVote(
                    eid, stage.stage_id, w.key, w.code, title, w.opened_at, w.closes_at, extra
                )
        with self._lock:
            self._open, self._read_at = found, time.monotonic()

    # ---- the one way in ------------------------------------------------------------------------------
    def cast(
        self, device_token: str | None, address: str, code: object, value: object, request_id: object
    ) -> dict:
        """A phone's vote (or its revision) for the window of `code`: every rule is checked here or at
        commit. Returns what the phone shows: the window, the value counted and whether it was a retry."""
        device = self.device(device_token)
        if device is None:
            raise NotAllowed(NO_DEVICE)
        if not isinstance(request_id, str) or not REQUEST_ID.match(request_id):
            raise InvalidInput(N_("This vote's id is missing or malformed; reload the page."))
        target = self.window(code, address)
        choices = tuple(pid for pid, _ in target.choices)
        counted = votes.vote_value(target.key, value, choices)
        now = self.clock()
        ballot = Ballot(
            target.event_id,
            target.key,
            target.code,
            device.digest,
            self._address(address),
            device.issued_at >= int(target.opened_at),  # a device new in this window (the desk's flags)
            counted,
            request_id,
            now,
        )
        stored, replayed = self.store.vote_commits.commit(ballot)
        value = stored["value"]
        value = value if isinstance(value, str) else int(value)  # stars come back from DynamoDB as Decimal
        return {"ok": True, "window": target.key, "value": value, "replayed": replayed}

    # ---- the admin's acts ----------------------------------------------------------------------------
    def open_final(self, token: str | None) -> None:
        """Open the final vote now (an event whose final vote the admin opens and closes)."""
        actor = self.svc.logins.actor(token, Role.ADMIN)
        b = self.svc.bundle()
        if b.settings.votes.mode is not VoteMode.FINAL:
            raise CommandRefused(N_("This event has no final audience vote (Setup → Audience vote)."))
        if FINAL in b.votes:
            raise CommandRefused(N_("The final vote has already been opened."))
        now = self.clock()
        opening = OpenWindow(FINAL, votes.new_code(), now, None)
        self.store.votes.apply(b.state.event_id, b.state.stage, opening, actor, now)

    def close_final(self, token: str | None) -> None:
        actor = self.svc.logins.actor(token, Role.ADMIN)
        b = self.svc.bundle()
        w = b.votes.get(FINAL)
        now = self.clock()
        if w is None or not w.open_at(now):
            raise CommandRefused(N_("The final vote is not open."))
        self.store.votes.apply(b.state.event_id, b.state.stage, SetClose(FINAL, now), actor, now)

    def reveal(self, token: str | None, shown: bool = True) -> None:
        actor = self.svc.logins.actor(token, Role.ADMIN)
        self.store.votes.reveal(self.svc.event_id(), actor, self.clock(), shown)

    def void(self, token: str | None, key: str, address: str) -> int:
        """Void the votes of devices new in a closed window from one flagged address."""
        actor = self.svc.logins.actor(token, Role.ADMIN)
        b = self.svc.bundle()
        w = b.votes.get(key)
        if w is None or not w.closed:
            raise CommandRefused(N_("Votes can be voided once their window has closed."))
        return self.store.votes.void(b.state.event_id, key, address, actor, self.clock())

    # ---- reading -------------------------------------------------------------------------------------
    def codes(self) -> list[OpenVote]:
        """The open windows of this service's stage with their codes: the kiosk's and `vote code`'s."""
        b = self.svc.bundle()
        now = self.clock()
        names = {p.performer_id: p.name for p in self.store.performers.list(b.state.event_id)}
        title = lambda key: names.get(key, b.settings.event_name)  # noqa: E731
        return [
            OpenVote(b.state.event_id, b.state.stage, w.key, w.code, title(w.key), w.opened_at, w.closes_at)
            for w in b.votes.values()
            if w.open_at(now)
        ]

    def audience(self, event_id: str | None = None) -> Audience | None:
        """status() when the event has an audience vote, None when its vote is off: what the exports and
        `status --json` add (the callers apply the publicity rule: Audience.revealed)."""
        b = self.svc.bundle(event_id)
        return None if b.settings.votes.mode is VoteMode.OFF else self.status(b.state.event_id)

    def status(self, event_id: str | None = None) -> Audience:
        """The vote as the desk and the command line see it: every window, its tally (one Query of its
        shards each), the people's choice and the combined ranking (the jury's ranks as computed now)."""
        b = self.svc.bundle(event_id)
        eid = b.state.event_id
        counted = {key: self.store.votes.tally(eid, key) for key in b.votes}
        names = {p.performer_id: p.name for p in self.store.performers.list(eid)}
        jury = {}
        if b.settings.votes.jury_percent is not None:
            jury = {r.performer_id: r.rank for r in self.svc.snapshot(eid).results}
        revealed = self.store.votes.revealed(eid)
        settings = b.settings.votes
        return views.build(settings, b.votes, counted, names, b.state.order, jury, revealed, self.clock())
