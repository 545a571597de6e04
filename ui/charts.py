"""Altair charts for the admin's Scores & analytics page, drawn from engine/analytics/analysis.py's frames.

Only drawing here: what is counted and ranked is engine's. Names people typed stay data values.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from engine.analytics.analysis import Analysis
from engine.domain.messages import N_
from ui.i18n import _

RECENT = 30  # performers in the per-score charts
MAX_POINTS = 4000  # per chart: browsers stay quick, and Altair's own limit is 5,000 rows
# Okabe and Ito's eight colours, told apart with any colour vision (Vega's tableau schemes pair reds and
# greens); the judges' and performers' marks differ by shape too, so no chart tells them by colour alone.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "triangle-right", "wedge"]
WITHIN, PAST = "#0072B2", "#D55E00"  # a judge's mean gap within the threshold, and past it
# The distribution's columns and the words its tooltip says for them.
STATS = {"min": N_("Lowest"), "q1": N_("Lower quartile"), "median": N_("Median"),
         "q3": N_("Upper quartile"), "max": N_("Highest"), "mean": N_("Mean")}  # fmt: skip


def _recent(frame: pd.DataFrame, judges: int, limit: int) -> pd.DataFrame:
    """Rows of the latest `limit` performers (fewer when so many judges would pass MAX_POINTS)."""
    limit = max(1, min(limit, MAX_POINTS // max(1, judges)))
    latest = np.sort(frame["position"].unique())[-limit:]
    return frame[frame["position"].isin(latest).to_numpy()]


def _rows(**columns: list) -> alt.InlineData:
    """A few constant rows (a threshold line, say) as inline values: no DataFrame to convert."""
    return alt.InlineData(
        values=[dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)]
    )


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
    who = alt.Tooltip("performer:N", title=_("Performer"))
    dots = (
        alt.Chart(data)
        .mark_point(size=70, opacity=0.85, filled=True)
        .encode(
            x=alt.X("value:Q", title=_("Judge's score"), scale=x_scale),
            y=y,
            color=alt.Color("judge_name:N", title=_("Judge"), scale=alt.Scale(range=PALETTE)),
            shape=alt.Shape("judge_name:N", title=_("Judge"), scale=alt.Scale(range=SHAPES)),
            tooltip=[
                who,
                alt.Tooltip("judge_name:N", title=_("Judge")),
                alt.Tooltip("value:Q", title=_("Judge's score")),
            ],
        )
    )
    ticks = (
        alt.Chart(totals)
        .mark_tick(color="black", thickness=2, size=18)
        .encode(
            x=alt.X("total:Q", scale=x_scale),
            y=y,
            tooltip=[who, alt.Tooltip("total:Q", title=_("Total"), format=".2f")],
        )
    )
    return alt.layer(dots, ticks).properties(height=_height(data["position"].nunique()))


def distribution_chart(analysis: Analysis) -> alt.LayerChart:
    """A box per judge: whiskers from lowest to highest score, box the middle half, white tick the median."""
    scale = alt.Scale(domain=list(analysis.score_range))
    base = alt.Chart().encode(
        y=alt.Y("judge_name:N", title=None, sort="ascending"),
        tooltip=[
            alt.Tooltip("judge_name:N", title=_("Judge")),
            alt.Tooltip("count:Q", title=_("Scores")),
            *(alt.Tooltip(f"{c}:Q", title=_(word), format=".2f") for c, word in STATS.items()),
        ],
    )
    whisker = base.mark_rule().encode(
        x=alt.X("min:Q", title=_("Judge's score"), scale=scale), x2=alt.X2("max:Q")
    )
    box = base.mark_bar(size=14).encode(x=alt.X("q1:Q", scale=scale), x2=alt.X2("q3:Q"))
    median = base.mark_tick(color="white", thickness=2, size=14).encode(x=alt.X("median:Q", scale=scale))
    layers = alt.layer(whisker, box, median, data=analysis.distribution)
    return layers.properties(height=_height(len(analysis.distribution)))


def deviation_chart(analysis: Analysis, threshold: float) -> alt.LayerChart:
    """Each judge's mean gap to the rest of the panel; the bars past ±threshold (the dashed lines) in
    vermilion, the others in blue."""
    d = analysis.deviation
    data = d[["judge_name", "deviation", "performers"]].assign(over=d["deviation"].abs() > threshold)
    reach = max(threshold, float(data["deviation"].abs().max()) if len(data) else 0.0) * 1.1 or 1.0
    scale = alt.Scale(domain=[-reach, reach])
    bars = (
        alt.Chart(data)
        .mark_bar()
        .encode(
            x=alt.X(
                "deviation:Q",
                title=_("Mean points above (+) or below (−) the rest of the panel"),
                scale=scale,
            ),
            y=alt.Y("judge_name:N", title=None, sort="ascending"),
            color=alt.ColorValue(WITHIN, condition={"test": "datum.over", "value": PAST}),
            tooltip=[
                alt.Tooltip("judge_name:N", title=_("Judge")),
                alt.Tooltip("deviation:Q", title=_("Deviation"), format="+.2f"),
                alt.Tooltip("performers:Q", title=_("Performers compared")),
            ],
        )
    )
    limits = (
        alt.Chart(_rows(at=[-float(threshold), float(threshold)]))
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
        alt.Tooltip("performer:N", title=_("Performer")),
        alt.Tooltip("judge_name:N", title=_("Judge")),
        alt.Tooltip("first:Q", title=_("First (s)"), format=".1f"),
        alt.Tooltip("last:Q", title=_("Latest (s)"), format=".1f"),
        alt.Tooltip("revision:Q", title=_("Revision")),
    ]
    base = alt.Chart().encode(
        x=alt.X("first:Q", title=_("Seconds after scoring opened")),
        y=alt.Y("judge_name:N", title=None, sort="ascending"),
        tooltip=tooltip,
    )
    revised = base.transform_filter(alt.datum.revision > 1).mark_rule(opacity=0.5).encode(x2=alt.X2("last:Q"))
    dots = base.mark_circle(size=50, opacity=0.6)
    window = (
        alt.Chart(_rows(at=[float(window_seconds)]))
        .mark_rule(strokeDash=[4, 4], color="gray")
        .encode(x=alt.X("at:Q"))
    )
    layers = alt.layer(revised, dots, window, data=data)  # the window rule keeps its own row
    return layers.properties(height=_height(data["judge_name"].nunique()))


def ranking_chart(analysis: Analysis) -> alt.Chart:
    """The rank of the current top performers after each performer done; rank 1 at the top."""
    return (
        alt.Chart(analysis.ranking)
        .mark_line(interpolate="step-after", point=alt.OverlayMarkDef(filled=True, size=60))
        .encode(
            x=alt.X("step:Q", title=_("Performers done"), axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y(
                "rank:Q",
                title=_("Rank"),
                scale=alt.Scale(reverse=True, zero=False, domainMin=1),
                axis=alt.Axis(tickMinStep=1, format="d"),
            ),
            color=alt.Color("performer:N", title=_("Performer"), sort=None, scale=alt.Scale(range=PALETTE)),
            shape=alt.Shape("performer:N", title=_("Performer"), sort=None, scale=alt.Scale(range=SHAPES)),
            tooltip=[
                alt.Tooltip("performer:N", title=_("Performer")),
                alt.Tooltip("rank:Q", title=_("Rank")),
                alt.Tooltip("after:N", title=_("After")),
                alt.Tooltip("step:Q", title=_("Performers done")),
            ],
        )
        .properties(height=320)
    )
