"""Webhooks: which URLs, how a request is signed, when a failed one is tried again, and which entries of
the event log become a webhook. Pure.

`STAGESCORE_WEBHOOKS` lists URLs, comma-separated; one written `private:https://…` also receives what only
the admin sees (every score and comment). `STAGESCORE_WEBHOOK_SECRET` signs every request: HMAC-SHA256
of the body, in `X-Stagescore-Signature: sha256=<hex>`.

What is sent, read from the hash-chained log in its order (engine/timer/webhooks.py delivers it):
  phase_changed     a step that moved the phase or the performer on stage (not a pause or an extension)
  results_public    a performer's results as the board shows them, once it shows them: when their scoring
                    window closes, or (results hidden until revealed) when their place is revealed
  results_official  the results signed off
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from engine.domain.model import InvalidInput, Phase

PRIVATE = "private:"
GIVE_UP_SECONDS = 3600.0  # a delivery is tried again for an hour, then dropped (and the desk says so)
FIRST_RETRY = 1.0
MAX_RETRY = 300.0
LATE_SECONDS = 60.0  # an entry written this late (its time is the step's scheduled time) is still seen
PHASE_CHANGED, RESULTS_PUBLIC, RESULTS_OFFICIAL = "phase_changed", "results_public", "results_official"
KINDS = (PHASE_CHANGED, RESULTS_PUBLIC, RESULTS_OFFICIAL)


@dataclass(frozen=True)
class Hook:
    url: str
    private: bool = False

    @property
    def hook_id(self) -> str:
        """The hook's name in the store and on the desk (its URL may hold a secret of the receiver's)."""
        return hashlib.sha256(self.url.encode()).hexdigest()[:12]

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc


def parse_hooks(text: str | None) -> list[Hook]:
    """The webhooks of `STAGESCORE_WEBHOOKS`; InvalidInput (one sentence) for a URL that is not http(s)."""
    hooks = []
    for raw in (text or "").split(","):
        raw = raw.strip()
        if not raw:
            continue
        private = raw.startswith(PRIVATE)
        url = raw[len(PRIVATE) :].strip() if private else raw
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InvalidInput(f"STAGESCORE_WEBHOOKS: {url[:60]!r} is not an http(s) URL.")
        if url not in {h.url for h in hooks}:
            hooks.append(Hook(url, private))
    return hooks


def signature(secret: str, body: bytes) -> str:
    """The X-Stagescore-Signature header's value."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_after(attempts: int) -> float:
    """Seconds before the next try after `attempts` failed ones: 1, 2, 4 … at most 5 minutes."""
    return min(MAX_RETRY, FIRST_RETRY * 2 ** max(0, min(attempts - 1, 20)))


def delivery_id(hook: Hook, event_id: str, stream: str, seq: int, kind: str, subject: str = "") -> str:
    """The same for every try of one delivery (and after a restart), so a receiver can drop a repeat."""
    text = f"{hook.hook_id}|{event_id}|{stream}|{seq}|{kind}|{subject}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Occurrence:
    """One webhook to send for a log entry: its kind and, for results_public, the performer."""

    kind: str
    performer_id: str | None = None


@dataclass(frozen=True)
class OnStage:
    """What the log said last about the stage: the phase and the performer on stage."""

    phase: str | None = None
    performer_id: str | None = None


@dataclass
class Reading:
    """Where a hook has read a stage's log to: the event, the time, each stream's last sequence number
    handled, and the phase and performer the last step left."""

    event_id: str
    ts: float = 0.0
    seqs: dict[str, int] = field(default_factory=dict)
    on_stage: OnStage = field(default_factory=OnStage)

    def is_new(self, stream: str, seq: int) -> bool:
        return seq > self.seqs.get(stream, 0)

    def handled(self, stream: str, seq: int, ts: float) -> None:
        self.seqs[stream] = max(seq, self.seqs.get(stream, 0))
        self.ts = max(self.ts, ts)


def occurrences(kind: str, data: dict, before: OnStage, hidden_until_revealed: bool) -> tuple[list, OnStage]:
    """The webhooks a log entry makes, and what is on stage after it."""
    if kind == "results_signed_off":
        return [Occurrence(RESULTS_OFFICIAL)], before
    if kind == "place_revealed":
        pids = data.get("performers") or []
        return ([Occurrence(RESULTS_PUBLIC, p) for p in pids] if hidden_until_revealed else []), before
    if "phase" not in data or "version" not in data:  # not a step of the event's state
        return [], before
    after = OnStage(data.get("phase"), data.get("performer_id"))
    out = []
    closed = before.phase == Phase.SCORING.value and before.performer_id and after != before
    if closed and not hidden_until_revealed:
        out.append(Occurrence(RESULTS_PUBLIC, before.performer_id))
    if after != before:
        out.append(Occurrence(PHASE_CHANGED))
    return out, after


@dataclass
class HookState:
    """A hook's progress on one stage, as stored (and shown on the desk): where it has read to, what it
    delivered, the delivery failing now (tried again until an hour has passed) and what was dropped."""

    hook_id: str
    stage: str
    host: str = ""
    private: bool = False
    reading: Reading | None = None
    version: int = 0
    delivered: int = 0
    last_delivered_at: float | None = None
    failing: dict | None = None  # delivery_id, kind, attempts, first_failed_at, next_at, error
    dropped: int = 0
    last_dropped: dict | None = None  # delivery_id, kind, attempts, error, at

    @property
    def label(self) -> str:
        return ("private: " if self.private else "") + self.host


def desk_lines(states: list[HookState], now: float) -> list[str]:
    """The desk's sentence for each hook and stage with a delivery failing now or dropped."""
    lines = []
    for s in sorted(states, key=lambda s: (s.label, s.stage)):
        where = f"Webhook to {s.label} (stage {s.stage})"
        if s.failing:
            f = s.failing
            wait = max(0, round(f["next_at"] - now))
            tried = f"{f['kind']} refused ({f['error']}), {f['attempts']} attempt(s)"
            lines.append(f"{where}: {tried}; next try in {wait} s, later ones wait; dropped after an hour.")
        if s.dropped:
            d = s.last_dropped or {}
            lines.append(f"{where}: {s.dropped} delivery(ies) dropped after an hour of refusals (last: "
                         f"{d.get('kind', '?')}, {d.get('error', '?')}).")  # fmt: skip
    return lines
