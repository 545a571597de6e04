"""The one way in for an audience vote, in DynamoDB: one transaction for the votes that arrive together
(a crowd's), nothing read before it. POST /vote, the service and the benchmark all commit here:
  window  ConditionCheck on each window's item: this code, not closed, before its close (DynamoDB decides)
  vote    Put of each device's vote, conditional on the revision this process believes (none: the first)
  shard   ADD to one counter shard per window, chosen at random, of what the batch's votes add
Group commit: a process has one such transaction in flight; the votes that arrive meanwhile go together
in the next (at most MAX_BALLOTS), so a crowd's votes cost DynamoDB a fraction of a request each (on
DynamoDB Local, one transaction of ten votes took a fifth of the CPU of ten transactions of one), and a
lone vote commits at once, alone. Every vote is decided on its own: a refused operation is named
(tx.Cancelled), so a retried request is answered from the stored vote, a revision goes again on the right
revision, a vote made after its window's close is refused, and the others commit again without them.
"""

from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass, field

from engine.domain import votes
from engine.domain.messages import N_
from engine.domain.model import Conflict, ScoreRefused
from engine.store import codec, tx
from engine.store.client import RETRY, Client
from engine.store.schema import TableNames
from engine.store.votes import SHARDS, WINDOW, add_expression, counts_of, window_from_item

OPEN = (
    "code = :code AND attribute_not_exists(closed_at)"
    " AND (attribute_not_exists(closes_at) OR closes_at > :now)"
)


@dataclass(frozen=True)
class Ballot:
    """One device's vote, as the vote route hands it over (checked by the service first)."""

    event_id: str
    key: str  # the window: a performer's id, or FINAL
    code: str
    device: str  # the device token's hash
    address: str  # the client's address, hashed
    new_device: bool  # the device was issued after the window opened
    value: int | str  # stars, or the favourite's performer id
    request_id: str
    now: float


# While a crowd votes (a batch of several committed in the last CROWD_SECONDS), the next transaction waits
# LINGER_SECONDS for company unless GATHERED votes already wait: bigger batches cost DynamoDB less a vote,
# and its queue is what the judges' reads and the engine's transitions wait in (bench/votes.py, 5 runs
# against 4: 0.31-0.36 transactions a vote instead of 0.38-0.49, DynamoDB Local 0.40-0.45 cores instead
# of 0.49-0.51). A lone vote commits at once.
LINGER_SECONDS = 0.01
CROWD_SECONDS = 0.2
GATHERED = 10
MAX_BALLOTS = 25  # a window check, a vote and a shard each: at most 75 of a transaction's 100 operations
TOO_MANY = N_("Too many votes from this phone at once; please vote again.")


@dataclass(eq=False)
class _Waiting:
    """A ballot waiting for its commit, and then what became of it."""

    ballot: Ballot
    current: dict | None = None  # the device's stored vote, once a refusal returned it
    result: tuple[dict, bool] | None = None
    error: Exception | None = None
    done: bool = False
    lead: bool = False  # its thread commits the waiting ballots next
    woken: threading.Event = field(default_factory=threading.Event)  # decided, or asked to lead

    def finish(self, result: tuple[dict, bool] | None = None, error: Exception | None = None) -> None:
        self.result, self.error, self.done = result, error, True
        self.woken.set()


class VoteCommits:
    def __init__(self, client: Client, tables: TableNames):
        self.client = client
        self.status = tables.status
        self.table = tables.votes
        self._queue: list[_Waiting] = []
        self._busy = False  # a thread is committing: one transaction in flight, the next one gathers
        self._lock = threading.Lock()  # guards both
        self._crowd_at = 0.0  # when a batch of several last committed (monotonic)

    # ---- a vote: the one commit --------------------------------------------------------------------
    def commit(self, b: Ballot) -> tuple[dict, bool]:
        """Store the ballot: (the stored vote, replayed). ScoreRefused for a closed window or a stale
        code; Conflict when the device's votes raced past every retry. While another thread commits, the
        ballot waits in the queue for a transaction of that thread's; when none does, this thread commits
        the waiting ballots (its own among them). Each thread is woken once: when its ballot is decided
        (it returns at once) or when it is its turn to commit (the oldest waiting ballot's thread)."""
        mine = _Waiting(b)
        with self._lock:
            self._queue.append(mine)
            if not self._busy:
                self._busy = mine.lead = True
        if not mine.lead:
            mine.woken.wait()
        if not mine.done:
            self._lead(mine)
        if mine.error is not None:
            raise mine.error
        assert mine.result is not None
        return mine.result

    def _lead(self, mine: _Waiting) -> None:
        """Commit the waiting ballots, batch after batch, until `mine` is decided; then hand on."""
        try:
            while not mine.done:
                if self._crowd_at > time.monotonic() - CROWD_SECONDS and len(self._queue) < GATHERED:
                    time.sleep(LINGER_SECONDS)
                batch = self._take()
                if not batch:  # `mine` waits in the queue until a batch of its own thread's decides it
                    raise RuntimeError("A vote left the queue undecided.")
                self._commit_batch(batch)
                if len(batch) > 1:
                    self._crowd_at = time.monotonic()
        finally:
            with self._lock:
                if self._queue:
                    self._queue[0].lead = True
                    self._queue[0].woken.set()
                else:
                    self._busy = False

    def _take(self) -> list[_Waiting]:
        """The oldest waiting ballots that fit one transaction: one code per window (one check of its
        item) and one vote per device and window (one operation per item); the rest wait for the next."""
        batch, codes, devices, rest = [], {}, set(), []
        with self._lock:
            for w in self._queue:
                b = w.ballot
                window = (b.event_id, b.key)
                fits = len(batch) < MAX_BALLOTS and codes.get(window, b.code) == b.code
                if fits and (window, b.device) not in devices:
                    codes[window] = b.code
                    devices.add((window, b.device))
                    batch.append(w)
                else:
                    rest.append(w)
            self._queue = rest
        return batch

    def _commit_batch(self, batch: list[_Waiting]) -> None:
        """Commit `batch` until every ballot in it is decided; each is finished, whatever happens."""
        left = batch
        try:
            for _ in RETRY.tries():
                ops, items = self._ops(left)
                try:
                    tx.Transaction(self.client, [tx.returning_old(op) for op in ops]).commit()
                except tx.Cancelled as c:
                    left = self._settle(left, c)
                    if not left:
                        return
                    continue
                for w, item in zip(left, items, strict=True):
                    w.finish((item, False))
                return
            for w in left:
                w.finish(error=Conflict(TOO_MANY))
        except Exception as e:  # the database's own failure: every ballot of the batch hears it
            for w in batch:
                if not w.done:
                    w.finish(error=e)

    def _settle(self, left: list[_Waiting], c: tx.Cancelled) -> list[_Waiting]:
        """Decide the ballots a refusal names; return those to commit again."""
        again = []
        checks = {window: check for window, (check, _) in _windows(left).items()}
        for i, w in enumerate(left):
            b = w.ballot
            check = checks[(b.event_id, b.key)]
            if c.failed(check) and not _open_for(c.items.get(check), b):
                w.finish(error=_closed(c.items.get(check), b))
                continue
            if c.failed(f"vote{i}"):
                stored = c.items.get(f"vote{i}")
                if stored and stored.get("request_id") == b.request_id:
                    w.finish((stored, True))  # a retry of a vote already counted
                    continue
                w.current = stored
            again.append(w)
        return again

    def _ops(self, left: list[_Waiting]) -> tuple[list[tx.Op], list[dict]]:
        """The batch's transaction: each window's check and counter shard, each ballot's vote."""
        ops, items = [], []
        for i, w in enumerate(left):
            op, item = self._vote(f"vote{i}", w)
            ops.append(op)
            items.append(item)
        for (event_id, key), (check, members) in _windows(left).items():
            latest = max(w.ballot.now for w in members)  # the check holds for every vote of the window
            values = {":code": members[0].ballot.code, ":now": codec.to_decimal(latest)}
            window = {"pk": event_id, "sk": WINDOW + key}
            ops.append(tx.condition_check(check, self.status, window, OPEN, values))
            ops.append(self._shard(check.replace("window", "shard"), event_id, key, members))
        return ops, items

    def _vote(self, name: str, w: _Waiting) -> tuple[tx.Op, dict]:
        b, current = w.ballot, w.current
        item = {
            "pk": f"{b.event_id}#{b.key}",
            "sk": f"D#{b.device}",
            "value": b.value,
            "rev": int(current["rev"]) + 1 if current else 1,
            "request_id": b.request_id,
            "at": codec.to_decimal(b.now),
            "addr": b.address,
            "new": b.new_device or None,
        }
        condition = "rev = :rev" if current else "attribute_not_exists(sk)"
        values = {":rev": int(current["rev"])} if current else None
        return tx.put(name, self.table, item, condition=condition, values=values), item

    def _shard(self, name: str, event_id: str, key: str, members: list[_Waiting]) -> tx.Op:
        """What the window's votes add: each counts once; a revision takes its old vote off."""
        counts: dict[str, int] = {}
        for w in members:
            changes = [(w.ballot.value, 1)] + ([(w.current["value"], -1)] if w.current else [])
            for value, sign in changes:
                for counter, delta in counts_of(key, value, sign).items():
                    counts[counter] = counts.get(counter, 0) + delta
        added = sum(1 for w in members if not w.current)
        expression, values, names = add_expression({k: v for k, v in counts.items() if v}, added)
        shard = {"pk": f"{event_id}#{key}", "sk": f"S#{random.randrange(SHARDS)}"}
        return tx.update(name, self.table, shard, expression, values=values, names=names)


def _windows(left: list[_Waiting]) -> dict[tuple[str, str], tuple[str, list[_Waiting]]]:
    """The batch's windows, each with the name of its check in the transaction and its ballots: named
    once here, for the transaction (_ops) and for reading its refusal (_settle)."""
    grouped: dict[tuple[str, str], list[_Waiting]] = {}
    for w in left:
        grouped.setdefault((w.ballot.event_id, w.ballot.key), []).append(w)
    return {window: (f"window{i}", members) for i, (window, members) in enumerate(sorted(grouped.items()))}


def _open_for(item: dict | None, b: Ballot) -> bool:
    """The window's item (as a refusal returned it) would take this ballot: the check failed for another
    vote of the batch, made after the close."""
    window = window_from_item(item) if item else None
    return window is not None and window.code == b.code and window.open_at(b.now)


def _closed(item: dict | None, b: Ballot) -> ScoreRefused:
    """Why the window refused: a stale code, or closed (or never opened for this)."""
    window = window_from_item(item) if item else None
    if window is not None and window.code != b.code and window.open_at(b.now):
        return ScoreRefused(votes.WRONG_CODE)
    return ScoreRefused(votes.CLOSED)
