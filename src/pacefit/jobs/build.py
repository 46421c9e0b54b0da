"""The `build` job: every session of a plan as a workout file named by date, plus `plan.ics`;
or, for a plain folder of workouts, every workout in it.

One bad session does not stop the batch; each outcome says what happened to it.
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pacefit.core.describe import workout_outline
from pacefit.core.paces import Athlete, pace_table, runner_level
from pacefit.core.plan import (
    Change,
    Schedule,
    ScheduledSession,
    SessionLoad,
    protect_races,
    schedule,
    session_load,
)
from pacefit.core.units import DistanceUnit, PaceRange
from pacefit.core.workout import Workout
from pacefit.errors import Location, PacefitError, PacefitWarning, warn
from pacefit.files import (
    output_error,
    remove_stale_temporaries,
    safe_filename,
    sha256,
    write_atomic,
)
from pacefit.formats import DEFAULT_WORKOUT_FORMAT, WORKOUT_WRITERS
from pacefit.formats.build_records import (
    MANIFEST_FILE,
    PUSH_LOG_FILE,
    Manifest,
    ManifestEntry,
    write_manifest,
)
from pacefit.formats.fit_schedule import SCHEDULE_FILE
from pacefit.formats.ics import CalendarEvent, calendar_text
from pacefit.formats.plan_yaml import PLAN_FILE, load_plan
from pacefit.formats.workout_yaml import load_workout
from pacefit.jobs.compile import BatchOutputs, chosen_device, compile_file, workout_sources
from pacefit.jobs.schedule import write_schedule

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
    calendar: Path | None  # plan.ics, for a plan (None when it could not be written)
    calendar_written: bool
    stale: tuple[Path, ...]  # files in the output folder this build did not make
    # plan.ics, the schedule or the manifest, when they could not be written (the sessions
    # were built)
    record_errors: tuple[PacefitError, ...] = ()
    schedule: Path | None = None  # the FIT schedules file, for a plan built as FIT
    schedule_written: bool = False

    @property
    def failures(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.error is not None)


@dataclass(frozen=True)
class PlanSchedule:
    name: str
    folder: Path
    level: str
    schedule: Schedule
    changes: tuple[Change, ...]  # sessions moved or dropped around races


def is_plan(folder: Path) -> bool:
    return (folder / PLAN_FILE).is_file()


def plan_schedule(
    folder: Path,
    *,
    race_date: dt.date | None,
    athlete: Athlete | None = None,
    level: str | None = None,
) -> PlanSchedule:
    """A plan folder's sessions at the runner's level, dated back from race day, with the
    days around each race kept free of hard sessions."""
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
    chosen = runner_level(level, athlete)
    name, blocks = load_plan(folder, level=chosen)
    dated = schedule(blocks, race_date=race_date)
    table = pace_table(athlete) if athlete else None
    easy = table.training["easy"] if table else None
    # a daily plan repeats a handful of workouts: each is read once for all its sessions
    by_workout: dict[object, SessionLoad] = {}
    loads: dict[ScheduledSession, SessionLoad] = {}
    for session in dated.sessions:
        key = session.spec.workout_key
        if key not in by_workout:
            by_workout[key] = _load(session, athlete, easy)
        loads[session] = by_workout[key]
    protected, changes = protect_races(dated, loads)
    return PlanSchedule(name, folder, chosen, protected, changes)


def _load(
    session: ScheduledSession, athlete: Athlete | None, easy: PaceRange | None
) -> SessionLoad:
    """How hard the session is; a workout that cannot be read counts as easy here and fails
    with its own error when it is built."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PacefitWarning)  # they come again when it is built
            workout = load_workout(
                session.spec.workout_path,
                athlete=athlete,
                level=session.spec.level,
                overrides=session.spec.overrides,
            )
    except PacefitError:
        return SessionLoad(hard=False, longest_effort_m=0.0)
    return session_load(workout, easy=easy)


def change_note(change: Change) -> str:
    """`moved W07 Sun long-run (2027-01-24) to Sat 2027-01-23: its day is the day before the
    race (10k)`: the reason is the session's own day's, not the day it moves to."""
    session = change.session
    what = f"{session.label} {session.spec.workout_path.stem} ({session.date})"
    if change.moved_to is None:
        return f"dropped {what}: {change.reason}"
    moved = change.moved_to
    return f"moved {what} to {moved.day.capitalize()} {moved.date}: its day is {change.reason}"


def build_plan(
    folder: Path,
    *,
    race_date: dt.date | None,
    athlete: Athlete | None,
    out_dir: Path,
    file_format: str = DEFAULT_WORKOUT_FORMAT,
    device: str | None = None,
    progress: Progress | None = None,
    level: str | None = None,
    today: dt.date | None = None,
) -> BuildResult:
    """Build a plan folder (with its calendar) at the runner's level, or compile every workout
    in a plain folder. Given `today`, a race that has passed is refused and the sessions before
    today are left out (with a warning naming them); without it every session is built. A file
    that cannot be read or written is an outcome with its error; an output folder that cannot
    be made or written into stops the build before it starts."""
    if not is_plan(folder):
        sources, unreadable = workout_sources([folder])
        chosen = runner_level(level, athlete)
        prepare_output_folder(out_dir)
        batch = BatchOutputs()
        outcomes = tuple(Outcome(source=f.source, error=f.error) for f in unreadable) + _run(
            sources,
            lambda source: _compile_workout(
                source, athlete, out_dir, (file_format, device), chosen, batch=batch
            ),
            progress,
        )
        device_name = chosen_device(device, athlete)
        if _nothing_built(outcomes):
            return BuildResult(folder.name, outcomes, None, False, (), ())
        errors = _recorded(
            lambda: _write_manifest(
                out_dir, folder.name, None, chosen, outcomes, device=device_name
            )
        )
        stale = _stale(out_dir, outcomes, file_format)
        return BuildResult(folder.name, outcomes, None, False, stale, errors)
    plan = plan_schedule(folder, race_date=race_date, athlete=athlete, level=level)
    prepare_output_folder(out_dir)
    for spec, date in plan.schedule.dropped:
        warn(f"dropped: {date} is after race day", location=spec.location)
    for change in plan.changes:
        warn(change_note(change), location=change.session.spec.location)
    sessions = plan.schedule.sessions
    if today is not None:
        sessions = _from_today(plan, today)
    batch = BatchOutputs()
    outcomes = _run(
        sessions,
        lambda session: _compile_session(
            session, athlete, out_dir, (file_format, device), batch=batch
        ),
        progress,
    )
    if _nothing_built(outcomes):  # the last good build's records stay, for push to go by
        return BuildResult(plan.name, outcomes, None, False, (), ())
    calendar: Path | None = out_dir / CALENDAR_FILE
    changed = False
    calendar_errors: tuple[PacefitError, ...]
    try:
        changed = _write_calendar(plan, outcomes, path=out_dir / CALENDAR_FILE, athlete=athlete)
    except PacefitError as exc:
        calendar, calendar_errors = None, (exc,)  # reported among the errors, not as written
    else:
        calendar_errors = ()
    device_name = chosen_device(device, athlete)
    schedule: Path | None = None
    schedule_written = False
    if file_format == DEFAULT_WORKOUT_FORMAT:  # a watch's calendar takes FIT files
        try:
            schedule, schedule_written = write_schedule(
                out_dir / SCHEDULE_FILE, _dated_outputs(outcomes), device=device_name
            )
        except PacefitError as exc:
            calendar_errors += (exc,)
    errors = calendar_errors + _recorded(
        lambda: _write_manifest(
            out_dir,
            plan.name,
            race_date,
            plan.level,
            outcomes,
            device=device_name,
            schedule=schedule,
        )
    )
    stale = _stale(out_dir, outcomes, file_format)
    return BuildResult(
        plan.name, outcomes, calendar, changed, stale, errors, schedule, schedule_written
    )


def _dated_outputs(outcomes: tuple[Outcome, ...]) -> list[tuple[dt.date, Path]]:
    return [(o.session.date, o.output) for o in outcomes if o.session and o.output]


def prepare_output_folder(out_dir: Path) -> None:
    """Make the output folder, refuse one that cannot be written into (one line, before any
    session is built), and remove the temporary files an interrupted build left in it."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise output_error(out_dir, exc, doing="create the folder") from exc
    if not os.access(out_dir, os.W_OK):
        # access() answers for a read-only file system and missing permission alike
        probe = OSError(errno.EROFS if _read_only(out_dir) else errno.EACCES, "")
        probe.strerror = os.strerror(probe.errno or 0)
        raise output_error(out_dir, probe, doing="write into the folder")
    remove_stale_temporaries(out_dir)


def _read_only(folder: Path) -> bool:
    return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)


def _recorded(write: Callable[[], object]) -> tuple[PacefitError, ...]:
    """Run one write of the build's records; its error, if any, for the result."""
    try:
        write()
    except PacefitError as exc:
        return (exc,)
    return ()


def _from_today(plan: PlanSchedule, today: dt.date) -> tuple[ScheduledSession, ...]:
    """The sessions of a plan still to come; a race already run is refused."""
    race_date = plan.schedule.race_date
    if race_date < today:
        raise PacefitError(
            f"the race date {race_date} has passed; there is nothing left to build",
            location=Location(str(plan.folder / PLAN_FILE)),
            hint="give the date of a race to come (`pacefit review` looks back on a past block)",
        )
    sessions = plan.schedule.sessions
    past = [s for s in sessions if s.date < today]
    left = [s for s in sessions if s.date >= today]
    if past:
        weeks = sorted({s.week for s in past})
        span = f"W{weeks[0]:02d}" if len(weeks) == 1 else f"W{weeks[0]:02d}-W{weeks[-1]:02d}"
        total_weeks = max(s.week for s in sessions)
        weeks_left = (race_date - today).days // 7 + 1
        starts = f"; it starts with {left[0].label} on {left[0].date}" if left else ""
        warn(
            f"the {total_weeks}-week plan has {weeks_left} week(s) left before the race: "
            f"{len(past)} session(s) before today ({span}, {past[0].date} to {past[-1].date}) "
            f"left out{starts}",
            location=Location(str(plan.folder / PLAN_FILE)),
        )
    return tuple(left)


def _nothing_built(outcomes: Sequence[Outcome]) -> bool:
    """Every session failed (no athlete file, say): the folder's manifest, calendar and
    schedule are left as the last build wrote them, not replaced by empty ones."""
    return bool(outcomes) and all(outcome.error is not None for outcome in outcomes)


def _run(
    items: Sequence[T], build_one: Callable[[T], Outcome], progress: Progress | None
) -> tuple[Outcome, ...]:
    outcomes = []
    for done, item in enumerate(items, start=1):
        outcomes.append(build_one(item))
        if progress is not None:
            progress(done, len(items))
    return tuple(outcomes)


_Output = tuple[str, str | None]  # the file format, and the device asked for


def _compile_workout(
    source: Path,
    athlete: Athlete | None,
    out_dir: Path,
    output: _Output,
    level: str,
    *,
    batch: BatchOutputs,
) -> Outcome:
    file_format, device = output
    try:
        result = compile_file(
            source,
            athlete=athlete,
            out_dir=out_dir,
            file_format=file_format,
            device=device,
            level=level,
            batch=batch,
        )
    except PacefitError as exc:
        return Outcome(source=source, error=exc)
    return Outcome(
        source=source, workout=result.workout, output=result.output, written=result.written
    )


def _compile_session(
    session: ScheduledSession,
    athlete: Athlete | None,
    out_dir: Path,
    output: _Output,
    *,
    batch: BatchOutputs,
) -> Outcome:
    file_format, device = output
    spec = session.spec
    day = safe_filename(session.label, suffix="")
    try:
        with _warnings_naming(session):
            result = compile_file(
                spec.workout_path,
                athlete=athlete,
                out_dir=out_dir,
                level=spec.level,
                overrides=spec.overrides,
                name_prefix=session.label,
                filename_prefix=f"{session.date.isoformat()}_{day}_",
                file_format=file_format,
                device=device,
                batch=batch,
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


@contextmanager
def _warnings_naming(session: ScheduledSession) -> Iterator[None]:
    """A library workout is built many times in a plan: its warnings say for which session."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PacefitWarning)
        yield
    for caught_warning in caught:
        message = caught_warning.message
        if isinstance(message, PacefitWarning):
            warn(f"{session.label}: {message.message}", location=message.location)
        else:
            warnings.warn(message, stacklevel=2)


def _write_calendar(
    plan: PlanSchedule, outcomes: tuple[Outcome, ...], *, path: Path, athlete: Athlete | None
) -> bool:
    """`plan.ics` with every built session; returns whether it changed."""
    dated = [
        (outcome.session.date, outcome.workout)
        for outcome in outcomes
        if outcome.session is not None and outcome.workout is not None
    ]
    return write_atomic(path, plan_calendar(plan, dated, athlete=athlete))


def plan_calendar(
    plan: PlanSchedule, dated: Sequence[tuple[dt.date, Workout]], *, athlete: Athlete | None
) -> bytes:
    """`plan.ics`: an all-day event for each dated workout, with its outline."""
    unit = athlete.display_unit if athlete else DistanceUnit.KM
    events = []
    for date, workout in dated:
        outline = workout_outline(workout.steps, unit, sport=workout.sport)
        description = "\n".join([workout.description, "", *outline]).strip()
        events.append(CalendarEvent(date=date, summary=workout.name, description=description))
    return calendar_text(events, name=plan.name, stamp=plan.schedule.race_date).encode()


def _write_manifest(
    out_dir: Path,
    name: str,
    race_date: dt.date | None,
    level: str,
    outcomes: tuple[Outcome, ...],
    *,
    device: str,
    schedule: Path | None = None,
) -> None:
    """The files this build made, so that `push` sends exactly them (and knows their dates)."""
    entries = sorted(
        (
            ManifestEntry(
                file=o.output.name,
                sha256=sha256(o.output.read_bytes()),
                workout=o.workout.name,
                date=o.session.date if o.session else None,
                session=o.session.label if o.session else None,
            )
            for o in outcomes
            if o.output is not None and o.workout is not None
        ),
        key=lambda entry: entry.file,  # plan files start with their date
    )
    if entries or out_dir.is_dir():
        schedule_name = schedule.name if schedule else None
        write_manifest(
            out_dir, Manifest(name, race_date, level, tuple(entries), device, schedule_name)
        )


def _stale(out_dir: Path, outcomes: tuple[Outcome, ...], file_format: str) -> tuple[Path, ...]:
    """Workout files of the built format in `out_dir` that this build did not make (an older
    version of the plan, say). They are reported, never deleted: they may be the runner's."""
    made = {o.output.resolve() for o in outcomes if o.output is not None}
    if not out_dir.is_dir():
        return ()
    suffix = WORKOUT_WRITERS[file_format].suffix
    return tuple(
        sorted(
            p
            for p in out_dir.iterdir()
            if p.suffix == suffix
            and p.name not in (MANIFEST_FILE, PUSH_LOG_FILE, SCHEDULE_FILE)
            and p.is_file()
            and p.resolve() not in made
        )
    )
