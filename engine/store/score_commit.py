"""The one way in for a judge's score: one transaction, nothing read before it. POST /live/score, the
service (CLI, tests) and the benchmarks all commit here, so every rule is checked on the path judges use
(a score costs one request when this process's guesses are right):
  window   ConditionCheck on the status item (phase, performer, window id, deadline): DynamoDB decides
  session  ConditionCheck on the session item (this judge, role judge, not expired, not ended): the token
           is checked at commit, so a cached session can never outlive a logout, an admin's End, a device
           swap or a new password, whichever server took it
  account  ConditionCheck on the account (still a judge, still active, on this event's stage: on the panel)
  conflict ConditionCheck that no conflict item exists for (performer, judge): not stepped aside
  frozen   ConditionCheck on the results item: the round is not signed off
  panel    (criteria with sub-panels only) ConditionCheck on the settings item: the judge is on the
           sub-panel of every criterion scored
  score    Put conditional on the revision this process believes current
  history  Put of the revision (attribute_not_exists)
  request  Put of the request id (attribute_not_exists): a retry is answered from the stored item
  log      the judge stream's entry and head, conditional on the head this process believes current
Every operation asks for the old item on failure (ReturnValuesOnConditionCheckFailure), so a stale
revision or chain head is corrected from the refusal itself and the next attempt is right.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from decimal import Decimal

from engine.domain import devices
from engine.domain.devices import SessionEnded, ended_sentence
from engine.domain.eventlog import GENESIS
from engine.domain.messages import N_
from engine.domain.model import Conflict, InvalidInput, NotAllowed, Phase, Role, Score, ScoreRefused
from engine.domain.stages import MAIN
from engine.store import conflicts, tx
from engine.store.client import Client, RetryPolicy
from engine.store.codec import PANELS, state_from_item, to_decimal
from engine.store.eventlog import HEAD, EventLog
from engine.store.results import NOT_SIGNED_OFF, RESULTS
from engine.store.schema import SETTINGS, STATUS, TableNames
from engine.store.scores import WINDOW_OPEN, _history_item, _score_from

CONTENDED = RetryPolicy(attempts=20)  # twenty writes of one score at once still all land
SESSION_ENDED = devices.SESSION_OVER
DISABLED = devices.ENDED[devices.DISABLED]
STEPPED_ASIDE = N_("You have stepped aside for this performer.")
SIGNED_OFF = N_("The results are official, so the scores can no longer change.")
OTHER_STAGE = N_("You now judge on another stage; reload the page to follow it.")
NOT_ON_PANEL = N_("You are not on the panel of a criterion you scored; reload the page to see yours.")


@dataclass(frozen=True)
class ScoreClaim:
    """What a judge asks to store, with who they are (checked at commit, not trusted)."""

    event_id: str
    performer_id: str
    window_id: int
    judge: str
    token_hash: str
    values: dict[str, Decimal]
    total: Decimal
    request_id: str
    now: float
    comment: str = ""  # already cleaned (engine.domain.comments); "" when none
    stage: str = MAIN  # the event's stage: the judge must be assigned to it
    subpanels: bool = False  # the event's criteria have sub-panels: the judge must be on each scored


class ScoreCommits:
    """Per process: the chain head and current score this process last saw per judge (guesses only)."""

    def __init__(self, client: Client, tables: TableNames, log: EventLog):
        self.client = client
        self.tables = tables
        self.log = log
        self._scores: dict[tuple[str, str, str], Score] = {}
        self._lock = threading.Lock()

    def known_score(self, event_id: str, performer_id: str, judge: str) -> Score | None:
        with self._lock:
            return self._scores.get((event_id, performer_id, judge))

    def _head(self, event_id: str, stream: str) -> tuple[int, str]:
        """The judge stream's head as this process last wrote it (its scores and the outlier flags they
        raised share the log's cache); unknown, guess an empty stream: if it is not, the refusal returns
        the real head with the score's, and one retry fixes both."""
        return self.log.known_head(event_id, stream) or (0, GENESIS)

    def commit(self, claim: ScoreClaim, current: Score | None) -> tuple[Score, bool]:
        """Store the claim; `current` is the caller's guess of the stored score (the feed's), or None.
        Returns (score, replayed). Raises NotAllowed, ScoreRefused, InvalidInput or Conflict."""
        known = self.known_score(claim.event_id, claim.performer_id, claim.judge)
        if known and (current is None or known.revision > current.revision):
            current = known
        stream = f"judge:{claim.judge}"
        head = self._head(claim.event_id, stream)
        # Each retry follows a refusal that told us the current item, so a second is already rare; the
        # jittered backoff is for one judge's many tabs racing each other.
        for _ in CONTENDED.tries():
            new = _new_item(claim, current)
            try:
                ops, new_head = self._ops(claim, new, current, head, stream)
                tx.Transaction(self.client, ops).commit()
            except tx.Cancelled as c:
                replay = _refusal(c, claim)
                if replay is not None:
                    return replay, True
                current = _score_from(c.items["score"]) if c.items.get("score") else current
                if c.failed(HEAD):
                    old = c.items.get(HEAD)
                    head = (int(old["seq"]), old["hash"]) if old else (0, GENESIS)
                continue
            score = _score_from(new)
            self.log.learnt(claim.event_id, stream, new_head)
            with self._lock:
                self._scores[(claim.event_id, claim.performer_id, claim.judge)] = score
            return score, False
        raise Conflict(N_("Too many submissions at once for this score; please submit again."))

    def _ops(
        self, claim: ScoreClaim, new: dict, current: Score | None, head: tuple[int, str], stream: str
    ) -> tuple[list[tx.Op], tuple[int, str]]:
        """The operations (see the module docstring) and the chain head they write."""
        old_values = {k: str(v) for k, v in current.values.items()} if current else None
        new_values = {k: str(v) for k, v in new["values"].items()}
        rev = new["revision"]
        logged = {
            "performer_id": claim.performer_id,
            "window_id": claim.window_id,
            "old": old_values,
            "new": new_values,
            "total": str(claim.total),
            "revision": rev,
            "request_id": claim.request_id,
        }
        kind = "score_revised" if current else "score_submitted"
        log_ops = self.log.ops_after(claim.event_id, stream, *head, claim.now, claim.judge, kind, logged)
        new_head = (head[0] + 1, next(op for op in log_ops if op.name == HEAD).body["Item"]["hash"]["S"])
        now = to_decimal(claim.now)
        window = {":scoring": "SCORING", ":p": claim.performer_id, ":w": claim.window_id, ":t": True}
        ops = [
            *self._identity_checks(claim, now),
            tx.put(
                "request",
                self.tables.scores,
                {**new, "sk": f"R#{claim.request_id}"},
                "attribute_not_exists(sk)",
            ),
            tx.condition_check(
                "window",
                self.tables.status,
                {"pk": claim.event_id, "sk": STATUS},
                WINDOW_OPEN,
                {**window, ":now": now},
                {"#ph": "phase"},
            ),
            conflicts.absent_op(self.tables.scores, claim.event_id, claim.performer_id, claim.judge),
            tx.condition_check(
                "frozen", self.tables.status, {"pk": claim.event_id, "sk": RESULTS}, NOT_SIGNED_OFF
            ),
            *self._panel_check(claim),
            tx.put(
                "score",
                self.tables.scores,
                new,
                condition="revision = :r" if current else "attribute_not_exists(sk)",
                values={":r": rev - 1} if current else None,
            ),
            tx.put(
                "history",
                self.tables.scores,
                _history_item(new, old_values, new_values, claim.now),
                condition="attribute_not_exists(sk)",
            ),
            *log_ops,
        ]
        return [tx.returning_old(op) for op in ops], new_head

    def _panel_check(self, claim: ScoreClaim) -> list[tx.Op]:
        """With sub-panels: each criterion scored names no sub-panel, or one with this judge on it."""
        if not claim.subpanels:
            return []
        names = {"#pn": PANELS, **{f"#c{i}": name for i, name in enumerate(sorted(claim.values))}}
        each = [
            f"(attribute_not_exists(#pn.#c{i}) OR contains(#pn.#c{i}, :j))" for i in range(len(names) - 1)
        ]
        key = {"pk": claim.event_id, "sk": SETTINGS}
        return [
            tx.condition_check(
                "panel", self.tables.status, key, " AND ".join(each), {":j": claim.judge}, names
            )
        ]

    def _identity_checks(self, claim: ScoreClaim, now) -> list[tx.Op]:
        """The session is this judge's, unexpired and not ended; the account still an active judge."""
        return [
            tx.condition_check(
                "session",
                self.tables.sessions,
                {"token_hash": claim.token_hash},
                "email = :e AND #r = :judge AND expires_at > :now AND attribute_not_exists(ended)",
                {":e": claim.judge, ":judge": Role.JUDGE.value, ":now": now},
                {"#r": "role"},
            ),
            tx.condition_check(
                "account",
                self.tables.accounts,
                {"email": claim.judge},
                "#r = :judge AND (attribute_not_exists(active) OR active = :t) AND "
                + _ON_STAGE[claim.stage == MAIN],
                {":judge": Role.JUDGE.value, ":t": True, ":stage": claim.stage},
                {"#r": "role", "#s": "stage"},
            ),
        ]


# A judge whose account names no stage belongs to the main stage.
_ON_STAGE = {True: "(attribute_not_exists(#s) OR #s = :stage)", False: "#s = :stage"}


def _new_item(claim: ScoreClaim, current: Score | None) -> dict:
    return {
        "event_id": claim.event_id,
        "performer_id": claim.performer_id,
        "judge": claim.judge,
        "values": dict(claim.values),
        "total": claim.total,
        "revision": current.revision + 1 if current else 1,
        "submitted_at": to_decimal(claim.now),
        "first_submitted_at": to_decimal(current.first_submitted_at if current else claim.now),
        "window_id": claim.window_id,
        "request_id": claim.request_id,
        "sk": f"S#{claim.performer_id}#{claim.judge}",
        "comment": claim.comment or None,
    }


def _refusal(c: tx.Cancelled, claim: ScoreClaim) -> Score | None:
    """What a cancelled transaction means, in this order: who you are, then a replay (a retry of a
    request stored just before the deadline must hear "saved", not "closed"), then a conflict of
    interest, the window, the sign-off. Returns the stored score for a replay, raises for a refusal,
    returns None when a guess was stale (retry)."""
    if c.failed("session"):
        raise SessionEnded(ended_sentence(c.items.get("session")))
    if c.failed("account"):
        account = c.items.get("account") or {}
        if account.get("active", True) and account.get("role") == Role.JUDGE.value:
            raise ScoreRefused(OTHER_STAGE)  # an active judge, moved to another stage
        raise NotAllowed(DISABLED)
    if c.failed("request"):
        stored = c.items.get("request") or {}
        if stored.get("judge") != claim.judge or stored.get("performer_id") != claim.performer_id:
            raise InvalidInput(N_("This submission's id was already used; reload the page."))
        return _score_from(stored)
    if c.failed("conflict"):
        raise ScoreRefused(STEPPED_ASIDE)
    if c.failed("window"):
        status = c.items.get("window")
        state = state_from_item(status) if status else None
        if state and state.phase is Phase.PERFORMING and state.performer_id == claim.performer_id:
            raise ScoreRefused(N_("Scoring has not opened yet for this performer."))
        raise ScoreRefused(N_("Scoring for this performer is closed."))
    if c.failed("frozen"):
        raise ScoreRefused(SIGNED_OFF)
    if c.failed("panel"):
        raise ScoreRefused(NOT_ON_PANEL)
    return None
