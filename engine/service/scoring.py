"""A judge's score, in at most 3 DynamoDB requests (usually 1): the one way in. POST /live/score calls
`Scorer.submit`, and so does `Service.submit_score` (the CLI, tests, benchmarks).

Who the judge is comes from a per-process cache of sessions (filled when their stream connects, or by
one GetItem); the cache is only a claim and never decides: the transaction checks the session (not
ended), the account, the conflict of interest and the sign-off itself (engine/store/score_commit.py).
The event, its criteria and the judge's current score come from the live feed's latest read
(`ScoreContext`); the status item's ConditionCheck decides the window. With sub-panels a judge scores
exactly their criteria (engine/domain/panels.py), checked here and again at commit on the settings item.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from engine.domain import accounts, panels, scoring
from engine.domain.comments import clean_comment
from engine.domain.devices import SESSION_OVER, SessionEnded, ended_sentence
from engine.domain.messages import N_
from engine.domain.model import NotAllowed, Role, Score, ScoreRefused, Settings
from engine.domain.stages import MAIN
from engine.metrics import timed_submission
from engine.store import Store
from engine.store.score_commit import ScoreClaim

MAX_CACHED = 10_000  # sessions remembered per process; a claim only, so forgetting one costs a GetItem


@dataclass(frozen=True)
class ScoreContext:
    """What the feed last read: the current event, its settings, and the scores it holds."""

    event_id: str
    settings: Settings
    scores: Callable[[str, str], Score | None]  # (performer_id, judge) -> stored score or None
    stage: str = MAIN  # the event's stage


@dataclass(frozen=True)
class Identity:
    email: str
    role: Role
    name: str


OTHER_EVENT = N_("Your screen showed another stage or event; it now shows yours: score again there.")


class Scorer:
    def __init__(self, store: Store, clock: Callable[[], float]):
        self.store = store
        self.clock = clock
        self._who: dict[str, Identity] = {}
        self._lock = threading.Lock()

    def remember(self, token: str, identity: Identity) -> None:
        """A session just checked in full (a stream connecting): its token needs no read to submit."""
        with self._lock:
            if len(self._who) >= MAX_CACHED:
                self._who.clear()
            self._who[accounts.token_hash(token)] = identity

    def forget(self, token: str) -> None:
        with self._lock:
            self._who.pop(accounts.token_hash(token), None)

    def identify(self, token: str | None) -> Identity:
        """The claimed owner of a token: from the cache, else the session item (one GetItem)."""
        if not token or not isinstance(token, str) or len(token) > 200:
            raise SessionEnded("Please log in.")
        digest = accounts.token_hash(token)
        with self._lock:
            known = self._who.get(digest)
        if known:
            return known
        item = self.store.sessions.get(digest)
        if not item or float(item["expires_at"]) <= self.clock():
            raise SessionEnded(SESSION_OVER)
        if item.get("ended"):
            raise SessionEnded(ended_sentence(item))
        identity = Identity(item["email"], Role(item["role"]), "")
        with self._lock:
            self._who[digest] = identity
        return identity

    @timed_submission
    def submit(
        self,
        token: str | None,
        context: ScoreContext,
        performer_id: str,
        window_id: int,
        raw_values: Mapping[str, object],
        request_id: str | None = None,
        comment: object = None,
        event_id: str | None = None,
    ) -> tuple[Score, bool]:
        """Store a judge's score (and their optional comment); returns (score, replayed). NotAllowed names
        who may not, InvalidInput a bad value or comment, ScoreRefused a closed window. `event_id`: the
        event the judge's screen showed, when it says; a score meant for another event (the judge was
        moved to another stage, whose performer and window may carry the same ids) is refused."""
        who = self.identify(token)
        if who.role is not Role.JUDGE:
            raise NotAllowed(N_("Only a judge can do that."))
        if event_id is not None and event_id != context.event_id:
            raise ScoreRefused(OTHER_EVENT)
        settings = context.settings
        mine = panels.check_assigned(raw_values, settings.criteria, who.email)  # a judge scores their own
        values, total = scoring.validated_score(raw_values, mine, settings.criteria_sum)
        note = clean_comment(comment)
        claim = ScoreClaim(
            event_id=context.event_id,
            performer_id=performer_id,
            window_id=window_id,
            judge=who.email,
            token_hash=accounts.token_hash(token or ""),
            values=values,
            total=total,
            request_id=(request_id or uuid.uuid4().hex)[:64],
            now=self.clock(),
            comment=note,
            stage=context.stage,
            subpanels=panels.split(settings.criteria),
        )
        try:
            return self.store.score_commits.commit(claim, context.scores(performer_id, who.email))
        except NotAllowed:
            self.forget(token or "")  # ended or disabled: the next try reads the session again
            raise
