"""The `build` job: every session of a plan as a workout file named by date, plus `plan.ics`;
or, for a plain folder of workouts, every workout in it.

One bad session does not stop the batch; each outcome says what happened to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pacefit.core.describe import workout_outline
from pacefit.core.paces import Athlete
from pacefit.core.plan import Schedule, ScheduledSession, schedule
from pacefit.core.units import DistanceUnit
from pacefit.core.workout import Workout
from pacefit.errors import Location, PacefitError, warn
from pacefit.files import safe_filename, write_atomic
from pacefit.formats import DEFAULT_WORKOUT_FORMAT, WORKOUT_WRITERS
from pacefit.formats.ics import CalendarEvent, calendar_text
from pacefit.formats.plan_yaml import PLAN_FILE, load_plan
from pacefit.jobs.compile import compile_file, find_workout_files

CALENDAR_FILE = "plan.ics"
EARLIEST_RACE_DATE = dt.date(2000, 1, 1)
LATEST_RACE_DATE = dt.date(2100, 12, 31)

Progress = Callable[[int, int], None]  # (done, total)
T = TypeVar("T")


@dataclass(frozen=True)
class Outcome:
    """What happened to one session (or one workout file of a plain folder)."""

    source: Path
    session: ScheduledSession | None = None
    workout: Workout | None = None
    output: Path | None = None
    written: bool = False
    error: PacefitError | None = None


@dataclass(frozen=True)
class BuildResult:
    name: str
    outcomes: tuple[Outcome, ...]
    calendar: Path | None  # plan.ics, for a plan
    calendar_written: bool
    stale: tuple[Path, ...]  # files in the output folder this build did not make

    @property
    def failures(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.error is not None)


@dataclass(frozen=True)
class PlanSchedule:
    name: str
    folder: Path
    schedule: Schedule


def is_plan(folder: Path) -> bool:
    return (folder / PLAN_FILE).is_file()


def plan_schedule(folder: Path, *, race_date: dt.date | None) -> PlanSchedule:
    """A plan folder's sessions, dated back from race day."""
    location = Location(str(folder / PLAN_FILE))
    if race_date is None:
        raise PacefitError(
            "this is a plan: it needs a race date to put dates on its sessions",
            location=location,
            hint="pass --race-date YYYY-MM-DD",
        )
    if not EARLIEST_RACE_DATE <= race_date <= LATEST_RACE_DATE:
        raise PacefitError(
            f"the race date {race_date} is implausible",
            location=location,
            hint=f"give a date between {EARLIEST_RACE_DATE} and {LATEST_RACE_DATE}",
        )
    name, blocks = load_plan(folder)
    return PlanSchedule(name=name, folder=folder, schedule=schedule(blocks, race_date=race_date))


def build_plan(
    folder: Path,
    *,
    race_date: dt.date | None,
    athlete: Athlete | None,
    out_dir: Path,
    file_format: str = DEFAULT_WORKOUT_FORMAT,
    progress: Progress | None = None,
) -> BuildResult:
    """Build a plan folder (with its calendar), or compile every workout in a plain folder."""
    if not is_plan(folder):
        sources = find_workout_files([folder])
        outcomes = _run(
            sources,
            lambda source: _compile_workout(source, athlete, out_dir, file_format),
            progress,
        )
        return BuildResult(folder.name, outcomes, None, False, _stale(out_dir, outcomes))
    plan = plan_schedule(folder, race_date=race_date)
    for spec, date in plan.schedule.dropped:
        warn(f"dropped: {date} is after race day", location=spec.location)
    outcomes = _run(
        plan.schedule.sessions,
        lambda session: _compile_session(session, athlete, out_dir, file_format),
        progress,
    )
    calendar, changed = _write_calendar(plan, outcomes, out_dir=out_dir, athlete=athlete)
    return BuildResult(plan.name, outcomes, calendar, changed, _stale(out_dir, outcomes))


def _run(
    items: Sequence[T], build_one: Callable[[T], Outcome], progress: Progress | None
) -> tuple[Outcome, ...]:
    outcomes = []
    for done, item in enumerate(items, start=1):
        outcomes.append(build_one(item))
        if progress is not None:
            progress(done, len(items))
    return tuple(outcomes)


def _compile_workout(
    source: Path, athlete: Athlete | None, out_dir: Path, file_format: str
) -> Outcome:
    try:
        result = compile_file(source, athlete=athlete, out_dir=out_dir, file_format=file_format)
    except PacefitError as exc:
        return Outcome(source=source, error=exc)
    return Outcome(
        source=source, workout=result.workout, output=result.output, written=result.written
    )


def _compile_session(
    session: ScheduledSession, athlete: Athlete | None, out_dir: Path, file_format: str
) -> Outcome:
    spec = session.spec
    day = safe_filename(session.label, suffix="")
    try:
        result = compile_file(
            spec.workout_path,
            athlete=athlete,
            out_dir=out_dir,
            level=spec.level,
            overrides=spec.overrides,
            name_prefix=session.label,
            filename_prefix=f"{session.date.isoformat()}_{day}_",
            file_format=file_format,
        )
    except PacefitError as exc:
        return Outcome(source=spec.workout_path, session=session, error=exc)
    return Outcome(
        source=spec.workout_path,
        session=session,
        workout=result.workout,
        output=result.output,
        written=result.written,
    )


def _write_calendar(
    plan: PlanSchedule, outcomes: tuple[Outcome, ...], *, out_dir: Path, athlete: Athlete | None
) -> tuple[Path, bool]:
    """`plan.ics` with every built session; returns its path and whether it changed."""
    unit = athlete.display_unit if athlete else DistanceUnit.KM
    events = []
    for outcome in outcomes:
        if outcome.session is None or outcome.workout is None:
            continue
        outline = workout_outline(outcome.workout.steps, unit, sport=outcome.workout.sport)
        description = "\n".join([outcome.workout.description, "", *outline]).strip()
        events.append(
            CalendarEvent(
                date=outcome.session.date, summary=outcome.workout.name, description=description
            )
        )
    text = calendar_text(events, name=plan.name, stamp=plan.schedule.race_date)
    path = out_dir / CALENDAR_FILE
    return path, write_atomic(path, text.encode())


def _stale(out_dir: Path, outcomes: tuple[Outcome, ...]) -> tuple[Path, ...]:
    """Workout files in `out_dir` that this build did not make (an older version of the plan,
    say). They are reported, never deleted: they may be the runner's."""
    made = {o.output.resolve() for o in outcomes if o.output is not None}
    if not out_dir.is_dir():
        return ()
    suffixes = {writer.suffix for writer in WORKOUT_WRITERS.values()}
    return tuple(
        sorted(
            p
            for p in out_dir.iterdir()
            if p.suffix in suffixes and p.is_file() and p.resolve() not in made
        )
    )
