"""The run page: what a runner sees of one run against its workout. `run_page` builds the typed
context the templates (`run.html` and its partials) render; `render_run_page` renders it as one
self-contained file. A web server renders the same template from the same context."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pacefit.core import units
from pacefit.core.describe import describe_duration, executed_label
from pacefit.core.figures import LapFigures, SpanFigures, ZoneTime
from pacefit.core.score import Analysis, RepeatSummary, StepResult, Verdict
from pacefit.core.units import DistanceUnit, PaceRange
from pacefit.core.workout import DistanceDuration, PaceTarget, TimeDuration, planned_time_s
from pacefit.reports.pages import VERDICT_COLOURS, css_name, render
from pacefit.reports.route import Route, run_route
from pacefit.reports.series import Series, index_at, run_series
from pacefit.reports.text import lap_mapping, local_start, verdict_text

REP_BAR_MARGIN_S_PER_KM = 5.0


@dataclass(frozen=True)
class StepRow:
    number: int
    label: str
    work: bool
    planned: str  # as written: `3min`, `800m`, `lap`
    planned_time_s: float | None  # its time, or its distance at the middle of its band
    planned_distance_m: float | None  # its distance, or its time at the middle of its band
    target: PaceRange | None
    timer_s: float | None
    distance_m: float | None
    pace_s_per_km: float | None
    deviation_s_per_km: float | None
    time_in_band_pct: float | None
    figures: SpanFigures
    verdict: Verdict
    verdict_text: str
    laps: tuple[int, ...]
    planned_estimate: str = ""  # the other measure at the middle of the band: `0.80 km`, `3:25`


@dataclass(frozen=True)
class RepBar:
    """A rep's average pace against its band, on a scale shared by all reps (0-100 %, faster
    to the right)."""

    number: int
    label: str
    pace_s_per_km: float | None
    deviation_s_per_km: float | None
    verdict: Verdict
    verdict_text: str
    band_from_pct: float
    band_to_pct: float
    pace_pct: float | None
    band: PaceRange | None  # for the words read aloud


@dataclass(frozen=True)
class ZoneBar:
    zone: ZoneTime
    share_pct: float


@dataclass(frozen=True)
class RunPage:
    title: str
    workout_name: str
    source_name: str
    start: str
    unit: DistanceUnit
    distance_m: float
    timer_s: float
    avg_pace_s_per_km: float | None
    score: float | None
    work_score: float | None
    evidence: str
    lap_mapping: str
    notes: tuple[str, ...]
    figures: SpanFigures
    steps: tuple[StepRow, ...]
    laps: tuple[LapFigures, ...]
    reps: tuple[RepBar, ...]
    rep_scale: tuple[float, float]  # slow end, fast end of the rep bars (s/km)
    repeats: tuple[RepeatSummary, ...]
    zones: tuple[ZoneBar, ...]
    route: Route | None
    legend: tuple[tuple[str, str, str], ...]  # (css name, label, colour) of the verdicts shown
    chart: dict[str, Any]  # the JSON the chart script reads

    @property
    def elevation_unit(self) -> str:
        return units.elevation_unit(self.unit)


def run_page(
    analysis: Analysis, *, unit: DistanceUnit = DistanceUnit.KM, tile_url: str | None = None
) -> RunPage:
    activity = analysis.activity
    series = run_series(analysis)
    route = run_route(analysis, unit=unit, tile_url=tile_url)
    steps = tuple(_step_row(result, unit) for result in analysis.steps)
    reps, scale = _rep_bars(analysis.steps)
    shown = {r.verdict for r in analysis.steps if r.target is not None} or {Verdict.DONE}
    return RunPage(
        title=f"{analysis.workout.name}: {Path(activity.source).name}",
        workout_name=analysis.workout.name,
        source_name=Path(activity.source).name,
        start=local_start(activity),
        unit=unit,
        distance_m=activity.distance_m,
        timer_s=activity.timer_s,
        avg_pace_s_per_km=(
            1000 * activity.timer_s / activity.distance_m if activity.distance_m > 0 else None
        ),
        score=analysis.score,
        work_score=analysis.work_score,
        evidence=analysis.alignment.evidence.description,
        lap_mapping=lap_mapping(analysis),
        notes=analysis.alignment.notes,
        figures=analysis.figures,
        steps=steps,
        laps=analysis.laps,
        reps=reps,
        rep_scale=scale,
        repeats=analysis.repeats,
        zones=_zone_bars(analysis.hr_zones),
        route=route,
        legend=tuple((css_name(v), v.value, VERDICT_COLOURS[v]) for v in Verdict if v in shown),
        chart=_chart_data(analysis, series, route, unit),
    )


def render_run_page(
    analysis: Analysis, *, unit: DistanceUnit = DistanceUnit.KM, tile_url: str | None = None
) -> str:
    return render("run.html", page=run_page(analysis, unit=unit, tile_url=tile_url))


def _step_row(result: StepResult, unit: DistanceUnit) -> StepRow:
    step = result.step
    ran = result.verdict is not Verdict.SKIPPED or result.timer_s > 0
    return StepRow(
        number=result.number,
        label=executed_label(result.executed),
        work=result.work,
        planned=describe_duration(step.duration),
        planned_time_s=planned_time_s(step),
        planned_distance_m=planned_distance_m(result),
        target=result.target,
        timer_s=result.timer_s if ran else None,
        distance_m=result.distance_m if ran else None,
        pace_s_per_km=result.avg_pace_s_per_km,
        deviation_s_per_km=result.deviation_s_per_km,
        time_in_band_pct=(
            None if result.time_in_band_fraction is None else 100 * result.time_in_band_fraction
        ),
        figures=result.figures,
        verdict=result.verdict,
        verdict_text=verdict_text(result),
        laps=result.laps,
        planned_estimate=_planned_estimate(result, unit),
    )


def _planned_estimate(result: StepResult, unit: DistanceUnit) -> str:
    """What the plan does not say but its band implies: a timed step's distance, a measured
    step's time (at the middle of the band)."""
    duration = result.step.duration
    if isinstance(duration, TimeDuration):
        metres = planned_distance_m(result)
        return "" if metres is None else units.format_distance_in(metres, unit)
    if isinstance(duration, DistanceDuration):
        seconds = planned_time_s(result.step)
        return "" if seconds is None else units.format_clock(seconds)
    return ""


def planned_distance_m(result: StepResult) -> float | None:
    """The step's distance, or its time at the middle of its pace band; None when neither is
    known (an open step, or a time with no pace)."""
    duration = result.step.duration
    if isinstance(duration, DistanceDuration):
        return duration.distance_m
    target = result.target
    if isinstance(duration, TimeDuration) and target is not None:
        return 1000 * duration.duration_s / target.middle_s_per_km
    return None


def _rep_bars(results: tuple[StepResult, ...]) -> tuple[tuple[RepBar, ...], tuple[float, float]]:
    reps = [r for r in results if r.work and isinstance(r.target, PaceTarget)]
    if not reps:
        return (), (0.0, 0.0)
    values: list[float] = []
    for r in reps:
        assert r.target is not None
        values += [r.target.fast_s_per_km, r.target.slow_s_per_km]
        if r.avg_pace_s_per_km is not None:
            values.append(r.avg_pace_s_per_km)
    slow = max(values) + REP_BAR_MARGIN_S_PER_KM
    fast = min(values) - REP_BAR_MARGIN_S_PER_KM

    def pct(pace: float) -> float:
        return round(100 * (slow - pace) / (slow - fast), 2)

    bars = []
    for r in reps:
        assert r.target is not None
        bars.append(
            RepBar(
                number=r.number,
                label=executed_label(r.executed),
                pace_s_per_km=r.avg_pace_s_per_km,
                deviation_s_per_km=r.deviation_s_per_km,
                verdict=r.verdict,
                verdict_text=verdict_text(r),
                band_from_pct=pct(r.target.slow_s_per_km),
                band_to_pct=pct(r.target.fast_s_per_km),
                pace_pct=None if r.avg_pace_s_per_km is None else pct(r.avg_pace_s_per_km),
                band=r.target,
            )
        )
    return tuple(bars), (slow, fast)


def _zone_bars(zones: tuple[ZoneTime, ...]) -> tuple[ZoneBar, ...]:
    total = sum(z.time_s for z in zones)
    if not total:
        return ()
    return tuple(
        ZoneBar(zone, 100 * zone.time_s / total) for zone in zones if zone.zone or zone.time_s
    )


def _chart_data(
    analysis: Analysis, series: Series, route: Route | None, unit: DistanceUnit
) -> dict[str, Any]:
    track = analysis.activity.track
    x_default = "distance" if _distance_steps_lead(analysis) else "time"
    elevation = (
        None
        if series.altitude_m is None
        else [
            None if a is None else round(units.elevation_in(a, unit), 1) for a in series.altitude_m
        ]
    )
    route_xy: list[list[float] | None] | None = None
    if route is not None and track.latitude_deg and track.longitude_deg:
        route_xy = []
        for i in series.index:
            lat, lon = track.latitude_deg[i], track.longitude_deg[i]
            if lat is None or lon is None:
                route_xy.append(None)
            else:
                x, y = route.projection.xy(lat, lon)
                route_xy.append([round(x, 1), round(y, 1)])
    return {
        "unit": unit.value,
        "unit_m": unit.metres,
        "elevation_unit": units.elevation_unit(unit),
        "x_default": x_default,
        "elapsed_s": [round(t, 1) for t in series.elapsed_s],
        "distance_m": [round(d, 1) for d in series.distance_m],
        "speed_mps": [None if s is None else round(s, 3) for s in series.speed_mps],
        "speed_raw_mps": [None if s is None else round(s, 3) for s in series.raw_speed_mps],
        "outlier_mps": [None if s is None else round(s, 3) for s in series.outlier_mps],
        "speed_axis_mps": [round(series.speed_axis_mps[0], 3), round(series.speed_axis_mps[1], 3)],
        "heart_rate_bpm": list(series.heart_rate_bpm) if series.heart_rate_bpm else None,
        "elevation": elevation,
        "cadence_spm": list(series.cadence_spm) if series.cadence_spm else None,
        "route_xy": route_xy,
        "colours": {v.value: c for v, c in VERDICT_COLOURS.items()},
        "steps": [_chart_step(r, analysis, series) for r in analysis.steps if _ran(r)],
    }


def _ran(result: StepResult) -> bool:
    return result.start_elapsed_s is not None and result.end_elapsed_s is not None


def _chart_step(result: StepResult, analysis: Analysis, series: Series) -> dict[str, Any]:
    track = analysis.activity.track
    assert result.start_elapsed_s is not None and result.end_elapsed_s is not None
    start = track.index_at_elapsed(result.start_elapsed_s)
    end = track.index_at_elapsed(result.end_elapsed_s)
    target = result.target
    return {
        "number": result.number,
        "label": executed_label(result.executed),
        "work": result.work,
        "verdict": result.verdict.value,
        "start_s": round(result.start_elapsed_s, 1),
        "end_s": round(result.end_elapsed_s, 1),
        "start_m": round(track.distance_m[start], 1),
        "end_m": round(track.distance_m[end], 1),
        "first_point": index_at(series, start),
        "avg_mps": (
            round(1000 / result.avg_pace_s_per_km, 3) if result.avg_pace_s_per_km else None
        ),
        "band_mps": (
            [round(1000 / target.slow_s_per_km, 3), round(1000 / target.fast_s_per_km, 3)]
            if target
            else None
        ),
    }


def _distance_steps_lead(analysis: Analysis) -> bool:
    """Draw over distance when most of the planned work is measured in distance."""
    work = [r.step.duration for r in analysis.steps if r.work]
    by_distance = sum(isinstance(d, DistanceDuration) for d in work)
    return bool(work) and by_distance > len(work) / 2
