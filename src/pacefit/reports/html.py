"""Self-contained HTML pages: the analysis of a run (pace chart with the target bands, and the
table) and the review of a plan. No scripts, no network: inline SVG and CSS only, so a page opens
anywhere and can be mailed. Everything is shown in the runner's unit.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from pacefit.core import units
from pacefit.core.activity import Activity
from pacefit.core.describe import describe_duration, describe_target, executed_label
from pacefit.core.score import Analysis, StepResult, Verdict
from pacefit.core.units import DistanceUnit
from pacefit.reports.text import lap_mapping, local_start, verdict_text

if TYPE_CHECKING:
    from pacefit.jobs.review import Review

Scale = Callable[[float], float]

WIDTH, HEIGHT = 900, 340
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 60, 20, 30, 40
MAX_POINTS = 1500
MIN_SMOOTHING_S = 20.0
SMOOTHING_SHARE = 1 / 150  # of the run: a line a runner can read, not GPS jitter
VERDICT_COLOURS = {
    Verdict.ON_TARGET: "#2e9d5b",
    Verdict.FAST: "#d98c1f",
    Verdict.SLOW: "#3572c6",
    Verdict.SHORT: "#b23b3b",
    Verdict.SKIPPED: "#888888",
    Verdict.DONE: "#bbbbbb",
}
STYLE = """
body { font: 15px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 960px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin-top: 24px; }
.meta { color: #666; margin-bottom: 16px; }
.score { font-size: 40px; font-weight: 700; float: right; }
.score small { font-size: 16px; color: #666; }
table { border-collapse: collapse; width: 100%; margin: 16px 0 28px; }
th, td { padding: 4px 8px; border-bottom: 1px solid #e4e4e4; text-align: right; }
th.text, td.text { text-align: left; }
.verdict { display: inline-block; padding: 0 8px; border-radius: 9px; color: white; }
svg text { font-size: 11px; fill: #555; }
"""


def page(title: str, body: str) -> str:
    """The one page skeleton every report uses."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style></head><body>\n"
        f"{body}\n</body></html>\n"
    )


def table(header: list[str], rows: list[list[str]], *, text_columns: set[int]) -> str:
    """An HTML table; cells are HTML already (escape them first), `text_columns` align left."""

    def cells(tag: str, values: list[str]) -> str:
        return "".join(
            f"<{tag}{' class=text' if i in text_columns else ''}>{value}</{tag}>"
            for i, value in enumerate(values)
        )

    body = "".join(f"<tr>{cells('td', row)}</tr>" for row in rows)
    return f"<table><tr>{cells('th', header)}</tr>{body}</table>"


# -- analysis -----------------------------------------------------------------------------------


def render_analysis_html(analysis: Analysis, *, unit: DistanceUnit = DistanceUnit.KM) -> str:
    activity = analysis.activity
    score = "n/a" if analysis.score is None else f"{analysis.score:.0f}"
    title = f"{analysis.workout.name} — pacing report"
    meta = " · ".join(
        [
            html.escape(Path(activity.source).name),
            html.escape(local_start(activity)),
            units.format_distance_in(activity.distance_m, unit),
            f"timer {units.format_clock(activity.timer_s)}",
            f"aligned by {html.escape(analysis.alignment.evidence.description)}",
        ]
    )
    evidence = [lap_mapping(analysis), *(f"note: {n}" for n in analysis.alignment.notes)]
    evidence_html = "".join(f'<div class="meta">{html.escape(e)}</div>' for e in evidence if e)
    body = (
        f'<div class="score">{score}<small>/100</small></div>\n'
        f'<h1>{html.escape(title)}</h1>\n<div class="meta">{meta}</div>\n{evidence_html}\n'
        f"{_chart(analysis, unit)}\n{_steps_table(analysis, unit)}\n{_repeats(analysis, unit)}"
    )
    return page(title, body)


def _steps_table(analysis: Analysis, unit: DistanceUnit) -> str:
    rows = []
    for result in analysis.steps:
        colour = VERDICT_COLOURS[result.verdict]
        in_band = (
            f"{100 * result.time_in_band_fraction:.0f}%"
            if result.time_in_band_fraction is not None
            else ""
        )
        rows.append(
            [
                str(result.number),
                html.escape(executed_label(result.executed)),
                html.escape(describe_duration(result.step.duration)),
                html.escape(describe_target(result.target, unit)) if result.target else "open",
                units.format_pace_clock(result.avg_pace_s_per_km, unit),
                html.escape(result.pace_source or ""),
                units.format_deviation(result.deviation_s_per_km, unit),
                in_band,
                f'<span class="verdict" style="background:{colour}">'
                f"{html.escape(verdict_text(result))}</span>",
            ]
        )
    header = [
        "#",
        "step",
        "planned",
        f"target /{unit.value}",
        f"actual /{unit.value}",
        "from",
        f"dev s/{unit.value}",
        "in band",
        "verdict",
    ]
    return table(header, rows, text_columns={1, 5, 8})


def _repeats(analysis: Analysis, unit: DistanceUnit) -> str:
    items = []
    for repeat in analysis.repeats:
        paces = " · ".join(units.format_pace_clock(p, unit) for p in repeat.avg_paces_s_per_km)
        items.append(
            f"<li><b>{html.escape(repeat.label)}</b>: {paces} /{unit.value}; consistency "
            f"±{units.per_unit(repeat.consistency_s_per_km, unit):.1f} s/{unit.value}, "
            f"fade {units.per_unit(repeat.fade_s_per_km, unit):+.1f} s/{unit.value} "
            "(last reps against the first)</li>"
        )
    return f"<h2>Repeats</h2><ul>{''.join(items)}</ul>" if items else ""


def _chart(analysis: Analysis, unit: DistanceUnit) -> str:
    activity = analysis.activity
    distance = activity.track.distance_m
    origin_m = distance[0]
    total_m = max(distance[-1] - origin_m, 1.0)
    paces = _smoothed_paces(activity)
    targets = [r.target for r in analysis.steps if r.target is not None]
    fastest = min([t.fast_s_per_km for t in targets] + [p for _, p in paces] or [200.0]) - 10
    slowest = max([t.slow_s_per_km for t in targets] or [400.0]) + 60
    plot_w = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

    def x(distance_m: float) -> float:
        return MARGIN_LEFT + (distance_m - origin_m) / total_m * plot_w

    def y(pace_s_per_km: float) -> float:  # faster is higher
        clamped = min(max(pace_s_per_km, fastest), slowest)
        return MARGIN_TOP + (clamped - fastest) / (slowest - fastest) * plot_h

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" '
        'aria-label="pace over distance with target bands">'
    ]
    parts += [_band(result, activity, x, y) for result in analysis.steps]
    points = " ".join(f"{x(d):.1f},{y(p):.1f}" for d, p in paces)
    parts.append(f'<polyline points="{points}" fill="none" stroke="#222" stroke-width="1.3"/>')
    parts += _axes(fastest=fastest, slowest=slowest, total_m=total_m, unit=unit, y=y)
    parts.append("</svg>")
    return "\n".join(parts)


def _band(result: StepResult, activity: Activity, x: Scale, y: Scale) -> str:
    target = result.target
    if target is None or result.start_elapsed_s is None:
        return ""
    track = activity.track
    start_m = track.distance_m[track.index_at_elapsed(result.start_elapsed_s)]
    end_m = start_m + result.distance_m
    top, bottom = y(target.fast_s_per_km), y(target.slow_s_per_km)
    label = html.escape(f"{result.number}: {verdict_text(result)}")
    return (
        f'<rect x="{x(start_m):.1f}" y="{top:.1f}" width="{max(x(end_m) - x(start_m), 1):.1f}" '
        f'height="{max(bottom - top, 2):.1f}" fill="{VERDICT_COLOURS[result.verdict]}" '
        f'fill-opacity="0.35"><title>{label}</title></rect>'
    )


def _smoothed_paces(activity: Activity) -> list[tuple[float, float]]:
    """(distance, pace) over a trailing window, thinned to at most MAX_POINTS points."""
    timer, distance = activity.track.timer_s, activity.track.distance_m
    step = max(1, len(timer) // MAX_POINTS)
    window_s = max(MIN_SMOOTHING_S, SMOOTHING_SHARE * (timer[-1] - timer[0]))
    result = []
    start = 0
    for index in range(0, len(timer), step):
        while timer[index] - timer[start] > window_s:
            start += 1
        time_s = timer[index] - timer[start]
        distance_m = distance[index] - distance[start]
        if time_s > 0 and distance_m > 0:
            result.append((distance[index], 1000 * time_s / distance_m))
    return result


def _axes(
    *, fastest: float, slowest: float, total_m: float, unit: DistanceUnit, y: Scale
) -> list[str]:
    parts = []
    # gridlines every 30 s (or 60 s) of the runner's own unit
    step_s = 30 if units.per_unit(slowest - fastest, unit) < 240 else 60
    shown_s = (int(units.per_unit(fastest, unit)) // step_s + 1) * step_s
    while (pace := shown_s / units.per_unit(1.0, unit)) < slowest:
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y(pace):.1f}" '
            f'y2="{y(pace):.1f}" stroke="#eee"/>'
        )
        parts.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{y(pace) + 4:.1f}" text-anchor="end">'
            f"{units.format_clock(shown_s)}</text>"
        )
        shown_s += step_s
    total_units = total_m / unit.metres
    tick = 1 if total_units < 15 else 5
    value = 0
    while value <= total_units:
        px = MARGIN_LEFT + value / total_units * (WIDTH - MARGIN_LEFT - MARGIN_RIGHT)
        parts.append(
            f'<text x="{px:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 16}" text-anchor="middle">'
            f"{value}</text>"
        )
        value += tick
    parts.append(
        f'<text x="{WIDTH / 2}" y="{HEIGHT - 6}" text-anchor="middle">distance ({unit.value})'
        "</text>"
    )
    parts.append(f'<text x="12" y="14">pace /{unit.value}</text>')
    return parts


# -- review -------------------------------------------------------------------------------------


def render_review_html(review: Review) -> str:
    """The plan review as a page: one row per week, then one per session."""
    week_rows = [
        [
            f"W{w.week:02d}",
            str(w.monday),
            str(w.planned),
            str(w.done),
            str(w.missed),
            "" if w.mean_score is None else f"{w.mean_score:.0f}",
        ]
        for w in review.weeks
    ]
    session_rows = []
    for item in review.sessions:
        score = item.result.score if item.result else None
        run = item.run.name if item.run else ""
        session_rows.append(
            [
                str(item.session.date),
                html.escape(item.session.spec.workout_path.stem),
                item.status,
                "" if score is None else f"{score:.0f}",
                html.escape(f"{run} ({item.note})" if item.note else run),
            ]
        )
    title = f"{review.name}: review"
    body = (
        f"<h1>{html.escape(title)}</h1>\n"
        + table(
            ["week", "from", "planned", "done", "missed", "score"],
            week_rows,
            text_columns={0, 1},
        )
        + table(
            ["date", "workout", "status", "score", "run"], session_rows, text_columns={0, 1, 2, 4}
        )
    )
    return page(title, body)
