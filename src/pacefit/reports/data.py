"""Results as JSON-ready data: stable keys, units in the key names, for `--json` and scripts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pacefit.core.describe import describe_duration, executed_label
from pacefit.core.figures import LapFigures, SpanFigures, ZoneTime
from pacefit.core.paces import RACE_DISTANCES_M, TRAINING_PACE_LETTERS, PaceTable
from pacefit.core.score import Analysis, StepResult
from pacefit.core.units import DistanceUnit, per_unit

if TYPE_CHECKING:
    from pacefit.jobs.block import Block, Trend
    from pacefit.jobs.review import Review

JSON_SCHEMA_VERSION = 2


def pace_table_data(table: PaceTable) -> dict[str, Any]:
    """`pacefit paces --json`: every figure, per km and per mile."""
    mile = DistanceUnit.MILE
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "vdot": round(table.vdot, 2),
        "model": table.model.value,
        "races": [
            {
                "name": name,
                "distance_m": RACE_DISTANCES_M[name],
                "time_s": round(race.pace_s_per_km * RACE_DISTANCES_M[name] / 1000, 1),
                "pace_s_per_km": round(race.pace_s_per_km, 2),
                "pace_s_per_mile": round(per_unit(race.pace_s_per_km, mile), 2),
                "source": race.source,
            }
            for name, race in table.race.items()
        ],
        "training": [
            {
                "name": name,
                "letter": TRAINING_PACE_LETTERS[name],
                "fast_s_per_km": round(band.fast_s_per_km, 2),
                "slow_s_per_km": round(band.slow_s_per_km, 2),
                "fast_s_per_mile": round(per_unit(band.fast_s_per_km, mile), 2),
                "slow_s_per_mile": round(per_unit(band.slow_s_per_km, mile), 2),
            }
            for name, band in table.training.items()
        ],
    }


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
            "legs": len(activity.legs),
            "laps": len(activity.laps),
            "decoder": activity.decoder,
            # what pacefit did not take as written (core.plausible), units in the key names
            "corrections": [
                {"kind": c.kind, "message": c.message, **dict(c.figures)}
                for c in activity.corrections
            ],
        },
        "workout": {"name": analysis.workout.name, "level": analysis.workout.level},
        "alignment": {
            "evidence": analysis.alignment.evidence.value,
            "laps_to_steps": [
                {"lap": lap, "steps": list(steps)} for lap, steps in analysis.alignment.lap_steps
            ],
            "notes": list(analysis.alignment.notes),
        },
        "score": _round(analysis.score, 1),
        "work_score": _round(analysis.work_score, 1),
        "support_done_pct": _round(
            None
            if analysis.support_done_fraction is None
            else 100 * analysis.support_done_fraction,
            1,
        ),
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
        "recorded": figures_data(analysis.figures),
        "laps": [lap_data(lap) for lap in analysis.laps],
        "hr_zones": [zone_data(zone) for zone in analysis.hr_zones],
    }


def figures_data(figures: SpanFigures) -> dict[str, Any]:
    """Heart rate, cadence and climbing; None where the file has none."""
    return {
        "avg_hr_bpm": _round(figures.avg_hr_bpm, 1),
        "max_hr_bpm": figures.max_hr_bpm,
        "avg_cadence_spm": _round(figures.avg_cadence_spm, 1),
        "elevation_gain_m": _round(figures.elevation_gain_m, 1),
        "elevation_loss_m": _round(figures.elevation_loss_m, 1),
    }


def lap_data(lap: LapFigures) -> dict[str, Any]:
    return {
        "lap": lap.number,
        "trigger": lap.trigger,
        "start_elapsed_s": round(lap.start_elapsed_s, 1),
        "end_elapsed_s": round(lap.end_elapsed_s, 1),
        "distance_m": round(lap.distance_m, 1),
        "timer_s": round(lap.timer_s, 1),
        "avg_pace_s_per_km": _round(lap.avg_pace_s_per_km, 1),
        "steps": list(lap.steps),
        **figures_data(lap.figures),
    }


def zone_data(zone: ZoneTime) -> dict[str, Any]:
    return {"zone": zone.zone, "low_bpm": zone.low_bpm, "high_bpm": zone.high_bpm,
            "time_s": round(zone.time_s, 1)}  # fmt: skip


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
        "pace_source": result.pace_source,
        "laps": list(result.laps),
        "deviation_s_per_km": _round(result.deviation_s_per_km, 1),
        "time_in_band_pct": _round(
            100 * result.time_in_band_fraction
            if result.time_in_band_fraction is not None
            else None,
            1,
        ),
        "band_source": result.band_source,
        "pace_stdev_s_per_km": _round(result.pace_stdev_s_per_km, 1),
        "score": _round(result.score, 1),
        "counts_toward_score": result.work,
        **figures_data(result.figures),
    }


def review_data(review: Review) -> dict[str, Any]:
    return {
        "weeks": [
            {
                "week": w.week,
                "monday": w.monday.isoformat(),
                "planned": w.planned,
                "done": w.done,
                "missed": w.missed,
                "mean_score": _round(w.mean_score, 1),
            }
            for w in review.weeks
        ],
        "sessions": [
            {
                "date": item.session.date.isoformat(),
                "week": item.session.week,
                "day": item.session.day,
                "workout": str(item.session.spec.workout_path),
                "run": str(item.run) if item.run else None,
                "status": item.status,
                "error": str(item.error) if item.error else None,
                "note": item.note or None,
                "score": _round(item.result.score if item.result else None, 1),
                "alignment": item.result.alignment if item.result else None,
                "verdicts": item.result.verdicts if item.result else {},
            }
            for item in review.sessions
        ],
        "unmatched_runs": [str(p) for p in review.unmatched_runs],
        "duplicate_runs": [{"run": str(c), "same_as": str(k)} for c, k in review.duplicates],
        "unreadable_runs": [{"run": str(p), "error": str(e)} for p, e in review.unreadable_runs],
    }


def block_data(block: Block) -> dict[str, Any]:
    """`review --json`: the review, each session's name and planned and done length, the weeks'
    totals, and the trends of each kind of work."""
    data = review_data(block.review)
    for session, item, plan in zip(
        data["sessions"], block.review.sessions, block.planned, strict=True
    ):
        session["name"] = plan.name
        session["planned_distance_m"] = _round(plan.distance_m, 1)
        session["planned_time_s"] = _round(plan.time_s, 1)
        session["done_distance_m"] = _round(item.result.distance_m if item.result else None, 1)
        session["done_timer_s"] = _round(item.result.timer_s if item.result else None, 1)
    for week, totals in zip(data["weeks"], block.weeks, strict=True):
        week["planned_distance_m"] = round(totals.planned_distance_m, 1)
        week["planned_time_s"] = round(totals.planned_time_s, 1)
        week["done_distance_m"] = round(totals.done_distance_m, 1)
        week["done_timer_s"] = round(totals.done_time_s, 1)
    data["sessions_done"] = sum(1 for item in block.review.sessions if item.done)
    data["trends"] = [trend_data(trend) for trend in block.trends]
    return data


def trend_data(trend: Trend) -> dict[str, Any]:
    return {
        "label": trend.label,
        "workout": trend.workout,
        "weeks": [
            {
                "week": point.week,
                "date": point.date.isoformat(),
                "session": point.session,
                "reps": point.reps,
                "avg_pace_s_per_km": round(point.avg_pace_s_per_km, 1),
                "target_fast_s_per_km": round(point.fast_s_per_km, 1),
                "target_slow_s_per_km": round(point.slow_s_per_km, 1),
                "deviation_s_per_km": round(point.deviation_s_per_km, 1),
                "avg_hr_bpm": _round(point.avg_hr_bpm, 1),
            }
            for point in trend.points
        ],
    }


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
