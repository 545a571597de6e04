"""Domain types: plain dataclasses and enums, no I/O."""

from __future__ import annotations

import enum
import time
import uuid
from dataclasses import dataclass, field, replace
from decimal import Decimal

from engine.domain.catalogue import DeductionKind, TimeRule
from engine.domain.messages import N_


class Phase(enum.StrEnum):
    SETUP = "SETUP"
    LOBBY = "LOBBY"
    PERFORMING = "PERFORMING"
    SCORING = "SCORING"
    FINISHED = "FINISHED"


class Rule(enum.StrEnum):
    """How a performer's judge totals become one total."""

    WEIGHTED_MEAN = "weighted_mean"
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"
    TRIMMED_SUM = "trimmed_sum"  # diving: the marks left after trimming, added up
    MEDIAN = "median"
    SUM = "sum"
    # Rules that rank a performer against the field (engine/domain/tabulation.py): each judge's marks
    # become that judge's places (the placement rules), or are rescaled to the panel's scale.
    SKATING = "skating"  # the skating system (ballroom): majorities of places, rules 5-11
    RANK_POINTS = "rank_points"  # each judge's place earns points from the event's table (Irish dance)
    BORDA = "borda"  # each judge's place earns the number of performers placed below it
    NORMALISED = "normalised"  # each judge's scores as z-scores, mapped onto the panel's pooled scale


class MissingPolicy(enum.StrEnum):
    """What a judge who did not score counts as."""

    OMIT = "omit"  # nothing: the total is over the judges who scored
    ZERO = "zero"  # a zero from that judge


class TieBreak(enum.StrEnum):
    """What separates equal totals, tried in the order the settings list them; the higher wins."""

    MEDIAN = "median"  # the median of the judges' totals
    BEST = "best"  # the best judge total
    WORST = "worst"  # the worst judge total
    MEAN = "mean"  # the plain mean of the judges' totals


class Role(enum.StrEnum):
    """Who an account is: judges score, the admin runs the event, the streaming operator puts the
    overlays on air and picks what the projector shows (nothing else)."""

    JUDGE = "judge"
    ADMIN = "admin"
    STREAMING = "streaming"


class PerformerStatus(enum.StrEnum):
    WAITING = "waiting"
    PERFORMING = "performing"
    SCORING = "scoring"
    DONE = "done"
    SKIPPED = "skipped"
    NOT_PERFORMED = "not performed"
    NO_SHOW = "no-show"


class CommandKind(enum.StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    EXTEND = "extend"
    SKIP = "skip"
    CLOSE = "close"
    DONE = "done"  # the performance is over: scoring opens now, and the performance is timed
    FINISH = "finish"
    RESET = "reset"


class StagescoreError(Exception):
    """One sentence a person can act on; `Error(N_("No judge {email}."), email=e)` keeps the template and
    its blanks for the ui to say in a person's language (engine/domain/messages.py); str() is English."""

    def __init__(self, message: object = "", /, **blanks: object) -> None:
        self.template, self.blanks = str(message), blanks
        super().__init__(self.template.format(**blanks) if blanks else message)


class CommandRefused(StagescoreError):
    pass


class InvalidInput(StagescoreError):
    pass


class ScoreRefused(StagescoreError):
    pass


class NotAllowed(StagescoreError):
    pass


class Conflict(StagescoreError):
    """A conditional write lost a race (version, lease or revision changed)."""


class DatabaseUnavailable(StagescoreError):
    pass


# The outage sentence: what every screen and route says while DynamoDB does not answer.
UNREACHABLE = N_("Scoring database unreachable, retrying…")


@dataclass(frozen=True)
class Criterion:
    name: str = "Score"
    min: Decimal = Decimal("0")
    max: Decimal = Decimal("10")
    step: Decimal = Decimal("0.1")
    weight: Decimal = Decimal("1")
    judges: tuple[str, ...] = ()  # its sub-panel (engine/domain/panels.py); empty: every judge scores it


class VoteMode(enum.StrEnum):
    """The audience vote (engine/domain/votes.py): none, a window per act, or one final window."""

    OFF = "off"
    PER_ACT = "per_act"
    FINAL = "final"


@dataclass(frozen=True)
class VoteSettings:
    mode: VoteMode = VoteMode.OFF
    grace_seconds: float = 60.0  # per act: open this long after the performer's scoring window closed
    final_minutes: float = 5.0  # final: open this long after the last performer; 0: the admin decides
    jury_percent: int | None = None  # the combined ranking's jury share of the points; None: none


# Rank points as Irish dancing awards them (1st 100, 2nd 75, …), as far as 20th place.
RANK_POINTS = tuple(
    Decimal(p) for p in (100, 75, 65, 60, 56, 53, 50, 47, 45, 43, 41, 39, 38, 37, 36, 35, 34, 33, 32, 31)
)


@dataclass(frozen=True)
class Settings:
    event_name: str = "Stagescore event"
    perform_seconds: float = 10.0
    score_seconds: float = 30.0
    required_judges: int = 3
    auto_start: bool = True
    auto_close: bool = False
    rule: Rule = Rule.WEIGHTED_MEAN
    missing: MissingPolicy = MissingPolicy.OMIT
    min_scores: int = 1
    trim_min: int = 4
    trim_count: int = 1  # dropped at each end by the trimmed rules (diving: 2 of 7)
    tie_breaks: tuple[TieBreak, ...] = (TieBreak.MEDIAN, TieBreak.BEST)
    criteria: tuple[Criterion, ...] = (Criterion(),)
    public_judge_scores: bool = True
    rank_overall: bool = False  # "Rank overall as well": with one category there is only one ranking
    votes: VoteSettings = VoteSettings()  # the audience vote (engine/domain/votes.py)
    rank_points: tuple[Decimal, ...] = RANK_POINTS  # points for a judge's 1st, 2nd, … place; later: 0
    normalise_min: int = 3  # the normalised rule needs this many marks from every judge in the round
    criteria_sum: bool = False  # a score adds its criteria up (weighted) rather than averaging them
    shadows: tuple[str, ...] = ()  # judges who score but never count (engine/domain/panels.py)
    head_judge: str = ""  # a judge who enters deductions and sees every calibration card, besides admins
    deductions: tuple[DeductionKind, ...] = ()  # the head judge's catalogue
    time_rule: TimeRule = TimeRule()  # the time limit and its penalty (engine/domain/overtime.py)

    def with_changes(self, **changes) -> Settings:
        return replace(self, **changes)


# Settings whose change would alter results or the running clock; locked once started.
LOCKED_SETTINGS = frozenset(
    "rule missing min_scores trim_min trim_count tie_breaks criteria required_judges votes rank_points "
    "normalise_min criteria_sum shadows time_rule".split()
)


@dataclass(frozen=True)
class Performer:
    performer_id: str
    name: str
    order: int
    category: str = ""
    status: PerformerStatus = PerformerStatus.WAITING
    started_at: float | None = None
    ended_at: float | None = None
    difficulty: Decimal = Decimal("1")  # multiplies the performer's total, as a dive's degree of difficulty
    performed_seconds: float | None = None  # perform window start to the admin's "done", pauses left out


@dataclass(frozen=True)
class Account:
    email: str
    name: str
    role: Role
    weight: Decimal = Decimal("1")
    active: bool = True
    stage: str | None = None  # a judge's stage; None: the main stage


@dataclass(frozen=True)
class Score:
    event_id: str
    performer_id: str
    judge: str
    values: dict[str, Decimal]
    total: Decimal
    revision: int
    submitted_at: float
    first_submitted_at: float
    window_id: int
    comment: str = ""  # the judge's note for the performer's sheet; never on the public board


@dataclass(frozen=True)
class EventState:
    event_id: str
    phase: Phase = Phase.SETUP
    order: tuple[str, ...] = ()
    index: int = -1
    window_id: int = 0
    window_started_at: float | None = None
    deadline: float | None = None
    paused: bool = False
    paused_remaining: float | None = None
    paused_at: float | None = None  # when the clock was paused, while it is
    paused_for: float = 0.0  # seconds this window spent paused before its last resume
    version: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    superseded_by: str | None = None
    stage: str = "main"  # the stage this event runs on (engine/domain/stages.py)

    @property
    def performer_id(self) -> str | None:
        if self.phase in (Phase.PERFORMING, Phase.SCORING) and 0 <= self.index < len(self.order):
            return self.order[self.index]
        return None

    def remaining(self, now: float) -> float | None:
        if self.paused:
            return self.paused_remaining
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - now)

    def scoring_open(self, now: float) -> bool:
        return self.phase is Phase.SCORING and (self.paused or (self.deadline or 0) > now)


def new_event_id(now: float) -> str:
    """Sortable by creation time; the random tail keeps two events created in one second apart."""
    return time.strftime("ev-%Y%m%d-%H%M%S", time.gmtime(now)) + "-" + uuid.uuid4().hex[:4]


@dataclass(frozen=True)
class Session:
    """A logged-in user, as the pages hold it; every write checks the token again."""

    token: str
    email: str
    role: Role
    name: str


@dataclass(frozen=True)
class Command:
    kind: CommandKind
    seconds: float = 0.0
    force: bool = False
    # The window the admin was looking at: a click that arrives after the clock moved on is refused
    # rather than applied to the next performer's window.
    window_id: int | None = None


@dataclass(frozen=True)
class Step:
    """One state change: the new state, when it happened (scheduled time for timer
    transitions) and what it did, for the log and the performers' statuses."""

    state: EventState
    at: float
    kind: str
    detail: dict = field(default_factory=dict)
    performer_updates: dict[str, PerformerStatus] = field(default_factory=dict)
