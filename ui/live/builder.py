"""Once per tick, in a worker thread: read the feed and build the public, the admin and each connected
judge's document, with the key that says whether each changed. The parts that move only with the
scores (the ranking, a judge's view of the others) are rebuilt only when the feed's scores moved."""

from __future__ import annotations

from dataclasses import dataclass, field

from engine import documents
from engine.documents import change_key
from engine.service_health import engine_line
from ui.live.feed import Feed, Reading

RANKED = ("ranking", "podium", "judge_names", "others")  # the parts that move only with the scores


@dataclass
class Built:
    reading: Reading
    public: tuple[dict, str]
    admin: tuple[dict, str]
    judges: dict[str, tuple[dict, str]] = field(default_factory=dict)


class Builder:
    def __init__(self, feed: Feed):
        self.feed = feed
        self._generation = -1
        self._ranked: dict = {}
        self._others: dict[str, list[dict]] = {}

    def build(self, judges: list[str], admins: bool = False) -> Built:
        """`admins`: an admin desk is connected (its engine line needs the engines' seen items)."""
        reading = self.feed.read(engine_details=admins)
        snap, now, gen = reading.snapshot, reading.snapshot.at, reading.scores_generation
        if gen != self._generation:
            self._generation, self._others = gen, {}
            self._ranked = documents.ranking(snap)
        public = documents.public_doc(snap, now, self._ranked)
        line = engine_line(reading.engine_desk, now) if reading.engine_desk else None
        admin = documents.admin_doc(snap, now, reading.health, self._ranked, line)
        built = Built(reading, (public, _key(public, gen)), (admin, _key(admin, gen)))
        for email in judges:
            others = self._others.get(email)
            if others is None:
                others = self._others[email] = documents.others_for(snap, email)
            check = reading.checks.get(email)
            doc = documents.judge_doc(snap, now, email, reading.health, others, check)
            built.judges[email] = (doc, _key(doc, gen))
        return built


def _key(doc: dict, generation: int) -> str:
    """The change key without serialising a large ranking each tick: the ranking moves only with the
    scores' generation, which stands in for it."""
    return change_key({k: v for k, v in doc.items() if k not in RANKED}) + f"#{generation}"
