"""Plain-text tables for the terminal (returned as strings; the CLI prints them)."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from pacefit.core import units
from pacefit.core.describe import describe_duration, describe_target, executed_label
from pacefit.core.paces import Athlete, PaceTable, pace_table
from pacefit.core.units import DistanceUnit
from pacefit.core.workout import Workout, estimate_step, unroll

if TYPE_CHECKING:
    from pacefit.jobs.build import Outcome
    from pacefit.jobs.review import Review

DEFAULT_EASY_PACE_S_PER_KM = 360.0  # for estimates when no athlete is given
REPORT_WIDTH = 80


def workout_table(workout: Workout, *, athlete: Athlete | None) -> str:
    unit = athlete.display_unit if athlete else DistanceUnit.KM
    table = pace_table(athlete) if athlete else None
    easy_s_per_km = (
        (table.training["easy"].fast_s_per_km + table.training["easy"].slow_s_per_km) / 2
        if table
        else DEFAULT_EASY_PACE_S_PER_KM
    )
    lines = [f"{workout.name} ({workout.level})"]
    if workout.description:
        lines.extend(textwrap.wrap(workout.description, width=REPORT_WIDTH))
    lines.append(f"{'#':>3}  {'step':<22}{'length':<11}{'target':<19}{'distance':>10}{'time':>9}")
    total_m = total_s = 0.0
    open_steps = 0
    for number, executed in enumerate(unroll(workout), start=1):
        step = executed.step
        estimate = estimate_step(step, default_pace_s_per_km=easy_s_per_km)
        label = executed_label(executed)
        if estimate.distance_m is None or estimate.duration_s is None:
            open_steps += 1
            distance = time = "-"
        else:
            total_m += estimate.distance_m
            total_s += estimate.duration_s
            distance = _format_km(estimate.distance_m, unit)
            time = units.format_clock(estimate.duration_s)
        lines.append(
            f"{number:>3}  {label[:21]:<22}{describe_duration(step.duration):<11}"
            f"{describe_target(step.target, unit):<19}{distance:>10}{time:>9}"
        )
    total = f"total ~{_format_km(total_m, unit)}, ~{units.format_clock(total_s)}"
    if open_steps:
        total += f" (+ {open_steps} open step{'s' if open_steps > 1 else ''})"
    lines.append(total)
    return "\n".join(lines)


def _format_km(distance_m: float, unit: DistanceUnit) -> str:
    return f"{distance_m / unit.metres:.2f}{unit.value}"


def pace_table_text(table: PaceTable) -> str:
    lines = [
        f"VDOT {table.vdot:.1f}",
        "",
        "Race paces           per km    per mile  time       source",
    ]
    from pacefit.core.paces import RACE_DISTANCES_M

    for name, race in table.race.items():
        time_s = race.pace_s_per_km * RACE_DISTANCES_M[name] / 1000
        lines.append(
            f"  {name:<18} {units.format_pace(race.pace_s_per_km):<9} "
            f"{units.format_pace(race.pace_s_per_km, DistanceUnit.MILE):<9} "
            f"{units.format_clock(time_s):<10} {race.source}"
        )
    lines += ["", "Training paces (Daniels)  per km        per mile"]
    for name, band in table.training.items():
        km = _band(band.fast_s_per_km, band.slow_s_per_km, DistanceUnit.KM)
        mile = _band(band.fast_s_per_km, band.slow_s_per_km, DistanceUnit.MILE)
        lines.append(f"  {name:<23} {km:<13} {mile}")
    return "\n".join(lines)


def _band(fast_s_per_km: float, slow_s_per_km: float, unit: DistanceUnit) -> str:
    fast = units.format_pace(fast_s_per_km, unit)
    if round(fast_s_per_km) == round(slow_s_per_km):
        return fast
    return f"{fast.split('/')[0]}-{units.format_pace(slow_s_per_km, unit)}"


def build_summary(outcomes: list[Outcome]) -> str:
    """One line per built session: date, week/day, workout, file, and what happened."""
    lines = []
    for outcome in outcomes:
        if outcome.error is not None:
            state = "FAILED"
        else:
            state = "wrote" if outcome.written else "unchanged"
        when = f"{outcome.session.date}  " if outcome.session else ""
        name = outcome.workout.name if outcome.workout else outcome.source.name
        lines.append(f"{when}{name[:40]:<42}{state}")
    written = sum(1 for o in outcomes if o.written)
    failed = sum(1 for o in outcomes if o.error is not None)
    unchanged = len(outcomes) - written - failed
    lines.append(
        f"{len(outcomes)} sessions: {written} written, {unchanged} unchanged, {failed} failed"
    )
    return "\n".join(lines)


def review_table(review: Review) -> str:
    lines = [f"{'week':<5}{'from':<12}{'planned':>8}{'done':>6}{'missed':>8}{'score':>7}"]
    for week in review.weeks:
        score = f"{week.mean_score:.0f}" if week.mean_score is not None else "-"
        lines.append(
            f"W{week.week:02d}  {week.monday!s:<12}{week.planned:>8}{week.done:>6}"
            f"{week.missed:>8}{score:>7}"
        )
    lines += ["", f"{'date':<12}{'day':<9}{'workout':<19}{'score':<8}run"]
    for item in review.sessions:
        session = item.session
        if item.error:
            status, detail = "error", item.error.splitlines()[0]
        elif item.result is None:
            status, detail = "missed", ""
        else:
            run_score = item.result.score
            status = f"{run_score:.0f}" if run_score is not None else "done"
            detail = item.run.name if item.run else ""
        workout = session.spec.workout_path.stem[:18]
        line = f"{session.date}  {session.label}  {workout:<19}{status:<8}{detail}"
        lines.append(line[:REPORT_WIDTH].rstrip())
    for path in review.unmatched_runs:
        lines.append(f"not in the plan: {path.name}")
    for _, error in review.unreadable_runs:
        lines.append(f"unreadable: {error.splitlines()[0]}"[:80])
    done = sum(1 for s in review.sessions if s.done)
    lines.append(f"{done} of {len(review.sessions)} sessions done")
    return "\n".join(lines)


def review_data(review: Review) -> dict[str, Any]:
    """The review as JSON-ready data: stable keys, units in names."""
    return {
        "weeks": [
            {
                "week": w.week,
                "monday": w.monday.isoformat(),
                "planned": w.planned,
                "done": w.done,
                "missed": w.missed,
                "mean_score": None if w.mean_score is None else round(w.mean_score, 1),
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
                "status": "error" if item.error else ("done" if item.done else "missed"),
                "error": item.error,
                "score": None
                if item.result is None or item.result.score is None
                else round(item.result.score, 1),
                "alignment": item.result.alignment if item.result else None,
                "verdicts": item.result.verdicts if item.result else {},
            }
            for item in review.sessions
        ],
        "unmatched_runs": [str(p) for p in review.unmatched_runs],
        "unreadable_runs": [{"run": str(p), "error": e} for p, e in review.unreadable_runs],
    }
