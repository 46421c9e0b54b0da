"""Plain-text tables for the terminal, at most 80 columns, returned as strings (the CLI prints)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pacefit.core import units
from pacefit.core.activity import Activity
from pacefit.core.describe import describe_duration, describe_target, executed_label
from pacefit.core.devices import DEVICE_PROFILES, TARGET_KINDS, DeviceProfile, Limit
from pacefit.core.paces import (
    DEFAULT_EASY_PACE_S_PER_KM,
    RACE_DISTANCES_M,
    RIEGEL_EXPONENT,
    TRAINING_PACE_LETTERS,
    Athlete,
    PaceModel,
    PaceTable,
    pace_table,
)
from pacefit.core.score import Analysis, StepResult, Verdict
from pacefit.core.units import DistanceUnit
from pacefit.core.workout import OpenDuration, Workout, estimate_step, unroll

if TYPE_CHECKING:
    from pacefit.delivery import Action, Transfer
    from pacefit.jobs.block import Block
    from pacefit.jobs.build import BuildResult
    from pacefit.jobs.calendar_push import CalendarPushResult, CalendarStatusResult
    from pacefit.jobs.compile import CompileResult
    from pacefit.jobs.log import Imported
    from pacefit.jobs.push import LeftOut, PushResult, StatusResult, Window

REPORT_WIDTH = 80


def display_unit(athlete: Athlete | None) -> DistanceUnit:
    return athlete.display_unit if athlete else DistanceUnit.KM


# -- show ---------------------------------------------------------------------------------------


def workout_table(workout: Workout, *, athlete: Athlete | None) -> str:
    unit = display_unit(athlete)
    table = pace_table(athlete) if athlete else None
    easy_s_per_km = table.training["easy"].middle_s_per_km if table else DEFAULT_EASY_PACE_S_PER_KM
    lines = [f"{workout.name} ({workout.level})"]
    if workout.description:
        lines.extend(textwrap.wrap(workout.description, width=REPORT_WIDTH))
    rows: list[tuple[int, str, str, str, str, str]] = []
    total_m = total_s = 0.0
    open_steps = 0
    for number, executed in enumerate(unroll(workout), start=1):
        step = executed.step
        estimate = estimate_step(step, default_pace_s_per_km=easy_s_per_km)
        if estimate.distance_m is None or estimate.duration_s is None:
            open_steps += 1
            distance = time = "-"
        else:
            total_m += estimate.distance_m
            total_s += estimate.duration_s
            distance = units.format_distance_in(estimate.distance_m, unit)
            time = units.format_clock(estimate.duration_s)
        label = executed_label(executed)[:21]
        length = describe_duration(step.duration)
        rows.append((number, label, length, describe_target(step.target, unit), distance, time))
    # the length and target columns as wide as their longest cell (`until HR < 300bpm`)
    length_w = max([10, *(len(row[2]) for row in rows)]) + 1
    target_w = max([18, *(len(row[3]) for row in rows)]) + 1
    lines.append(
        f"{'#':>3}  {'step':<22}{'length':<{length_w}}{'target':<{target_w}}"
        f"{'distance':>10}{'time':>9}"
    )
    for number, label, length, target, distance, time in rows:
        lines.append(
            f"{number:>3}  {label:<22}{length:<{length_w}}{target:<{target_w}}"
            f"{distance:>10}{time:>9}"
        )
    total = f"total ~{units.format_distance_in(total_m, unit)}, ~{units.format_clock(total_s)}"
    if open_steps:
        total += f" (+ {open_steps} open step{'s' if open_steps > 1 else ''})"
    lines.append(total)
    return "\n".join(lines)


# -- paces --------------------------------------------------------------------------------------


MODEL_NAMES = {
    PaceModel.VDOT: "the VDOT of the nearest race given (Daniels' tables)",
    PaceModel.RIEGEL: f"Riegel's formula (exponent {RIEGEL_EXPONENT}) from the nearest race given",
}


def vdot_source(table: PaceTable) -> str:
    """Where the VDOT the training paces use comes from; a VDOT given beside race times wins
    over them, which the race rows' own VDOTs would otherwise leave unsaid."""
    if table.vdot_source == "given":
        return "given in the athlete file: the training paces use it"
    return f"from the {table.vdot_source}, the best race given"


def pace_table_text(table: PaceTable) -> str:
    """Race and training paces; columns as wide as their widest figure."""
    race_rows = [
        (
            name,
            units.format_pace(race.pace_s_per_km),
            units.format_pace(race.pace_s_per_km, DistanceUnit.MILE),
            units.format_clock(race.pace_s_per_km * RACE_DISTANCES_M[name] / 1000),
            race.source,
        )
        for name, race in table.race.items()
    ]
    training_rows = [
        (
            f"{name} ({TRAINING_PACE_LETTERS[name]})",
            units.format_pace_band(band.fast_s_per_km, band.slow_s_per_km, DistanceUnit.KM),
            units.format_pace_band(band.fast_s_per_km, band.slow_s_per_km, DistanceUnit.MILE),
        )
        for name, band in table.training.items()
    ]
    lines = [
        f"VDOT {table.vdot:.1f} ({vdot_source(table)})",
        "",
        f"Race paces, predicted by {MODEL_NAMES[table.model]}",
        *_columns([("", "per km", "per mile", "time", "source"), *race_rows]),
        "",
        "Training paces (Daniels' VDOT tables)",
        *_columns([("", "per km", "per mile"), *training_rows]),
    ]
    return "\n".join(lines)


def _columns(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  "
        + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


# -- device profiles ----------------------------------------------------------------------------

_DEVICE_COLUMNS = ("device", "steps", "name bytes", "step name bytes", "nested repeats",
                   "repeat counts", "targets", "workouts kept")  # fmt: skip


def _limit_text(limit: Limit[Any]) -> str:
    value = limit.value
    if isinstance(value, bool):
        text = "yes" if value else "no"
    elif isinstance(value, tuple):
        text = f"{value[0]}-{value[1]}"
    elif isinstance(value, frozenset):
        text = ", ".join(kind for kind in TARGET_KINDS if kind in value)
    else:
        text = "unknown" if value is None else str(value)
    return text + (" (guess)" if limit.guess else "")


def _limits(profile: DeviceProfile) -> list[tuple[str, Limit[Any]]]:
    return [
        ("steps", profile.max_steps),
        ("name bytes", profile.workout_name_bytes),
        ("step name bytes", profile.step_name_bytes),
        ("nested repeats", profile.nested_repeats),
        ("repeat counts", profile.repeat_counts),
        ("targets", profile.targets),
        ("workouts kept", profile.scheduled_workouts),
    ]


def device_table(*, markdown: bool = False) -> str:
    """Every device profile with its limits, guesses marked, and the source of each number."""
    rows = [
        (profile.name, *(_limit_text(limit) for _, limit in _limits(profile)))
        for profile in DEVICE_PROFILES.values()
    ]
    if markdown:
        lines = ["| " + " | ".join(_DEVICE_COLUMNS) + " |",
                 "|" + "---|" * len(_DEVICE_COLUMNS)]  # fmt: skip
        lines += ["| " + " | ".join(row) + " |" for row in rows]
    else:
        lines = _columns([_DEVICE_COLUMNS, *rows])
    lines += ["", "Sources:"]
    for profile in DEVICE_PROFILES.values():
        lines.append(f"- {profile.name}: {profile.description}.")
        lines += [f"  - {what}: {limit.source}" for what, limit in _limits(profile)]
    return "\n".join(lines)


# -- compile and build --------------------------------------------------------------------------


def compile_summary(result: CompileResult) -> str:
    from pacefit.jobs.compile import Compiled

    lines = []
    for outcome in result.outcomes:
        if isinstance(outcome, Compiled):
            state = "wrote" if outcome.written else "unchanged"
            lines.append(f"{state} {outcome.output}  ({outcome.workout.name}, {result.level})")
    return "\n".join(lines)


def build_summary(result: BuildResult) -> str:
    """One line per built session: date, workout, and what happened."""
    lines = []
    for outcome in result.outcomes:
        if outcome.error is not None:
            state = "FAILED"
        else:
            state = "wrote" if outcome.written else "unchanged"
        when = f"{outcome.session.date}  " if outcome.session else ""
        name = outcome.workout.name if outcome.workout else outcome.source.name
        lines.append(f"{when}{name[:40]:<42}{state}")
    written = sum(1 for o in result.outcomes if o.written)
    failed = len(result.failures)
    unchanged = len(result.outcomes) - written - failed
    lines.append(
        f"{len(result.outcomes)} sessions: {written} written, {unchanged} unchanged, "
        f"{failed} failed"
    )
    if result.calendar is not None:
        lines.append(f"{'wrote' if result.calendar_written else 'unchanged'} {result.calendar}")
    if result.schedule is not None:
        lines.append(f"{'wrote' if result.schedule_written else 'unchanged'} {result.schedule}")
    return "\n".join(lines)


# -- push ---------------------------------------------------------------------------------------


def push_summary(result: PushResult, *, verbose: bool = False) -> str:
    """A line per file sent (or not), the window once, what was left out as one line of counts
    (each file with `verbose`), and the counts."""
    lines = [_transfer_line(transfer) for transfer in result.transfers]
    if result.schedule is not None:
        lines.append(
            f"{_transfer_line(result.schedule)} (the schedule of {result.schedule_sessions} "
            "sessions)"
        )
    lines += _window_line(result.window, result.selected, result.candidates)
    lines += _left_out_lines(result.left_out, verbose=verbose)
    counts: dict[str, int] = {}
    for transfer in result.transfers:
        name = _action_count_name(transfer.action)
        counts[name] = counts.get(name, 0) + 1
    if result.not_sent:
        counts["not sent"] = len(result.not_sent)
    summary = ", ".join(f"{n} {name}" for name, n in counts.items()) or "nothing sent"
    if result.schedule is not None:
        summary += f", the schedule {_action_count_name(result.schedule.action)}"
    lines.append(f"{result.destination}: {summary}{' (dry run)' if result.dry_run else ''}")
    if result.not_sent:
        lines.append(f"stopped at {result.not_sent[0].name}; not sent: "
                     + ", ".join(path.name for path in result.not_sent))  # fmt: skip
    return "\n".join(lines)


def _transfer_line(transfer: Transfer) -> str:
    from pacefit.delivery import Action

    if transfer.action is Action.ON_WATCH:
        return f"{transfer.action.value}: {transfer.source.name} (as {transfer.found_as})"
    return f"{transfer.action.value}: {transfer.source.name} -> {transfer.destination}"


def _action_count_name(action: Action) -> str:
    from pacefit.delivery import Action

    if action is Action.ON_WATCH:
        return "already on the watch"
    return action.name.lower().replace("_", " ")


def _left_out_lines(left_out: tuple[LeftOut, ...], *, verbose: bool) -> list[str]:
    """What a push left out: one line of counts by reason, or (verbose) a line per file."""
    if verbose:
        return [f"left out: {item.path.name}: {item.detail or item.reason.value}"
                for item in left_out]  # fmt: skip
    if not left_out:
        return []
    by_reason: dict[str, int] = {}
    for item in left_out:
        by_reason[item.reason.value] = by_reason.get(item.reason.value, 0) + 1
    reasons = ", ".join(f"{n} {reason}" for reason, n in by_reason.items())
    return [f"left out {len(left_out)}: {reasons} (--verbose lists them)"]


def _window_line(window: Window | None, selected: int, candidates: int) -> list[str]:
    if window is None:
        return []
    return [f"sessions due {window.first} to {window.last}: {selected} of {candidates}"]


def calendar_push_summary(result: CalendarPushResult, *, verbose: bool = False) -> str:
    """A line per session (its action and day), the window once, what was left out, counts."""
    lines = []
    for outcome in result.outcomes:
        note = f"; {outcome.action.note}" if outcome.action.note else ""
        lines.append(f"{outcome.action.value}: {outcome.event.name} ({outcome.event.day}{note})")
    lines += _window_line(result.window, result.selected, result.candidates)
    lines += _left_out_lines(result.left_out, verbose=verbose)
    counts: dict[str, int] = {}
    for outcome in result.outcomes:
        counts[outcome.action.value] = counts.get(outcome.action.value, 0) + 1
    summary = ", ".join(f"{n} {name}" for name, n in counts.items()) or "nothing to send"
    lines.append(f"{result.destination}: {summary}{' (dry run)' if result.dry_run else ''}")
    return "\n".join(lines)


def calendar_status_summary(result: CalendarStatusResult) -> str:
    from pacefit.jobs.calendar_push import EventReceipt

    lines = []
    for item in result.events:
        record = item.record
        where = f"{record.due}, " if record.due else ""
        note = ""
        if item.receipt is EventReceipt.CHANGED and item.stored is not None:
            note = f": now {item.stored.day}" if item.stored.day != record.due else ""
            note = note or ": edited on intervals.icu"
        lines.append(
            f"{item.receipt.value}: {record.workout} ({where}pushed "
            f"{record.pushed_at:%Y-%m-%d %H:%M}{note})"
        )
    counts = {r: sum(1 for e in result.events if e.receipt is r) for r in EventReceipt}
    lines.append(
        f"{result.destination}: " + ", ".join(f"{n} {r.value}" for r, n in counts.items() if n)
    )
    return "\n".join(lines)


def status_summary(result: StatusResult) -> str:
    from pacefit.jobs.push import Receipt

    lines = []
    for line in result.receipts:
        record = line.record
        where = f" as {line.found_as}" if line.found_as and line.found_as != record.file else ""
        lines.append(
            f"{line.receipt.value}: {record.workout} ({record.file}{where}, pushed "
            f"{record.pushed_at:%Y-%m-%d %H:%M})"
        )
    counts = {r: sum(1 for line in result.receipts if line.receipt is r) for r in Receipt}
    lines.append(
        f"{result.destination}: " + ", ".join(f"{n} {r.value}" for r, n in counts.items() if n)
    )
    return "\n".join(lines)


# -- analyze ------------------------------------------------------------------------------------


def analysis_table(analysis: Analysis, *, unit: DistanceUnit = DistanceUnit.KM) -> str:
    activity = analysis.activity
    lines = [
        f"{analysis.workout.name}: {Path(activity.source).name}"[:REPORT_WIDTH],
        f"run {local_start(activity)}, {units.format_distance_in(activity.distance_m, unit)} "
        f"in {units.format_clock(activity.timer_s)} (timer)",
        *recorded_lines(analysis, unit),
        f"aligned by {analysis.alignment.evidence.description}",
        *textwrap.wrap(lap_mapping(analysis), width=REPORT_WIDTH, subsequent_indent="  "),
        *(
            line
            for note in analysis.alignment.notes
            for line in textwrap.wrap(f"note: {note}", REPORT_WIDTH, subsequent_indent="  ")
        ),
        "",
        f"{'#':>3} {'step':<17}{'planned':<9}{'target':<11}{'actual':>8}{'dev':>6}"
        f"{'in band':>8}  verdict",
    ]
    lines += [_step_row(result, unit) for result in analysis.steps]
    lines.append(
        f"paces per {unit.value}; dev: seconds per {unit.value} outside the band "
        "(- faster, + slower)"
    )
    if analysis.repeats:
        lines.append("")
        for repeat in analysis.repeats:
            paces = " ".join(units.format_pace_clock(p, unit) for p in repeat.avg_paces_s_per_km)
            lines.append(f"{repeat.label}: {paces}"[:REPORT_WIDTH])
            lines.append(
                f"  consistency ±{units.per_unit(repeat.consistency_s_per_km, unit):.1f}s/"
                f"{unit.value}, fade {units.per_unit(repeat.fade_s_per_km, unit):+.1f}s/"
                f"{unit.value} (last reps vs first)"
            )
    lines.append("")
    score = (
        "n/a (no step had a pace target)" if analysis.score is None else f"{analysis.score:.0f}/100"
    )
    lines.append(f"score: {score}")
    return "\n".join(lines)


def recorded_lines(analysis: Analysis, unit: DistanceUnit) -> list[str]:
    """What the watch recorded beside pace, where the file has it: `heart rate 143 avg, 199
    max bpm; cadence 146 spm; climb +54 m -53 m`, and the time in each heart-rate zone."""
    figures = analysis.figures
    parts = []
    if figures.avg_hr_bpm is not None:
        parts.append(f"heart rate {figures.avg_hr_bpm:.0f} avg, {figures.max_hr_bpm} max bpm")
    if figures.avg_cadence_spm is not None:
        parts.append(f"cadence {figures.avg_cadence_spm:.0f} spm")
    if figures.elevation_gain_m is not None and figures.elevation_loss_m is not None:
        parts.append(
            f"climb +{units.format_elevation(figures.elevation_gain_m, unit)} "
            f"-{units.format_elevation(figures.elevation_loss_m, unit)}"
        )
    lines = ["; ".join(parts)] if parts else []
    if analysis.hr_zones:
        zones = "  ".join(
            f"{f'Z{zone.zone}' if zone.zone else 'below Z1'} {units.format_clock(zone.time_s)}"
            for zone in analysis.hr_zones
            if zone.zone or zone.time_s
        )
        lines.append(f"time in zones: {zones}")
    return lines


def lap_mapping(analysis: Analysis) -> str:
    """`laps -> steps: 1-2>1 3>2 ... 12>11-12`, or nothing when laps were not used."""
    pairs = analysis.alignment.lap_steps
    if not pairs:
        return ""
    groups: list[tuple[list[int], tuple[int, ...]]] = []
    for lap, steps in pairs:
        if groups and groups[-1][1] == steps:
            groups[-1][0].append(lap)
        else:
            groups.append(([lap], steps))
    return "laps -> steps: " + " ".join(
        f"{_span(laps)}>{_span(list(steps))}" for laps, steps in groups
    )


def _span(numbers: list[int]) -> str:
    return str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}"


def local_start(activity: Activity) -> str:
    """The start in the runner's local time when the file says it, else in UTC."""
    if activity.start_time is None:
        return "(date unknown)"
    local = activity.start_time + dt.timedelta(seconds=activity.utc_offset_s)
    hours = activity.utc_offset_s / 3600
    zone = f"UTC{hours:+g}" if hours else "UTC"
    return f"{local:%Y-%m-%d %H:%M} {zone}"


def _planned(result: StepResult) -> str:
    duration = result.step.duration
    return "lap" if isinstance(duration, OpenDuration) else describe_duration(duration)[:8]


def verdict_text(result: StepResult) -> str:
    text: str = result.verdict.value
    if result.verdict is Verdict.SHORT:
        text += f" ({100 * result.completed_fraction:.0f}%)"
    return text


def _step_row(result: StepResult, unit: DistanceUnit) -> str:
    target = result.target
    band = (
        units.format_pace_band(target.fast_s_per_km, target.slow_s_per_km, unit).split("/")[0]
        if target
        else "-"
    )
    in_band = (
        f"{100 * result.time_in_band_fraction:.0f}%"
        if result.time_in_band_fraction is not None
        else ""
    )
    return (
        f"{result.number:>3} {executed_label(result.executed)[:16]:<17}"
        f"{_planned(result):<9}{band:<11}"
        f"{units.format_pace_clock(result.avg_pace_s_per_km, unit):>8}"
        f"{units.format_deviation(result.deviation_s_per_km, unit):>6}{in_band:>8}  "
        f"{verdict_text(result)}"
    )


# -- review -------------------------------------------------------------------------------------


def _wrapped(start: str, detail: str) -> list[str]:
    """`start` then `detail`, the detail carried on to indented lines rather than cut off; a
    file name too long for the column goes whole on the lines below."""
    parts = textwrap.wrap(
        detail,
        width=max(1, REPORT_WIDTH - len(start)),
        break_long_words=False,
        break_on_hyphens=False,
    ) or [""]
    lines = [(start + parts[0]).rstrip()] + [" " * len(start) + part for part in parts[1:]]
    if all(len(line) <= REPORT_WIDTH for line in lines):
        return lines
    below = textwrap.wrap(
        detail, width=REPORT_WIDTH, initial_indent="    ", subsequent_indent="    "
    )
    return [start.rstrip(), *below]


def review_table(block: Block, *, unit: DistanceUnit = DistanceUnit.KM) -> str:
    """Week by week, then session by session (named as the watch names them), then what the
    plan does not account for."""
    review = block.review
    lines = [
        f"{'week':<5}{'from':<12}{'planned':>8}{'done':>6}{'missed':>8}{'score':>7}"
        f"  {unit.value + ' done/plan':>16}"
    ]
    for week, totals in zip(review.weeks, block.weeks, strict=True):
        score = f"{week.mean_score:.0f}" if week.mean_score is not None else "-"
        distances = (
            f"{totals.done_distance_m / unit.metres:.1f}/"
            f"{totals.planned_distance_m / unit.metres:.1f}"
        )
        lines.append(
            f"W{week.week:02d}  {week.monday!s:<12}{week.planned:>8}{week.done:>6}"
            f"{week.missed:>8}{score:>7}  {distances:>16}"
        )
    lines += ["", f"{'date':<12}{'day':<9}{'session':<19}{'score':<8}run"]
    for item, plan in zip(review.sessions, block.planned, strict=True):
        session = item.session
        if item.error:
            status, detail = "error", item.error.message
        elif item.result is None:
            status, detail = ("to come" if item.upcoming else "missed"), ""
        else:
            run_score = item.result.score
            status = f"{run_score:.0f}" if run_score is not None else "done"
            detail = item.run.name if item.run else ""
            if item.note:  # "run a day late (2026-11-18)": no brackets around its brackets
                detail += f", {item.note}"
        start = f"{session.date}  {session.label}  {plan.name[:18]:<19}{status:<8}"
        lines += _wrapped(start, detail)
    for path in review.unmatched_runs:
        lines += _wrapped("not in the plan: ", path.name)
    for copy, kept in review.duplicates:
        lines += _wrapped(f"same run as {kept.name}: ", copy.name)
    for path, error in review.unreadable_runs:
        lines += _wrapped("not judged: ", f"{path.name}: {error.message}")
    done = sum(1 for s in review.sessions if s.done)
    lines.append(f"{done} of {len(review.sessions)} sessions done")
    return "\n".join(lines)


def imported_line(imported: Imported, sent_as: str = "") -> str:
    """`W01 Thu Tempo 2x10min: score 19, run a day late (...)`, or what else became of it;
    `sent_as`: the name the file came with, said when the log kept it under another."""
    already = "" if imported.new else "already in the log: "
    if not imported.new and sent_as and sent_as != imported.run.file_name:
        already = f"already in the log as {imported.run.file_name}: "
    item = imported.session
    if imported.same_as is not None:
        return f"{already}the same run as {imported.same_as.file_name}, which is scored instead"
    if item is None:
        day = imported.run.local_date
        return f"{already}kept as a run not in the plan ({day or 'the file gives no date'})"
    what = f"{item.session.label} {item.result.workout_name if item.result else ''}".strip()
    if item.error is not None:
        judged = f"could not be scored: {item.error.message}"
    elif item.result is not None and item.result.score is not None:
        judged = f"score {item.result.score:.0f}"
    else:
        judged = "done, nothing to grade"
    note = f", {item.note}" if item.note else ""
    return f"{already}{what}: {judged}{note}"
