"""What the results features show, built from a Snapshot: the document that is signed off (and hashed),
the outlier flags of the admin's desk, the judges' labels and one performer's score sheet. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from string import ascii_uppercase

from engine.domain import deductions, outliers, release
from engine.domain.messages import N_, Said
from engine.domain.release import Release
from engine.domain.scoring import display
from engine.domain.snapshot import Snapshot
from engine.views.exports import deduction_rows, results_rows


def judge_labels(snap: Snapshot, named: bool) -> dict[str, str]:
    """email -> what a sheet calls the judge: the display name, or "Judge A", "Judge B"… in panel order
    (the same letter on every sheet of the round)."""
    names = {j.email: j.name for j in snap.judges}
    panel = snap.panel
    if named:
        return {e: names.get(e) or e.split("@")[0] for e in panel}
    letters = [ascii_uppercase[i % 26] + ("" if i < 26 else str(i // 26)) for i in range(len(panel))]
    return {e: Said(N_("Judge {letter}"), letter=letters[i]) for i, e in enumerate(panel)}


def results_document(snap: Snapshot) -> dict:
    """The round's results as signed off: ranking, every score with its comment, the settings' rule."""
    scores = [
        {
            "performer_id": s.performer_id,
            "judge": s.judge,
            "values": {k: str(v) for k, v in sorted(s.values.items())},
            "total": str(s.total),
            "revision": s.revision,
            "comment": s.comment,
        }
        for s in sorted(snap.scores, key=lambda s: (s.performer_id, s.judge))
    ]
    return {
        "event_id": snap.event_id,
        "event_name": snap.settings.event_name,
        "rule": snap.settings.rule.value,
        "results": results_rows(snap),
        "scores": scores,
        **({"deductions": deduction_rows(snap)} if snap.deductions else {}),  # hashes as before without
    }


def flags(snap: Snapshot, distance) -> list[outliers.OutlierFlag]:
    """Every outlier among the event's current scores, performer by performer."""
    labels = {j.email: j.name for j in snap.judges}
    found = []
    for p in snap.performers:
        by_judge = {j: s.values for j, s in snap.scores_for(p.performer_id).items()}
        found += outliers.panel_flags(p.performer_id, by_judge, snap.settings.criteria, distance, labels)
    return found


def flags_outliers(snap: Snapshot, rel: Release) -> list[dict]:
    """The admin document's `flags_outliers`: [{judge, performer, value, median, sentence, …}]."""
    labels = {j.email: j.name for j in snap.judges}
    return [
        {
            **f.as_json(snap.performer_name(f.performer_id), labels.get(f.judge, f.judge)),
            "email": f.judge,
            "performer_id": f.performer_id,
        }
        for f in flags(snap, rel.settings.outlier_distance)
    ]


@dataclass(frozen=True)
class Sheet:
    """One performer's take-home score sheet, as text ready to lay out."""

    event_name: str
    round: str
    performer: str
    category: str
    rank: str
    total: str
    status: str  # "Official results", "Results (provisional)" or ""
    criteria: tuple[str, ...]
    rows: tuple[tuple[str, tuple[str, ...], str], ...]  # (judge label, value per criterion, judge total)
    comments: tuple[tuple[str, str], ...]  # (judge label, comment)
    signed_off: str
    deductions: tuple[str, ...] = ()  # "Fall ×1: −1.0", … (engine/domain/deductions.lines)
    # The judges' labels (Judge A …), signed_off and the deductions are Said phrases (a str in English): a
    # sheet says them in its language.


def sheet(snap: Snapshot, rel: Release, performer_id: str) -> Sheet:
    performer = next(p for p in snap.performers if p.performer_id == performer_id)
    result = next((r for r in snap.results if r.performer_id == performer_id), None)
    labels = judge_labels(snap, rel.settings.judge_names_on_sheets)
    criteria = tuple(c.name for c in snap.settings.criteria)
    scores = snap.scores_for(performer_id)
    rows = tuple(
        (labels[j], tuple(display(scores[j].values.get(c)) for c in criteria), display(scores[j].total))
        for j in snap.panel
        if j in scores
    )
    comments = tuple((labels[j], scores[j].comment) for j in snap.panel if j in scores and scores[j].comment)
    signed = ""
    if rel.official:
        signed = Said(
            N_("Signed off by {who} · results hash {hash}"), who=rel.signed_off_by, hash=rel.results_hash[:16]
        )
    return Sheet(
        snap.settings.event_name,
        snap.event_id,
        performer.name,
        performer.category,
        str(result.rank) if result and result.rank else "—",
        display(result.total) if result else "—",
        release.LABEL[release.status(snap.state, rel)],
        criteria,
        rows,
        comments,
        signed,
        tuple(deductions.lines(snap.settings, snap.deductions, performer_id)),
    )
