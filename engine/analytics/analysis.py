"""The admin's analytics as plain frames: built once per snapshot, read by the charts in ui/charts.py.

`analyse(snapshot)` builds the long-form frames with vectorised pandas (1,000 performers x 20 judges
stays cheap). Pure: no Streamlit, no Altair. Names people typed travel as data values, never as field
names or markup: Vega draws them as text, st.dataframe draws them on a canvas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from engine.analytics.agreement import kendalls_w
from engine.analytics.standings import as_float, positions, ranking_over_time
from engine.domain import ranking, scoring
from engine.domain.model import Rule
from engine.domain.snapshot import Snapshot, totals_by_performer

TABLE_COLUMNS = ("Rank", "Performer", "Status", "Scores in", "Total")


@dataclass(frozen=True)
class Analysis:
    """What the live page shows for one snapshot, as plain frames (picklable, so cacheable)."""

    performers: pd.DataFrame  # performer_id, position, name, status, total, rank, performer (label)
    judges: pd.DataFrame  # judge (email), judge_name (unique label), in panel order
    scores: pd.DataFrame  # a row a score: ids, value, times, revision, position, performer, judge_name
    table: pd.DataFrame  # the wide score table: TABLE_COLUMNS and one column per judge
    deviation: pd.DataFrame  # judge, judge_name, deviation, performers
    distribution: pd.DataFrame  # judge_name, count, min, q1, median, q3, max, mean
    ranking: pd.DataFrame  # step, performer, rank, after: where the top performers' ranks changed
    complete: int  # performers every judge of the panel has scored
    agreement_key: tuple  # changes iff the input of Kendall's W (complete performers' scores) changes
    score_range: tuple[float, float]
    total_is_score: bool  # a total sits on the judges' scale (every rule but the sum)


# ---- labels ------------------------------------------------------------------------------------


def judge_labels(snap: Snapshot) -> dict[str, str]:
    """email -> display name, unique on the page and distinct from the score table's own columns."""
    names = {j.email: (j.name or "").strip() for j in snap.judges}
    taken = set(TABLE_COLUMNS)
    out: dict[str, str] = {}
    for email in snap.panel:
        label = names.get(email) or email.split("@")[0] or email
        if label in taken:
            label = f"{label} ({email})"
        base, n = label, 2
        while label in taken:
            label, n = f"{base} #{n}", n + 1
        taken.add(label)
        out[email] = label
    return out


# ---- the analysis --------------------------------------------------------------------------------


def fingerprint(snap: Snapshot) -> tuple:
    """Changes whenever anything `analyse` reads changes, so a page can cache the analysis on it."""
    return (
        snap.event_id,
        snap.state.version,
        len(snap.performers),
        len(snap.scores),
        sum(s.revision for s in snap.scores),
        max((s.submitted_at for s in snap.scores), default=0.0),
        tuple((j.email, j.name, str(j.weight), j.active) for j in snap.judges),
        repr(snap.settings),
    )


def analyse(snap: Snapshot) -> Analysis:
    labels = judge_labels(snap)
    performers = _performer_frame(snap)
    judges = pd.DataFrame({"judge": list(labels), "judge_name": list(labels.values())})
    scores, count = _score_frame(snap, performers, labels)
    complete = scores[count >= max(1, len(labels))]
    agreement_key = (
        snap.event_id,
        tuple(labels),
        len(complete),
        int(complete["revision"].sum()),
        float(complete["submitted_at"].max()) if len(complete) else 0.0,
    )
    return Analysis(
        performers=performers,
        judges=judges,
        scores=scores,
        table=score_table(performers, scores, judges),
        deviation=_deviation(snap, scores, count, judges),
        distribution=_distribution(scores),
        ranking=ranking_over_time(snap),
        complete=int(complete["performer_id"].nunique()),
        agreement_key=agreement_key,
        score_range=_score_range(snap),
        total_is_score=Rule(snap.settings.rule) not in (Rule.SUM, Rule.SKATING, Rule.RANK_POINTS, Rule.BORDA),
    )


def _performer_frame(snap: Snapshot) -> pd.DataFrame:
    """A row a performer, in running order, with their total and rank."""
    place = positions(snap)
    results = {r.performer_id: r for r in snap.results}
    none = ranking.PerformerResult("", None, 0, False, None, None, None, None, None)
    rows = [(p, results.get(p.performer_id, none)) for p in snap.performers]
    performers = pd.DataFrame(
        {
            "performer_id": [p.performer_id for p, _ in rows],
            "position": [place[p.performer_id] for p, _ in rows],
            "name": [p.name for p, _ in rows],
            "status": [p.status.value for p, _ in rows],
            "total": [as_float(r.total) for _, r in rows],
            "rank": pd.array([r.rank for _, r in rows], dtype="Int64"),
        }
    )
    performers = performers.sort_values("position", kind="stable", ignore_index=True)
    performers["performer"] = performers["position"].astype(str) + ". " + performers["name"]
    return performers


def _score_frame(
    snap: Snapshot, performers: pd.DataFrame, labels: dict[str, str]
) -> tuple[pd.DataFrame, np.ndarray]:
    """A row a score of a known performer, by running order then judge label (equal ones in the
    snapshot's order); and beside each row the number of scores its performer has."""
    row_of = {pid: i for i, pid in enumerate(performers["performer_id"])}  # performers in running order
    emails = sorted(labels, key=labels.__getitem__)
    by_label = {e: k for k, e in enumerate(emails)}
    # No (row, score) pairs: 20,000 tuples holding a Score would each be tracked, and promoted, by the GC.
    kept = [s for s in snap.scores if s.performer_id in row_of]
    rows = np.array([row_of[s.performer_id] for s in kept], dtype=np.intp)
    judge = np.array([by_label.get(s.judge, len(by_label)) for s in kept], dtype=np.intp)
    order = np.argsort(rows * (len(by_label) + 1) + judge, kind="stable")
    ordered = [kept[i] for i in order]
    rows, judge = rows[order], judge[order]
    if (judge == len(by_label)).any():  # a judge without a label: the rows name them one by one
        email, name = [s.judge for s in ordered], [labels.get(s.judge) for s in ordered]
    else:
        email = pd.array(emails, dtype=str).take(judge)
        name = pd.array([labels[e] for e in emails], dtype=str).take(judge)
    scores = pd.DataFrame(
        {
            "performer_id": performers["performer_id"].array.take(rows),
            "judge": pd.Series(email, dtype=str),
            "value": _floats([s.total for s in ordered]),
            "first_submitted_at": np.array([s.first_submitted_at for s in ordered], dtype=float),
            "submitted_at": np.array([s.submitted_at for s in ordered], dtype=float),
            "revision": np.array([s.revision for s in ordered], dtype=int),
            "position": performers["position"].to_numpy()[rows],
            "performer": performers["performer"].array.take(rows),
            "judge_name": pd.Series(name, dtype=str),
        }
    )
    return scores, np.bincount(rows, minlength=len(performers))[rows]


def _floats(values: list) -> np.ndarray:
    """float() of each Decimal, once per distinct value (float(Decimal) goes through a string); a zero
    each time, so that -0 stays -0.0."""
    once = {v: float(v) for v in set(values)}
    return np.array([once[v] if v else float(v) for v in values], dtype=float)


def agreement(snap: Snapshot) -> float | None:
    """Kendall's W over the performers every judge scored (the engine's exact, and slow, version)."""
    return kendalls_w(totals_by_performer(snap.scores), snap.panel)


def _score_range(snap: Snapshot) -> tuple[float, float]:
    criteria = snap.settings.criteria
    if not criteria:
        return (0.0, 10.0)
    return (float(min(c.min for c in criteria)), float(max(c.max for c in criteria)))


def score_table(performers: pd.DataFrame, scores: pd.DataFrame, judges: pd.DataFrame) -> pd.DataFrame:
    """Performers x judges, the ranked first (by rank, then running order), with total and rank."""
    wide = _wide(performers, scores, judges)
    scored = (~np.isnan(wide)).sum(axis=1)
    columns = {
        "Rank": performers["rank"].array,
        "Performer": performers["name"].to_numpy(),
        "Status": performers["status"].to_numpy(),
        "Scores in": [f"{n}/{len(judges)}" for n in scored],
        **{name: wide[:, k] for k, name in enumerate(judges["judge_name"])},
    }
    out = pd.DataFrame(columns)
    out["Total"] = performers["total"].to_numpy()
    rank = performers["rank"].astype("Float64").fillna(np.inf).to_numpy(float)
    order = np.lexsort((performers["position"].to_numpy(), rank))
    return out.iloc[order].reset_index(drop=True)


def _wide(performers: pd.DataFrame, scores: pd.DataFrame, judges: pd.DataFrame) -> np.ndarray:
    """performers x judges of the score values, NaN where none; a pair scored twice keeps its last row
    (the store keeps one anyway), scores of performers or judges not listed are left out."""
    rows = pd.Index(performers["performer_id"]).get_indexer(scores["performer_id"])
    cols = pd.Index(judges["judge"]).get_indexer(scores["judge"])
    known = np.flatnonzero((rows >= 0) & (cols >= 0))
    cell = rows[known] * len(judges) + cols[known]
    _, last = np.unique(cell[::-1], return_index=True)  # the last row of each cell
    take = known[len(known) - 1 - last]
    wide = np.full((len(performers), len(judges)), np.nan)
    wide[rows[take], cols[take]] = scores["value"].to_numpy(dtype=float)[take]
    return wide


def _deviation(snap: Snapshot, scores: pd.DataFrame, count: np.ndarray, judges: pd.DataFrame) -> pd.DataFrame:
    gaps = scoring.judge_deviation(totals_by_performer(snap.scores), snap.panel)
    shared = scores[count >= 2].groupby("judge").size()
    out = judges.copy()
    out["deviation"] = [as_float(gaps.get(j)) for j in out["judge"]]
    out["performers"] = out["judge"].map(shared).fillna(0).astype(int)
    return out.dropna(subset=["deviation"]).reset_index(drop=True)


def _distribution(scores: pd.DataFrame) -> pd.DataFrame:
    g = scores.groupby("judge_name")["value"]
    out = pd.DataFrame(
        {
            "count": g.size(),
            "min": g.min(),
            "q1": g.quantile(0.25),
            "median": g.median(),
            "q3": g.quantile(0.75),
            "max": g.max(),
            "mean": g.mean(),
        }
    )
    return out.rename_axis("judge_name").reset_index()


def flagged(analysis: Analysis, threshold: float) -> pd.DataFrame:
    """Judges whose mean gap to the rest of the panel is more than `threshold` points either way."""
    d = analysis.deviation
    return d[d["deviation"].abs() > threshold].sort_values("deviation", key=abs, ascending=False)
