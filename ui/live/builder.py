"""Once per tick, in a worker thread: read the feed and build the public, the admin and each connected
judge's document (and the state feed's, from the public one), with the key that says whether each
changed. The parts that move only with the scores (the ranking, a judge's view of the others) are rebuilt
only when the feed's scores moved."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from engine.domain import publicity
from engine.domain.snapshot import Snapshot
from engine.service.feed import Feed, Reading
from engine.service.health import engine_parts, english_line
from engine.views import documents, on_air
from engine.views.documents import change_key
from engine.views.others import Others

RANKED = ("ranking", "podium", "judge_names", "others")  # the parts that move only with the scores


@dataclass
class Built:
    reading: Reading
    public: tuple[dict, str]
    admin: tuple[dict, str]
    state: tuple[dict, str] = ({}, "")  # GET /api/v1/state's document (engine/views/on_air.py)
    judges: dict[str, tuple[dict, str]] = field(default_factory=dict)
    encoded: dict[str, dict[str, str]] = field(default_factory=dict)  # fields of a judge's, in JSON


class Builder:
    def __init__(self, feed: Feed, stage_name: Callable[[], str] = str):
        """`stage_name()`: the stage's name on its screens (empty while the deployment has one stage)."""
        self.feed = feed
        self.stage_name = stage_name
        self._generation = -1
        self._held: str | None = None
        self._ranked: dict = {}  # the full ranking (the admin's)
        self._public: Snapshot | None = None  # publicity.public_view of the last change of the scores
        self._public_ranked: dict = {}
        # How many times what the public may see of the scores moved: the board's change key. Not the
        # scores' generation, which moves at every score: while a window is open a score changes nothing
        # public, and a board document pushed again is tens of kilobytes to every phone in the hall.
        self._public_moves = 0
        self._others = Others()  # what each judge may see of the others
        self._judged: dict[str, tuple[list[dict], int]] = {}  # ... this generation, for the judges asked
        self._roster: list | None = None
        self._scored_last: str | None = None  # views.on_air.scored_last of `_roster`

    def build(self, judges: list[str], admins: bool = False) -> Built:
        """`admins`: an admin desk is connected (its engine line needs the engines' seen items)."""
        reading = self.feed.read(engine_details=admins)
        snap, now, gen = reading.snapshot, reading.snapshot.at, reading.scores_generation
        held = publicity.held_back(snap.state)
        name = self.stage_name()
        stage = {"stage": {"id": self.feed.stage, "name": name} if name else None}
        if gen != self._generation or held != self._held:
            self._generation, self._judged = gen, {}
            self._ranked = documents.ranking(snap)
            self._public = publicity.public_view(snap)
            ranked = self._ranked if self._public is snap else documents.ranking(self._public)
            if held != self._held or ranked != self._public_ranked:
                self._public_moves += 1
            self._held, self._public_ranked = held, ranked
        public = documents.public_doc(self._seen(snap), now, self._public_ranked) | stage
        if snap.performers is not self._roster:  # the roster is read again only when the version moves
            self._roster, self._scored_last = snap.performers, on_air.scored_last(snap.performers)
        public |= on_air.public_fields(reading.on_air, self._scored_last)
        state = on_air.state_doc(public, now)
        desk = reading.engine_desk
        parts = engine_parts(desk, now) if desk else None
        line = (english_line(parts), parts) if parts else (None, None)
        admin = documents.admin_doc(snap, now, reading.health, self._ranked, *line) | stage
        public_key = _key(public, self._public_moves)
        built = Built(reading, (public, public_key), (admin, _key(admin, gen)), (state, change_key(state)))
        if judges:
            if any(e not in self._judged for e in judges):
                self._judged = self._others.of(snap, judges)
            # Every judge's document shares the header: built, and its part of the key made, once.
            head = documents.header(snap, now)
            head_key = change_key(head)
        for email in judges:
            others, moves = self._judged[email]
            check = reading.checks.get(email)
            doc = documents.judge_doc(snap, now, email, reading.health, others, check, head) | stage
            own = change_key({k: v for k, v in doc.items() if k not in head and k not in RANKED})
            built.judges[email] = (doc, f"{head_key}{own}#{moves}")
            built.encoded[email] = {"others": self._others.encoded(email)}
        return built

    def _seen(self, snap: Snapshot) -> Snapshot:
        """This tick's snapshot as the public may see it: the clock and the state of this tick, the scores
        and the ranking of the public view built at the last change of the scores (or of who is held)."""
        if self._public is None or publicity.held_back(snap.state) is None:
            return snap
        return replace(snap, scores=self._public.scores, results=self._public.results)


def _key(doc: dict, moves: int) -> str:
    """The change key without serialising a large ranking each tick: `moves` counts the changes of the
    parts that move only with the scores (a count of this builder's own), and stands in for them."""
    return change_key({k: v for k, v in doc.items() if k not in RANKED}) + f"#{moves}"
