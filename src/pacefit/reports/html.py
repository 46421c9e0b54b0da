"""A self-contained HTML report: a pace-over-distance chart with the target bands, and the table.

No scripts, no network: inline SVG and CSS only, so it opens anywhere and can be mailed.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pacefit.core import units
from pacefit.core.activity import Sample
from pacefit.core.score import Analysis, StepResult, Verdict
from pacefit.core.units import DistanceUnit
from pacefit.reports.data import analysis_data, format_deviation

Scale = Callable[[float], float]

WIDTH, HEIGHT = 900, 340
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 60, 20, 30, 40
MAX_POINTS = 1500
SMOOTHING_S = 10.0
VERDICT_COLOURS = {
    Verdict.ON_TARGET: "#2e9d5b",
    Verdict.FAST: "#d98c1f",
    Verdict.SLOW: "#3572c6",
    Verdict.SHORT: "#b23b3b",
    Verdict.SKIPPED: "#888888",
    Verdict.DONE: "#bbbbbb",
}


def render_html(analysis: Analysis, *, unit: DistanceUnit = DistanceUnit.KM) -> str:
    data = analysis_data(analysis)
    score = "n/a" if analysis.score is None else f"{analysis.score:.0f}"
    title = html.escape(f"{analysis.workout.name} — pacing report")
    evidence = html.escape(analysis.alignment.evidence.description)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 15px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 960px; }}
h1 {{ font-size: 22px; margin: 0 0 4px; }} h2 {{ font-size: 17px; margin-top: 24px; }}
.meta {{ color: #666; margin-bottom: 16px; }}
.score {{ font-size: 40px; font-weight: 700; float: right; }}
.score small {{ font-size: 16px; color: #666; }}
table {{ border-collapse: collapse; width: 100%; margin-top: 16px; }}
th, td {{ padding: 4px 8px; border-bottom: 1px solid #e4e4e4; text-align: right; }}
th:nth-child(2), td:nth-child(2), td:last-child, th:last-child {{ text-align: left; }}
.verdict {{ display: inline-block; padding: 0 8px; border-radius: 9px; color: white; }}
svg text {{ font-size: 11px; fill: #555; }}
</style></head><body>
<div class="score">{score}<small>/100</small></div>
<h1>{title}</h1>
<div class="meta">{html.escape(str(data["activity"]["source"]))} ·
{data["activity"]["distance_m"] / 1000:.2f} km ·
timer {units.format_clock(analysis.activity.timer_s)} · aligned by {evidence}</div>
{_chart(analysis, unit)}
{_table(analysis, unit)}
{_repeats(analysis, unit)}
</body></html>
"""


def _chart(analysis: Analysis, unit: DistanceUnit) -> str:
    samples = analysis.activity.samples
    origin_m = samples[0].distance_m
    total_m = max(samples[-1].distance_m - origin_m, 1.0)
    paces = _smoothed_paces(analysis)
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
    for result in analysis.steps:
        parts.append(_band(result, samples, x, y))
    points = " ".join(f"{x(d):.1f},{y(p):.1f}" for d, p in paces)
    parts.append(f'<polyline points="{points}" fill="none" stroke="#222" stroke-width="1.3"/>')
    parts += _axes(fastest=fastest, slowest=slowest, total_m=total_m, unit=unit, y=y)
    parts.append("</svg>")
    return "\n".join(parts)


def _band(result: StepResult, samples: tuple[Sample, ...], x: Scale, y: Scale) -> str:
    target = result.target
    if target is None or result.start_elapsed_s is None:
        return ""
    start_m, end_m = _window_distances(result, samples)
    colour = VERDICT_COLOURS[result.verdict]
    top, bottom = y(target.fast_s_per_km), y(target.slow_s_per_km)
    label = html.escape(f"{result.number}: {result.verdict.value}")
    return (
        f'<rect x="{x(start_m):.1f}" y="{top:.1f}" width="{max(x(end_m) - x(start_m), 1):.1f}" '
        f'height="{max(bottom - top, 2):.1f}" fill="{colour}" fill-opacity="0.35">'
        f"<title>{label}</title></rect>"
    )


def _window_distances(result: StepResult, samples: tuple[Sample, ...]) -> tuple[float, float]:
    start = next(s.distance_m for s in samples if s.elapsed_s >= (result.start_elapsed_s or 0))
    return start, start + result.distance_m


def _smoothed_paces(analysis: Analysis) -> list[tuple[float, float]]:
    """(distance, pace) over a trailing window, thinned to at most MAX_POINTS points."""
    samples = analysis.activity.samples
    step = max(1, len(samples) // MAX_POINTS)
    result = []
    start = 0
    for index in range(0, len(samples), step):
        sample = samples[index]
        while sample.timer_s - samples[start].timer_s > SMOOTHING_S:
            start += 1
        time_s = sample.timer_s - samples[start].timer_s
        distance_m = sample.distance_m - samples[start].distance_m
        if time_s > 0 and distance_m > 0:
            result.append((sample.distance_m, 1000 * time_s / distance_m))
    return result


def _axes(
    *, fastest: float, slowest: float, total_m: float, unit: DistanceUnit, y: Scale
) -> list[str]:
    parts = []
    step_s = 30 if slowest - fastest < 240 else 60
    pace = (int(fastest) // step_s + 1) * step_s
    while pace < slowest:
        shown = units.format_clock(pace * unit.metres / 1000)
        parts.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y(pace):.1f}" '
            f'y2="{y(pace):.1f}" stroke="#eee"/>'
        )
        parts.append(
            f'<text x="{MARGIN_LEFT - 6}" y="{y(pace) + 4:.1f}" text-anchor="end">{shown}</text>'
        )
        pace += step_s
    origin = MARGIN_LEFT
    total_units = total_m / unit.metres
    tick = 1 if total_units < 15 else 5
    value = 0
    while value <= total_units:
        px = origin + value / total_units * (WIDTH - MARGIN_LEFT - MARGIN_RIGHT)
        label_y = HEIGHT - MARGIN_BOTTOM + 16
        parts.append(f'<text x="{px:.1f}" y="{label_y}" text-anchor="middle">{value}</text>')
        value += tick
    title_y = HEIGHT - 6
    parts.append(
        f'<text x="{WIDTH / 2}" y="{title_y}" text-anchor="middle">distance ({unit.value})</text>'
    )
    parts.append(f'<text x="12" y="14">pace /{unit.value}</text>')
    return parts


def _table(analysis: Analysis, unit: DistanceUnit) -> str:
    rows = []
    for step in analysis_data(analysis)["steps"]:
        verdict = Verdict(step["verdict"])
        colour = VERDICT_COLOURS[verdict]
        fast, slow = step["target_fast_s_per_km"], step["target_slow_s_per_km"]
        target = f"{_pace(fast, unit)}-{_pace(slow, unit)}" if fast else "open"
        in_band = f"{step['time_in_band_pct']:.0f}%" if step["time_in_band_pct"] is not None else ""
        deviation = format_deviation(step["deviation_s_per_km"], unit)
        verdict_text = verdict.value
        if verdict is Verdict.SHORT:
            verdict_text += f" ({step['completed_pct']:.0f}%)"
        rows.append(
            f"<tr><td>{step['number']}</td><td>{html.escape(step['name'])}</td>"
            f"<td>{html.escape(step['planned'])}</td><td>{target}</td>"
            f"<td>{_pace(step['avg_pace_s_per_km'], unit)}</td><td>{deviation}</td>"
            f'<td>{in_band}</td><td><span class="verdict" style="background:{colour}">'
            f"{verdict_text}</span></td></tr>"
        )
    header = (
        f"<tr><th>#</th><th>step</th><th>planned</th><th>target /{unit.value}</th>"
        f"<th>actual /{unit.value}</th><th>dev s/{unit.value}</th><th>in band</th>"
        "<th>verdict</th></tr>"
    )
    return f"<table>{header}{''.join(rows)}</table>"


def _repeats(analysis: Analysis, unit: DistanceUnit) -> str:
    per_unit = unit.metres / 1000
    items = []
    for repeat in analysis.repeats:
        paces = " · ".join(_pace(p, unit) for p in repeat.avg_paces_s_per_km)
        items.append(
            f"<li><b>{html.escape(repeat.label)}</b>: {paces} /{unit.value}; consistency "
            f"±{repeat.consistency_s_per_km * per_unit:.1f} s/{unit.value}, "
            f"fade {repeat.fade_s_per_km * per_unit:+.1f} s/{unit.value} "
            "(last reps against the first)</li>"
        )
    return f"<h2>Repeats</h2><ul>{''.join(items)}</ul>" if items else ""


def _pace(pace_s_per_km: float | None, unit: DistanceUnit) -> str:
    return "-" if pace_s_per_km is None else units.format_clock(pace_s_per_km * unit.metres / 1000)


def render_review_html(data: dict[str, Any], *, title: str) -> str:
    """The plan review as a page: one row per week, then one per session."""
    week_rows = "".join(
        f"<tr><td>W{w['week']:02d}</td><td>{w['monday']}</td><td>{w['planned']}</td>"
        f"<td>{w['done']}</td><td>{w['missed']}</td>"
        f"<td>{'' if w['mean_score'] is None else round(w['mean_score'])}</td></tr>"
        for w in data["weeks"]
    )
    session_rows = "".join(
        f"<tr><td>{s['date']}</td><td>{html.escape(Path(s['workout']).stem)}</td>"
        f"<td>{html.escape(s['status'])}</td>"
        f"<td>{'' if s['score'] is None else round(s['score'])}</td>"
        f"<td>{html.escape(Path(s['run']).name) if s['run'] else ''}</td></tr>"
        for s in data["sessions"]
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font: 15px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 960px; }}
table {{ border-collapse: collapse; margin: 12px 0 28px; }}
th, td {{ padding: 3px 10px; border-bottom: 1px solid #e4e4e4; text-align: left; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<table><tr><th>week</th><th>from</th><th>planned</th><th>done</th><th>missed</th><th>score</th></tr>
{week_rows}</table>
<table><tr><th>date</th><th>workout</th><th>status</th><th>score</th><th>run</th></tr>
{session_rows}</table>
</body></html>
"""
