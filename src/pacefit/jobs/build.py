"""The `build` job: every session of a plan as a FIT file named by date, plus `plan.ics`.

One bad session does not stop the batch; each outcome says what happened to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from pacefit.core.describe import workout_outline
from pacefit.core.paces import Athlete
from pacefit.core.plan import Schedule, ScheduledSession, schedule
from pacefit.core.units import DistanceUnit
from pacefit.core.workout import Workout
from pacefit.errors import PacefitError
from pacefit.files import safe_filename, write_atomic
from pacefit.formats.ics import CalendarEvent, calendar_text
from pacefit.formats.plan_yaml import PLAN_FILE, load_plan
from pacefit.jobs.compile import compile_file, find_workout_files

CALENDAR_FILE = "plan.ics"
EARLIEST_RACE_DATE = dt.date(2000, 1, 1)
LATEST_RACE_DATE = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class Outcome:
    """What happened to one session (or one workout file of a plain folder)."""

    source: Path
    session: ScheduledSession | None = None
    workout: Workout | None = None
    output: Path | None = None
    written: bool = False
    warnings: tuple[str, ...] = ()
    error: PacefitError | None = None


@dataclass(frozen=True)
class BuildJob:
    """What a build will do, known before any file is written (so a progress bar knows the end)."""

    folder: Path
    name: str
    schedule: Schedule | None  # None for a plain folder of workouts
    sources: tuple[Path, ...]  # plain folder only


def is_plan(folder: Path) -> bool:
    return (folder / PLAN_FILE).is_file()


def prepare_build(folder: Path, *, race_date: dt.date | None) -> BuildJob:
    if not is_plan(folder):
        return BuildJob(
            folder=folder,
            name=folder.name,
            schedule=None,
            sources=tuple(find_workout_files([folder])),
        )
    if race_date is None:
        raise PacefitError(
            f"{folder} is a plan: it needs a race date to put dates on its sessions",
            hint="pass --race-date YYYY-MM-DD",
        )
    if not EARLIEST_RACE_DATE <= race_date <= LATEST_RACE_DATE:
        raise PacefitError(
            f"the race date {race_date} is implausible",
            hint=f"give a date between {EARLIEST_RACE_DATE} and {LATEST_RACE_DATE}",
        )
    name, blocks = load_plan(folder)
    return BuildJob(
        folder=folder, name=name, schedule=schedule(blocks, race_date=race_date), sources=()
    )


def build_items(job: BuildJob) -> list[ScheduledSession | Path]:
    return list(job.schedule.sessions) if job.schedule else list(job.sources)


def build_one(item: ScheduledSession | Path, *, athlete: Athlete | None, out_dir: Path) -> Outcome:
    """Compile one session (or workout file); errors are returned, not raised."""
    if isinstance(item, Path):
        try:
            result = compile_file(item, athlete=athlete, out_dir=out_dir)
        except PacefitError as exc:
            return Outcome(source=item, error=exc)
        return Outcome(
            source=item,
            workout=result.workout,
            output=result.output,
            written=result.written,
            warnings=result.warnings,
        )
    spec = item.spec
    try:
        result = compile_file(
            spec.workout_path,
            athlete=athlete,
            out_dir=out_dir,
            level=spec.level,
            overrides=spec.overrides,
            name_prefix=item.label,
            filename_prefix=f"{item.date.isoformat()}_{safe_filename(item.label, suffix='')}_",
        )
    except PacefitError as exc:
        return Outcome(source=spec.workout_path, session=item, error=exc)
    return Outcome(
        source=spec.workout_path,
        session=item,
        workout=result.workout,
        output=result.output,
        written=result.written,
        warnings=result.warnings,
    )


def write_calendar(
    job: BuildJob, outcomes: list[Outcome], *, out_dir: Path, athlete: Athlete | None
) -> tuple[Path, bool]:
    """`plan.ics` with every built session; returns its path and whether it changed."""
    assert job.schedule is not None
    unit = athlete.display_unit if athlete else DistanceUnit.KM
    events = []
    for outcome in outcomes:
        if outcome.session is None or outcome.workout is None:
            continue
        outline = workout_outline(outcome.workout.steps, unit)
        description = "\n".join([outcome.workout.description, "", *outline]).strip()
        events.append(
            CalendarEvent(
                date=outcome.session.date, summary=outcome.workout.name, description=description
            )
        )
    text = calendar_text(events, name=job.name, stamp=job.schedule.race_date)
    path = out_dir / CALENDAR_FILE
    return path, write_atomic(path, text.encode())


def stale_outputs(out_dir: Path, outcomes: list[Outcome]) -> list[Path]:
    """FIT files in `out_dir` that this build did not make (an older version of the plan, say).
    They are reported, never deleted: they may be the runner's."""
    made = {o.output.resolve() for o in outcomes if o.output is not None}
    if not out_dir.is_dir():
        return []
    return sorted(p for p in out_dir.glob("*.fit") if p.resolve() not in made)
