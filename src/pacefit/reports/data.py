"""An analysis as a terminal table and as JSON-ready data (stable keys, units in names)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pacefit.core import units
from pacefit.core.activity import Activity
from pacefit.core.describe import describe_duration, describe_pace_band, executed_label
from pacefit.core.score import Analysis, StepResult, Verdict
from pacefit.core.units import DistanceUnit

JSON_SCHEMA_VERSION = 1


def analysis_table(analysis: Analysis, *, unit: DistanceUnit = DistanceUnit.KM) -> str:
    activity = analysis.activity
    started = _local_start(activity)
    lines = [
        f"{analysis.workout.name}: {activity.source}",
        f"run {started}, {activity.distance_m / unit.metres:.2f}{unit.value} in "
        f"{units.format_clock(activity.timer_s)} (timer)",
        f"aligned by {analysis.alignment.evidence.description}",
        "",
        f"{'#':>3} {'step':<17}{'planned':<9}{'target':<11}{'actual':>8}{'dev':>6}"
        f"{'in band':>8}  verdict",
    ]
    lines += [_row(result, unit) for result in analysis.steps]
    per_unit = unit.metres / 1000
    lines.append(
        f"paces per {unit.value}; dev: seconds per {unit.value} outside the band "
        "(- faster, + slower)"
    )
    if analysis.repeats:
        lines.append("")
        for repeat in analysis.repeats:
            paces = " ".join(_pace(p, unit) for p in repeat.avg_paces_s_per_km)
            lines.append(f"{repeat.label}: {paces}")
            lines.append(
                f"  consistency ±{repeat.consistency_s_per_km * per_unit:.1f}s/{unit.value}, "
                f"fade {repeat.fade_s_per_km * per_unit:+.1f}s/{unit.value} (last reps vs first)"
            )
    lines.append("")
    score = (
        "n/a (no step had a pace target)" if analysis.score is None else f"{analysis.score:.0f}/100"
    )
    lines.append(f"score: {score}")
    return "\n".join(lines)


def _local_start(activity: Activity) -> str:
    """The start in the runner's local time when the file says it, else in UTC."""
    if activity.start_time is None:
        return "(date unknown)"
    local = activity.start_time + dt.timedelta(seconds=activity.utc_offset_s)
    hours = activity.utc_offset_s / 3600
    zone = f"UTC{hours:+g}" if hours else "UTC"
    return f"{local:%Y-%m-%d %H:%M} {zone}"


def _row(result: StepResult, unit: DistanceUnit) -> str:
    target = result.target
    band = describe_pace_band(target, unit).split("/")[0] if target else "-"
    actual = _pace(result.avg_pace_s_per_km, unit) if result.avg_pace_s_per_km else "-"
    deviation = format_deviation(result.deviation_s_per_km, unit)
    in_band = (
        f"{100 * result.time_in_band_fraction:.0f}%"
        if result.time_in_band_fraction is not None
        else ""
    )
    verdict = result.verdict.value
    if result.verdict is Verdict.SHORT:
        verdict += f" ({100 * result.completed_fraction:.0f}%)"
    label = executed_label(result.executed)
    return (
        f"{result.number:>3} {label[:16]:<17}{describe_duration(result.step.duration)[:8]:<9}"
        f"{band:<11}{actual:>8}{deviation:>6}{in_band:>8}  {verdict}"
    )


def format_deviation(deviation_s_per_km: float | None, unit: DistanceUnit) -> str:
    """Signed seconds per unit off the band: `-7`, `+13`, `0` inside it."""
    if deviation_s_per_km is None:
        return ""
    seconds = deviation_s_per_km * unit.metres / 1000
    return "0" if round(seconds) == 0 else f"{seconds:+.0f}"


def _pace(pace_s_per_km: float | None, unit: DistanceUnit) -> str:
    if pace_s_per_km is None:
        return "-"
    return units.format_clock(pace_s_per_km * unit.metres / 1000)


def analysis_data(analysis: Analysis) -> dict[str, Any]:
    activity = analysis.activity
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "activity": {
            "source": activity.source,
            "format": activity.file_format,
            "device": activity.device,
            "start_time": activity.start_time.isoformat() if activity.start_time else None,
            "utc_offset_s": activity.utc_offset_s,
            "distance_m": round(activity.distance_m, 1),
            "timer_s": round(activity.timer_s, 1),
            "pauses": len(activity.pauses),
        },
        "workout": {"name": analysis.workout.name, "level": analysis.workout.level},
        "alignment": analysis.alignment.evidence.value,
        "score": _round(analysis.score, 1),
        "steps": [_step_data(result) for result in analysis.steps],
        "repeats": [
            {
                "label": repeat.label,
                "fit_step_index": repeat.fit_step_index,
                "avg_paces_s_per_km": [round(p, 1) for p in repeat.avg_paces_s_per_km],
                "consistency_s_per_km": round(repeat.consistency_s_per_km, 1),
                "fade_s_per_km": round(repeat.fade_s_per_km, 1),
            }
            for repeat in analysis.repeats
        ],
    }


def _step_data(result: StepResult) -> dict[str, Any]:
    target = result.target
    return {
        "number": result.number,
        "name": executed_label(result.executed),
        "intensity": result.step.intensity.value,
        "fit_step_index": result.executed.fit_step_index,
        "repetition": result.executed.repetition,
        "planned": describe_duration(result.step.duration),
        "target_fast_s_per_km": _round(target.fast_s_per_km if target else None, 1),
        "target_slow_s_per_km": _round(target.slow_s_per_km if target else None, 1),
        "verdict": result.verdict.value,
        "start_elapsed_s": _round(result.start_elapsed_s, 1),
        "end_elapsed_s": _round(result.end_elapsed_s, 1),
        "distance_m": round(result.distance_m, 1),
        "timer_s": round(result.timer_s, 1),
        "completed_pct": round(100 * result.completed_fraction, 1),
        "avg_pace_s_per_km": _round(result.avg_pace_s_per_km, 1),
        "deviation_s_per_km": _round(result.deviation_s_per_km, 1),
        "time_in_band_pct": _round(
            100 * result.time_in_band_fraction
            if result.time_in_band_fraction is not None
            else None,
            1,
        ),
        "pace_stdev_s_per_km": _round(result.pace_stdev_s_per_km, 1),
        "score": _round(result.score, 1),
        "counts_toward_score": target is not None,
    }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
