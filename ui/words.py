"""The engine's enums in words a person reads, marked for the catalogue (say them with `_(WORD[x])`)."""

from __future__ import annotations

from engine.domain.messages import N_
from engine.domain.model import CommandKind, MissingPolicy, PerformerStatus, Phase, Rule, TieBreak

COMMAND = {
    CommandKind.START: N_("Start"),
    CommandKind.PAUSE: N_("Pause"),
    CommandKind.RESUME: N_("Resume"),
    CommandKind.EXTEND: N_("Extend"),
    CommandKind.SKIP: N_("Skip"),
    CommandKind.CLOSE: N_("Close"),
    CommandKind.DONE: N_("Performance done"),
    CommandKind.FINISH: N_("Finish"),
    CommandKind.RESET: N_("Reset"),
}
# "the event is now …"
PHASE_WORD = {
    Phase.SETUP: N_("setup"),
    Phase.LOBBY: N_("lobby"),
    Phase.PERFORMING: N_("performing"),
    Phase.SCORING: N_("scoring"),
    Phase.FINISHED: N_("finished"),
}
STATUS = {
    PerformerStatus.WAITING: N_("waiting"),
    PerformerStatus.PERFORMING: N_("performing"),
    PerformerStatus.SCORING: N_("scoring"),
    PerformerStatus.DONE: N_("done"),
    PerformerStatus.SKIPPED: N_("skipped"),
    PerformerStatus.NOT_PERFORMED: N_("not performed"),
    PerformerStatus.NO_SHOW: N_("no-show"),
}


def status(value: str) -> str:
    """A performer's status ("done", "no-show") in the reader's language; anything else as it is."""
    from ui.i18n import _

    try:
        return _(STATUS[PerformerStatus(value)])
    except ValueError:
        return value


# The analytics' column names (engine/analytics), shown under these words; a judge's name stays as typed.
COLUMNS = (
    N_("Judge"), N_("Performer"), N_("Rank"), N_("Total"), N_("Scores in"), N_("Status"), N_("Difficulty"),
    N_("Revised"), N_("Scores"), N_("Rank spread"), N_("Latest s"), N_("Median s to first"),
    N_("Median s to last"), N_("Category"),
)  # fmt: skip


def column(name: str) -> str:
    """An analytics column's heading in the reader's language ("Mean total", "Borda (event's rule)")."""
    from ui.i18n import _

    if name.endswith(" (event's rule)"):
        return _("{rule} (event's rule)").format(rule=_(name.removesuffix(" (event's rule)")))
    if name.endswith(" total") and name != "Total":
        return _("{rule} total").format(rule=_(name.removesuffix(" total")))
    from engine.analytics.standings import RULE_LABEL

    return _(name) if name in COLUMNS or name in RULE_LABEL.values() else name


RULE = {
    Rule.WEIGHTED_MEAN: N_("weighted mean"),
    Rule.MEAN: N_("mean"),
    Rule.TRIMMED_MEAN: N_("trimmed mean"),
    Rule.TRIMMED_SUM: N_("trimmed sum"),
    Rule.MEDIAN: N_("median"),
    Rule.SUM: N_("sum"),
    Rule.SKATING: N_("skating system"),
    Rule.RANK_POINTS: N_("rank points"),
    Rule.BORDA: N_("Borda"),
    Rule.NORMALISED: N_("normalised"),
}
MISSING = {MissingPolicy.OMIT: N_("omit"), MissingPolicy.ZERO: N_("zero")}
TIE_BREAK = {
    TieBreak.MEDIAN: N_("higher median"),
    TieBreak.BEST: N_("higher best score"),
    TieBreak.WORST: N_("higher worst score"),
    TieBreak.MEAN: N_("higher plain mean"),
}


def of(table: dict, value: str) -> str:
    """`value` (an enum's value) in words from `table`, in the reader's language."""
    from ui.i18n import _

    for member, word in table.items():
        if member.value == value:
            return _(word)
    return value
