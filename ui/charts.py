"""Frames and Altair charts for the admin's Scores & analytics page. Pure: no Streamlit import.

`analyse(snapshot)` builds the long-form frames once (vectorised pandas: 1,000 performers x 20 judges
stays cheap); chart builders only read those frames. Names people typed travel as data values, never
as field names or markup: Vega draws them as text, st.dataframe draws them on a canvas.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import altair as alt
import numpy as np
import pandas as pd

from engine import scoring
from engine.eventlog import LogEntry
from engine.model import PerformerStatus, Phase, Rule, Score
from engine.service import Snapshot, compute_results

TOP_RANKS = 10  # lines in the ranking-over-time chart
RECENT = 30  # performers in the per-score charts
MAX_POINTS = 4000  # per chart: browsers stay quick, and Altair's own limit is 5,000 rows
TABLE_COLUMNS = ("Rank", "Performer", "Status", "Scores in", "Total")
RULE_LABEL = {
    Rule.WEIGHTED_MEAN: "Weighted mean",
    Rule.MEAN: "Mean",
    Rule.TRIMMED_MEAN: "Trimmed mean",
    Rule.MEDIAN: "Median",
    Rule.SUM: "Sum",
}


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


def positions(snap: Snapshot) -> dict[str, int]:
    """performer_id -> 1-based place in the running order (the event's order, then the roster's)."""
    place = {pid: i for i, pid in enumerate(snap.state.order, start=1)}
    for p in sorted(snap.performers, key=lambda p: (p.order, p.performer_id)):
        place.setdefault(p.performer_id, len(place) + 1)
    return place


def _table(scores: Iterable[Score]) -> dict[str, dict[str, Decimal]]:
    table: dict[str, dict[str, Decimal]] = {}
    for s in scores:
        table.setdefault(s.performer_id, {})[s.judge] = s.total
    return table


def _float(d: Decimal | None) -> float:
    return float(d) if d is not None else np.nan


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
    place = positions(snap)
    results = {r.performer_id: r for r in snap.results}
    none = scoring.PerformerResult("", None, 0, False, None, None, None, None, None)
    rows = [(p, results.get(p.performer_id, none)) for p in snap.performers]
    performers = pd.DataFrame(
        {
            "performer_id": [p.performer_id for p, _ in rows],
            "position": [place[p.performer_id] for p, _ in rows],
            "name": [p.name for p, _ in rows],
            "status": [p.status.value for p, _ in rows],
            "total": [_float(r.total) for _, r in rows],
            "rank": pd.array([r.rank for _, r in rows], dtype="Int64"),
        }
    )
    performers = performers.sort_values("position", kind="stable", ignore_index=True)
    performers["performer"] = performers["position"].astype(str) + ". " + performers["name"]
    judges = pd.DataFrame({"judge": list(labels), "judge_name": list(labels.values())})

    scores = pd.DataFrame(
        {
            "performer_id": pd.Series([s.performer_id for s in snap.scores], dtype=str),
            "judge": pd.Series([s.judge for s in snap.scores], dtype=str),
            "value": np.array([s.total for s in snap.scores], dtype=float),
            "first_submitted_at": np.array([s.first_submitted_at for s in snap.scores], dtype=float),
            "submitted_at": np.array([s.submitted_at for s in snap.scores], dtype=float),
            "revision": np.array([s.revision for s in snap.scores], dtype=int),
        }
    )
    scores = scores.merge(performers[["performer_id", "position", "performer"]], on="performer_id")
    scores["judge_name"] = scores["judge"].map(labels)
    scores = scores.sort_values(["position", "judge_name"], kind="stable", ignore_index=True)

    count = scores.groupby("performer_id")["judge"].size()
    complete = scores[scores["performer_id"].map(count).to_numpy() >= max(1, len(labels))]
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
        total_is_score=Rule(snap.settings.rule) is not Rule.SUM,
    )


def agreement(snap: Snapshot) -> float | None:
    """Kendall's W over the performers every judge scored (the engine's exact, and slow, version)."""
    return scoring.kendalls_w(_table(snap.scores), snap.panel)


def _score_range(snap: Snapshot) -> tuple[float, float]:
    criteria = snap.settings.criteria
    if not criteria:
        return (0.0, 10.0)
    return (float(min(c.min for c in criteria)), float(max(c.max for c in criteria)))


def score_table(performers: pd.DataFrame, scores: pd.DataFrame, judges: pd.DataFrame) -> pd.DataFrame:
    """Performers x judges, the ranked first (by rank, then running order), with total and rank."""
    one_each = scores.drop_duplicates(["performer_id", "judge"], keep="last")  # the store keeps one anyway
    wide = one_each.pivot(index="performer_id", columns="judge", values="value")
    wide = wide.reindex(index=performers["performer_id"], columns=judges["judge"])
    wide.columns = list(judges["judge_name"])
    wide = wide.reset_index(drop=True)
    scored = wide.notna().sum(axis=1).to_numpy()
    head = pd.DataFrame(
        {
            "Rank": performers["rank"].array,
            "Performer": performers["name"].to_numpy(),
            "Status": performers["status"].to_numpy(),
            "Scores in": [f"{n}/{len(judges)}" for n in scored],
        }
    )
    out = pd.concat([head, wide], axis=1)
    out["Total"] = performers["total"].to_numpy()
    rank = performers["rank"].astype("Float64").fillna(np.inf).to_numpy(float)
    order = np.lexsort((performers["position"].to_numpy(), rank))
    return out.iloc[order].reset_index(drop=True)


def _deviation(snap: Snapshot, scores: pd.DataFrame, count: pd.Series, judges: pd.DataFrame) -> pd.DataFrame:
    gaps = scoring.judge_deviation(_table(snap.scores), snap.panel)
    shared = scores[scores["performer_id"].map(count).to_numpy() >= 2].groupby("judge").size()
    out = judges.copy()
    out["deviation"] = [_float(gaps.get(j)) for j in out["judge"]]
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


# ---- ranking over time -----------------------------------------------------------------------------


def ranking_over_time(snap: Snapshot, top: int = TOP_RANKS) -> pd.DataFrame:
    """Rank of the current top performers after each performer done, at the steps where it changed.

    The ranks `compute_results(settings, done[:k], their scores, judges)` gives for every k, computed
    with one ranking per distinct panel rather than one per k: a total depends only on the performer's
    own scores and the panel, so while the panel stays put, rank after k = 1 + those of the first k
    ranked above."""
    columns = ["step", "performer", "rank", "after"]
    place = positions(snap)
    done = [p for p in snap.performers if p.status is PerformerStatus.DONE]
    done.sort(key=lambda p: place[p.performer_id])
    n = len(done)
    if not n:
        return pd.DataFrame(columns=columns)
    index = {p.performer_id: i for i, p in enumerate(done)}
    mine: list[list[Score]] = [[] for _ in done]
    for s in snap.scores:
        if (i := index.get(s.performer_id)) is not None:
            mine[i].append(s)
    # The panel grows when a judge no longer active turns out to have scored: rank anew from there.
    panel = {j.email for j in snap.judges if j.active}
    starts, panels = [], []
    for i, scores in enumerate(mine):
        grown = panel | {s.judge for s in scores}
        if i == 0 or grown != panel:
            starts.append(i)
            panels.append(sorted(grown))
        panel = grown
    ends = [*starts[1:], n]
    # keys[s, i]: performer i's rank in segment s's ranking (inf: not ranked there); lower is better.
    keys = np.full((len(starts), n), np.inf)
    for s, end in enumerate(ends):
        if end == n and panels[s] == snap.panel:
            results = snap.results  # the same panel, so the same totals: reuse the snapshot's ranking
        else:
            prefix_scores = [x for xs in mine[:end] for x in xs]
            results = compute_results(snap.settings, done[:end], prefix_scores, snap.judges)
        ranked = {r.performer_id: r.rank for r in results}
        keys[s, :end] = [ranked.get(p.performer_id) or np.inf for p in done[:end]]
    segment = np.repeat(np.arange(len(starts)), np.diff([*starts, n]))
    final = keys[-1]
    final_rank = np.where(np.isfinite(final), 1 + np.searchsorted(np.sort(final), final), np.inf)
    tracked = [int(t) for t in np.lexsort((np.arange(n), final_rank)) if np.isfinite(final_rank[t])][:top]
    labels = [f"{place[p.performer_id]}. {p.name}" for p in done]
    rows = []
    for t in tracked:
        above = np.cumsum(keys < keys[:, t : t + 1], axis=1)  # per segment: ranked above t among first k
        steps = np.arange(t, n)
        steps = steps[np.isfinite(keys[segment[steps], t])]
        if not len(steps):
            continue
        ranks = 1 + above[segment[steps], steps]
        keep = np.unique(np.r_[np.flatnonzero(np.r_[True, ranks[1:] != ranks[:-1]]), len(steps) - 1])
        rows += [(int(steps[j]) + 1, labels[t], int(ranks[j]), labels[steps[j]]) for j in keep]
    return pd.DataFrame(rows, columns=columns)


# ---- what-if ---------------------------------------------------------------------------------------


def what_if(snap: Snapshot) -> pd.DataFrame:
    """Rank and total of every performer under each aggregation rule, the event's own rule first."""
    current = Rule(snap.settings.rule)
    rules = [current, *(r for r in Rule if r is not current)]
    outcome = {
        r: snap.results
        if r is current
        else compute_results(snap.settings, snap.performers, snap.scores, snap.judges, rule=r)
        for r in rules
    }
    place = positions(snap)
    names = {p.performer_id: p.name for p in snap.performers}
    ids = [r.performer_id for r in snap.results]
    out = pd.DataFrame({"Performer": [names.get(pid, pid) for pid in ids]})
    label = {r: RULE_LABEL[r] + (" (event's rule)" if r is current else "") for r in rules}
    for r in rules:
        ranks = {x.performer_id: x.rank for x in outcome[r]}
        out[label[r]] = pd.array([ranks.get(pid) for pid in ids], dtype="Int64")
    ranks = out[[label[r] for r in rules]]
    out["Rank spread"] = (ranks.max(axis=1) - ranks.min(axis=1)).astype("Int64")
    for r in rules:
        totals = {x.performer_id: x.total for x in outcome[r]}
        out[f"{RULE_LABEL[r]} total"] = [_float(totals.get(pid)) for pid in ids]
    first = out[label[current]].astype("Float64").fillna(np.inf).to_numpy(float)
    order = np.lexsort(([place.get(pid, 0) for pid in ids], first))
    return out.iloc[order].reset_index(drop=True)


# ---- submission timing -----------------------------------------------------------------------------


def openings_key(snap: Snapshot) -> tuple:
    """Changes whenever a scoring window may have opened: when to read the log again."""
    statuses = [p.status for p in snap.performers]
    opened = sum(s in (PerformerStatus.SCORING, PerformerStatus.DONE) for s in statuses)
    return (snap.event_id, opened, statuses.count(PerformerStatus.SKIPPED))


def openings_from_log(entries: Iterable[LogEntry]) -> dict[str, float]:
    """performer_id -> when its scoring window opened (its first `scoring_opened` entry)."""
    out: dict[str, float] = {}
    for e in entries:
        if e.kind == "scoring_opened":
            pid = e.payload().get("performer_id")
            if isinstance(pid, str) and e.ts < out.get(pid, float("inf")):
                out[pid] = e.ts
    return out


def openings_estimated(snap: Snapshot) -> dict[str, float]:
    """Without the log: the window on stage opened at window_started_at; the others about at
    performance start + performance time (late by any pause during the performance)."""
    out = {
        p.performer_id: p.started_at + snap.settings.perform_seconds
        for p in snap.performers
        if p.started_at is not None
    }
    pid = snap.state.performer_id
    if pid and snap.state.phase is Phase.SCORING and snap.state.window_started_at is not None:
        out[pid] = snap.state.window_started_at
    return out


def timing_frame(analysis: Analysis, openings: Mapping[str, float]) -> pd.DataFrame:
    """Seconds from each score's window opening to its first and to its latest submission."""
    s = analysis.scores
    opened = s["performer_id"].map(openings).astype(float)
    out = s[["position", "performer", "judge_name", "revision"]].assign(
        first=s["first_submitted_at"] - opened, last=s["submitted_at"] - opened
    )
    return out[opened.notna().to_numpy()].reset_index(drop=True)


def timing_summary(timing: pd.DataFrame) -> pd.DataFrame:
    """Per judge, over every score with a known window opening."""
    g = timing.groupby("judge_name")
    out = pd.DataFrame(
        {
            "Scores": g.size(),
            "Median s to first": g["first"].median(),
            "Median s to last": g["last"].median(),
            "Latest s": g["last"].max(),
            "Revised": (timing["revision"] > 1).groupby(timing["judge_name"]).sum(),
        }
    )
    return out.rename_axis("Judge").reset_index()


# ---- charts -----------------------------------------------------------------------------------------


def _recent(frame: pd.DataFrame, judges: int, limit: int) -> pd.DataFrame:
    """Rows of the latest `limit` performers (fewer when so many judges would pass MAX_POINTS)."""
    limit = max(1, min(limit, MAX_POINTS // max(1, judges)))
    latest = np.sort(frame["position"].unique())[-limit:]
    return frame[frame["position"].isin(latest).to_numpy()]


def _height(rows: int, per_row: int = 24) -> int:
    return max(120, per_row * max(1, rows))


def scores_by_judge_chart(analysis: Analysis, limit: int = RECENT) -> alt.LayerChart:
    """A row per performer (the latest `limit` with scores), a dot per judge, a black tick at the total
    (unless the rule is the sum, which is off the judges' scale)."""
    data = _recent(analysis.scores, len(analysis.judges), limit)
    data = data[["position", "performer", "judge_name", "value"]]
    p = analysis.performers
    shown = p["position"].isin(data["position"].unique()).to_numpy() & p["total"].notna().to_numpy()
    totals = p[shown & analysis.total_is_score]
    totals = totals[["position", "performer", "total"]]
    x_scale = alt.Scale(domain=list(analysis.score_range))
    y = alt.Y("performer:N", title=None, sort=alt.EncodingSortField("position", order="ascending"))
    who = alt.Tooltip("performer:N", title="Performer")
    dots = (
        alt.Chart(data)
        .mark_circle(size=70, opacity=0.8)
        .encode(
            x=alt.X("value:Q", title="Score", scale=x_scale),
            y=y,
            color=alt.Color("judge_name:N", title="Judge", scale=alt.Scale(scheme="tableau20")),
            tooltip=[who, alt.Tooltip("judge_name:N", title="Judge"), alt.Tooltip("value:Q", title="Score")],
        )
    )
    ticks = (
        alt.Chart(totals)
        .mark_tick(color="black", thickness=2, size=18)
        .encode(
            x=alt.X("total:Q", scale=x_scale),
            y=y,
            tooltip=[who, alt.Tooltip("total:Q", title="Total", format=".2f")],
        )
    )
    return alt.layer(dots, ticks).properties(height=_height(data["position"].nunique()))


def distribution_chart(analysis: Analysis) -> alt.LayerChart:
    """A box per judge: whiskers from lowest to highest score, box the middle half, white tick the median."""
    scale = alt.Scale(domain=list(analysis.score_range))
    stats = ("min", "q1", "median", "q3", "max", "mean")
    base = alt.Chart(analysis.distribution).encode(
        y=alt.Y("judge_name:N", title=None, sort="ascending"),
        tooltip=[
            alt.Tooltip("judge_name:N", title="Judge"),
            alt.Tooltip("count:Q", title="Scores"),
            *(alt.Tooltip(f"{c}:Q", title=c, format=".2f") for c in stats),
        ],
    )
    whisker = base.mark_rule().encode(x=alt.X("min:Q", title="Score", scale=scale), x2="max:Q")
    box = base.mark_bar(size=14).encode(x=alt.X("q1:Q", scale=scale), x2="q3:Q")
    median = base.mark_tick(color="white", thickness=2, size=14).encode(x=alt.X("median:Q", scale=scale))
    return alt.layer(whisker, box, median).properties(height=_height(len(analysis.distribution)))


def deviation_chart(analysis: Analysis, threshold: float) -> alt.LayerChart:
    """Each judge's mean gap to the rest of the panel; the bars past ±threshold in red."""
    d = analysis.deviation
    data = d[["judge_name", "deviation", "performers"]].assign(over=d["deviation"].abs() > threshold)
    reach = max(threshold, float(data["deviation"].abs().max()) if len(data) else 0.0) * 1.1 or 1.0
    scale = alt.Scale(domain=[-reach, reach])
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "deviation:Q", title="Mean points above (+) or below (−) the rest of the panel", scale=scale
            ),
            y=alt.Y("judge_name:N", title=None, sort="ascending"),
            color=alt.condition(alt.datum.over, alt.value("#d62728"), alt.value("#4c78a8")),
            tooltip=[
                alt.Tooltip("judge_name:N", title="Judge"),
                alt.Tooltip("deviation:Q", title="Deviation", format="+.2f"),
                alt.Tooltip("performers:Q", title="Performers compared"),
            ],
        )
    )
    limits = (
        alt.Chart(pd.DataFrame({"at": [-threshold, threshold]}))
        .mark_rule(strokeDash=[4, 4], color="gray")
        .encode(x=alt.X("at:Q", scale=scale))
    )
    return alt.layer(bars, limits).properties(height=_height(len(data)))


def timing_chart(
    timing: pd.DataFrame, judges: int, window_seconds: float, limit: int = RECENT
) -> alt.LayerChart:
    """For the latest performers: a dot when each judge first submitted, a line on to its latest
    revision; the dashed line is the window's planned length."""
    data = _recent(timing, judges, limit)[["performer", "judge_name", "revision", "first", "last"]]
    tooltip = [
        alt.Tooltip("performer:N", title="Performer"),
        alt.Tooltip("judge_name:N", title="Judge"),
        alt.Tooltip("first:Q", title="First (s)", format=".1f"),
        alt.Tooltip("last:Q", title="Latest (s)", format=".1f"),
        alt.Tooltip("revision:Q", title="Revision"),
    ]
    base = alt.Chart(data).encode(
        x=alt.X("first:Q", title="Seconds after scoring opened"),
        y=alt.Y("judge_name:N", title=None, sort="ascending"),
        tooltip=tooltip,
    )
    revised = base.transform_filter(alt.datum.revision > 1).mark_rule(opacity=0.5).encode(x2="last:Q")
    dots = base.mark_circle(size=50, opacity=0.6)
    window = (
        alt.Chart(pd.DataFrame({"at": [float(window_seconds)]}))
        .mark_rule(strokeDash=[4, 4], color="gray")
        .encode(x="at:Q")
    )
    return alt.layer(revised, dots, window).properties(height=_height(data["judge_name"].nunique()))


def ranking_chart(analysis: Analysis) -> alt.Chart:
    """The rank of the current top performers after each performer done; rank 1 at the top."""
    return (
        alt.Chart(analysis.ranking)
        .mark_line(interpolate="step-after", point=True)
        .encode(
            x=alt.X("step:Q", title="Performers done", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y(
                "rank:Q",
                title="Rank",
                scale=alt.Scale(reverse=True, zero=False, domainMin=1),
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            color=alt.Color("performer:N", title="Performer", sort=None, scale=alt.Scale(scheme="tableau10")),
            tooltip=[
                alt.Tooltip("performer:N", title="Performer"),
                alt.Tooltip("rank:Q", title="Rank"),
                alt.Tooltip("after:N", title="After"),
                alt.Tooltip("step:Q", title="Performers done"),
            ],
        )
        .properties(height=320)
    )
